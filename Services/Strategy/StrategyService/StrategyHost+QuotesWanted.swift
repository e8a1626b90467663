import Bus
import Messages
import StrategyKit

/// What this worker's strategies need quoted, told to the gateway (`gw.interest.strategy/<worker>`)
/// and renewed while it runs: a broker that quotes only what is asked (IB's market data lines)
/// then streams the put seller's chain and the stop rules' index and VIX; a worker that stops
/// renewing releases them when its lease lapses. Every worker tells it, so a handover loses nothing.
extension StrategyHost {
    static let interestRenewal = Duration.seconds(30)
    static let interestLease = Duration.seconds(90)

    func announceQuotesWanted() async {
        while !Task.isCancelled {
            bus.publish(quotesWanted(now: bus.clock.now()))
            do { try await bus.clock.sleep(for: Self.interestRenewal) } catch { return }
        }
    }

    func quotesWanted(now: Int64) -> Volta_V1_MarketDataInterest {
        let wanted = slots.reduce(QuotesWanted()) { all, slot in all.union(slot.state.withLock { $0.strategy.quotesWanted }) }
        return Volta_V1_MarketDataInterest.with {
            $0.owner = "\(Topics.Service.strategy)/\(bus.identity.instance)"
            $0.underlyings = wanted.underlyings.union(wanted.optionUnderlyings).sorted()
            $0.optionUnderlyings = wanted.optionUnderlyings.sorted()
            $0.timeNs = now
            $0.leaseNs = Self.interestLease.nanoseconds
        }
    }
}
