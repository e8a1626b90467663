import Bus
import ServiceKit
import Messages

/// Execution follows the quotes and theos of what it may have to work, not of every option:
/// the contracts of open positions (exits are known before they are needed) and of live
/// intents (an entry's contract is followed when the intent arrives, while risk checks it).
extension ExecutionService {
    /// Keeps the held contracts followed as the gateway's positions change.
    func followPositions() async {
        for await m in bus.subscribe(Volta_V1_Position.self, prefix: Topics.Prefix.positions) {
            let p = m.message
            let changed = held.withLock { h -> Bool in
                let before = h.count
                if p.quantity != 0 && p.instrument.hasOption { h[m.topic] = p.instrument.option } else { h[m.topic] = nil }
                return h.count != before
            }
            // Not awaited: positions must not wait on the snapshots.
            if changed { follow(interest()) }
            if p.quantity == 0 && !m.fromSnapshot {
                let (instrument, flatAt) = (p.instrument, m.header.eventTime)
                TaskPlacement.spawn { await self.cancelCloses(of: instrument, flatAt: flatAt) }
            }
        }
    }

    /// A close never outlives its position: once the broker reports it flat, every close still
    /// working on it that was sent (or made) before that report is cancelled. Two exits of one
    /// position (a strategy's stop and a bracket's GTC stop loss at the broker, which risk never
    /// sees) would otherwise both fill, and the second would open the opposite position.
    func cancelCloses(of instrument: Volta_V1_Instrument, flatAt: Int64) async {
        let name = instrument.displayName
        let ids = records.withLock { r in
            r.values.filter { rec in
                guard !rec.isDone, let intent = rec.intent, intent.purpose == .close, intent.legs.count == 1,
                      intent.legs[0].instrument.displayName == name else { return false }
                let since = rec.placedNs > 0 ? rec.placedNs : intent.createdNs
                return since > 0 && since <= flatAt
            }.map(\.intentID).sorted()
        }
        for id in ids where await cancel(id, reason: "its position is flat: nothing left to close") {
            orphanedClosesCancelled.increment()
            logger.notice("a close outlived its position: cancelled", metadata: ["intent": "\(id)", "instrument": "\(name)"])
        }
    }

    /// Every few seconds: forgets intents ended longer ago than `policy.keepEnded`, then drops
    /// the contracts nothing refers to any more.
    func pruneFeeds() async {
        while !Task.isCancelled {
            do { try await bus.clock.sleep(for: .seconds(5)) } catch { return }
            let now = bus.clock.now()
            let forgotten = records.withLock { r in
                retention.withLock { ExecutionRetention.prune(&r, &$0, now: now, keep: policy.keepEnded) }
            }
            if forgotten > 0 { logger.info("ended intents forgotten", metadata: ["count": "\(forgotten)"]) }
            let wanted = interest()
            quoteFeed.keep(only: wanted)
            theoFeed.keep(only: wanted)
        }
    }

    /// Follows `contracts` on both feeds; the task ends once each has its latest quote and theo.
    @discardableResult
    func follow(_ contracts: [Volta_V1_OptionContract]) -> Task<Void, Never> {
        let (quotes, theos) = (quoteFeed.follow(contracts), theoFeed.follow(contracts))
        return TaskPlacement.spawn {
            await quotes.value
            await theos.value
        }
    }

    /// The contracts of open positions and of intents not yet ended.
    func interest() -> [Volta_V1_OptionContract] {
        let positions = held.withLock { Array($0.values) }
        let working = records.withLock { r in
            r.values.filter { !$0.isDone }.flatMap { Self.contracts(of: $0.intent) }
        }
        return positions + working
    }

    static func contracts(of intent: Volta_V1_OrderIntent?) -> [Volta_V1_OptionContract] {
        (intent?.legs ?? []).map(\.instrument).optionContracts
    }
}
