import Bus
import Messages
import StrategyKit

extension StrategyHost {
    /// Whether this worker owns `key` now (an action without a key is every worker's).
    func owns(_ key: String?, now: Int64) -> Bool {
        guard let key else { return true }
        return membership.owned([key], now: now).contains(key)
    }

    /// Performs the actions whose keys this worker owns; the others were noted (pending
    /// intents, timers) and wait for a handover. Orders first (submits and cancels, in the
    /// strategy's order), then the rest: a fired stop's exit is on its way before its state and
    /// alert are published.
    func perform(_ actions: [StrategyAction], for slot: StrategySlot, now: Int64) {
        let (orders, others) = actions.reduce(into: ([StrategyAction](), [StrategyAction]())) { split, action in
            if action.isOrder { split.0.append(action) } else { split.1.append(action) }
        }
        for action in orders + others where owns(action.owner, now: now) {
            switch action {
            case let .submit(intent, _):
                submit(intent, for: slot)
            case let .cancel(intentID, _):
                cancel(intentID)
            case let .publish(state):
                var state = state
                state.worker = bus.identity.instance
                if state.updatedNs == 0 { state.updatedNs = now }
                keep(state)
                bus.publish(state)
            case let .alert(level, message, owner):
                alert(slot.name, level: level, message: message, key: owner, now: now)
            case .timer:
                break  // noted; `runTimers` fires it
            case let .askTheo(id, contract, underlyingPrice, _):
                askTheo(id, contract: contract, underlyingPrice: underlyingPrice, for: slot)
            case let .askChain(id, request, _):
                askChain(id, request, for: slot)
            }
        }
    }

    /// Publishes an intent the first time this worker submits it (for the record), then sends
    /// it to execution (once at a time per id) and hands its report back.
    func submit(_ intent: Volta_V1_OrderIntent, for slot: StrategySlot) {
        if slot.state.withLock({ $0.published.insert(intent.intentID).inserted }) { bus.publish(intent) }
        once("submit \(intent.intentID)", for: slot) { [self] in
            do {
                var request = Volta_V1_ExecutionRequest()
                request.submit = intent
                let reply = try await bus.request(service: Topics.Service.execution, request, as: Volta_V1_ExecutionReply.self,
                                                  timeout: .seconds(2), retries: 2)
                submitted.increment()
                for e in reply.executions { report(e) }
            } catch {
                submitFailures.increment()
                logger.warning("intent not submitted; resubmitted next period", metadata: ["intent": "\(intent.intentID)", "error": "\(error)"])
            }
        }
    }

    func cancel(_ intentID: String) {
        TaskPlacement.spawn { [self] in
            var request = Volta_V1_ExecutionRequest()
            request.cancelIntentID = intentID
            do {
                let reply = try await bus.request(service: Topics.Service.execution, request, as: Volta_V1_ExecutionReply.self,
                                                  timeout: .seconds(2), retries: 2)
                for e in reply.executions { report(e) }
            } catch {
                submitFailures.increment()
                logger.error("cancel not delivered", metadata: ["intent": "\(intentID)", "error": "\(error)"])
            }
        }
    }

    func alert(_ strategy: String, level: AlertLevel, message: String, key: String?, now: Int64) {
        alerts.increment()
        switch level {
        case .info: logger.info("\(message)", metadata: ["strategy": "\(strategy)"])
        case .warning: logger.warning("\(message)", metadata: ["strategy": "\(strategy)"])
        case .critical: logger.critical("\(message)", metadata: ["strategy": "\(strategy)"])
        }
        bus.publish(Volta_V1_StrategyAlert.with {
            $0.strategy = strategy
            $0.level = level.rawValue
            $0.message = message
            $0.key = key ?? ""
            $0.timeNs = now
        })
    }

