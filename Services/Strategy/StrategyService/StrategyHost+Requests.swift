import Bus
import Messages
import StrategyKit

/// The host's service: an operator's "run now" and the timers set (the dashboard's next
/// scheduled trade). A run-now accepted by one worker is published, and every worker hands it to
/// its copy of the strategy, so each key's owner acts as the scheduled routine would; the
/// routine's intent ids are the day's, so a second press the same day places nothing new.
extension StrategyHost {
    func serveRequests() async {
        await bus.serve(service: Topics.Service.strategy, Volta_V1_StrategyRequest.self) { request, context in
            switch request.kind {
            case .trigger(let t): return self.accept(t, requestID: context.requestID)
            case .schedule: return self.schedule()
            case .parameters: return self.parametersReply()
            case .setParameter(let change): return self.acceptEdit(change)
            case nil: throw BadRequest("a strategy request names a trigger or asks for the schedule")
            }
        }
    }

    /// Accepted (and published) for an enabled strategy while the market is open, or when forced.
    func accept(_ t: Volta_V1_StrategyTrigger, requestID: String) -> Volta_V1_StrategyReply {
        let now = bus.clock.now()
        var reply = Volta_V1_StrategyReply()
        guard slots.contains(where: { $0.name == t.strategy }) else {
            reply.outcome = "unknown_strategy"
            reply.detail = "'\(t.strategy)' is not enabled here (strategy.enabled: \(slots.map(\.name).joined(separator: ",")))"
            return reply
        }
        guard t.force || calendar.isOpen(at: now) else {
            let next = calendar.session(atOrAfter: now).open
            reply.outcome = "market_closed"
            reply.detail = "the market is closed (the next session opens at \(next) ns); force runs it anyway"
            return reply
        }
        var trigger = t
        trigger.triggerID = t.triggerID.isEmpty ? requestID : t.triggerID
        trigger.timeNs = now
        bus.publish(trigger)
        logger.notice("run now", metadata: ["strategy": "\(t.strategy)", "force": "\(t.force)", "by": "\(t.requestedBy)"])
        reply.outcome = "triggered"
        reply.detail = "\(t.strategy) runs its routine now"
        return reply
    }

    func schedule() -> Volta_V1_StrategyReply {
        var reply = Volta_V1_StrategyReply()
        reply.timers = slots.flatMap { slot in
            slot.state.withLock { s in
                s.timers.map { id, at in Volta_V1_ScheduledTimer.with { $0.strategy = slot.name; $0.timerID = id; $0.atNs = at } }
            }
        }.sorted { ($0.atNs, $0.strategy, $0.timerID) < ($1.atNs, $1.strategy, $1.timerID) }
        return reply
    }

    /// Every worker: a published run-now reaches its copy of the strategy.
    func followTriggers() async {
        for await m in bus.subscribe(Volta_V1_StrategyTrigger.self, prefix: Topics.Prefix.strategyTriggers) {
            for slot in slots where slot.name == m.message.strategy { deliver(.runNow(force: m.message.force), to: slot) }
        }
    }
}