    /// The pricer's theo of `contract` with the underlying at `underlyingPrice`, as an event.
    func askTheo(_ id: String, contract: Volta_V1_OptionContract, underlyingPrice: Double, for slot: StrategySlot) {
        once("theo \(id)", for: slot) { [self] in
            var ask = Volta_V1_PricerRequest()
            ask.priceAt.contract = contract
            ask.priceAt.underlyingPrice = underlyingPrice
            do {
                let theo = try await bus.request(service: Topics.Service.pricer, ask, as: Volta_V1_PricerReply.self,
                                                 timeout: .seconds(1), retries: 0).priceAt.greeks.theo
                guard theo.isFinite, theo > 0 else { throw BadRequest("no theo for \(id)") }
                deliver(.theo(id: id, theo: theo), to: slot)
            } catch {
                deliver(.theoFailed(id: id, reason: "\(error)"), to: slot)
            }
        }
    }

    /// One expiry's chain from the gateway, as an event. IB quotes what does not stream by
    /// snapshots that take up to 11 s a turn of free lines: the gateway gets a minute.
    func askChain(_ id: String, _ request: Volta_V1_ChainSnapshotRequest, for slot: StrategySlot) {
        once("chain \(id)", for: slot) { [self] in
            do {
                let reply = try await bus.request(service: Topics.Service.gateway, Volta_V1_GatewayRequest.with { $0.chainSnapshot = request },
                                                  as: Volta_V1_GatewayReply.self, timeout: .seconds(60), retries: 0)
                let expiries = Set(reply.chainSnapshot.quotes.map(\.contract.expiry)).sorted()
                logger.info("a chain asked for came", metadata: ["id": "\(id)", "underlying": "\(request.underlying)",
                                                                 "expiry": "\(expiries.joined(separator: ","))", "quotes": "\(reply.chainSnapshot.quotes.count)"])
                deliver(.chain(id: id, reply.chainSnapshot), to: slot)
            } catch {
                logger.warning("a chain asked for did not come", metadata: ["id": "\(id)", "error": "\(error)"])
                deliver(.chainFailed(id: id, reason: "\(error)"), to: slot)
            }
        }
    }

    /// Runs `work` in its own task unless work of the same tag is already under way for the
    /// strategy: a slow answer is not asked for twice.
    func once(_ tag: String, for slot: StrategySlot, _ work: @escaping @Sendable () async -> Void) {
        guard slot.state.withLock({ $0.inFlight.insert(tag).inserted }) else { return }
        TaskPlacement.spawn {
            defer { _ = slot.state.withLock { $0.inFlight.remove(tag) } }
            await work()
        }
    }

    // MARK: Loops on the bus clock

    /// Fires each due timer into its strategy; checks at least every 50 ms of bus time.
    func runTimers() async {
        while !Task.isCancelled {
            let now = bus.clock.now()
            for slot in slots {
                let due = slot.state.withLock { s -> [String] in
                    let due = s.timers.filter { $0.value <= now }.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map(\.key)
                    for id in due { s.timers[id] = nil }
                    return due
                }
                for id in due { deliver(.timer(id: id), to: slot) }
            }
            let next = slots.compactMap { $0.state.withLock { $0.timers.values.min() } }.min()
            let wait = next.map { max(1_000_000, min($0 - bus.clock.now(), 50_000_000)) } ?? 50_000_000
            do { try await bus.clock.sleep(for: .nanoseconds(wait)) } catch { return }
        }
    }

    /// Resubmits every intent not yet ended whose key this worker owns, including those of a key
    /// just gained: execution answers where each stands, and never places one twice.
    func resubmitLoop() async {
        while !Task.isCancelled {
            do { try await bus.clock.sleep(for: resubmitPeriod) } catch { return }
            let now = bus.clock.now()
            for slot in slots {
                let pending = slot.state.withLock { $0.pending.values.sorted { $0.intent.intentID < $1.intent.intentID } }
                for (intent, owner) in pending where owns(owner, now: now) {
                    submit(intent, for: slot)
                }
            }
        }
    }
}
