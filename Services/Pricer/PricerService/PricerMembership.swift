import Bus
import Messages
import ServiceKit

/// Which underlyings this pricer publishes. Every pricer worker keeps every book (any of them may
/// answer a request), but each underlying's analytics come from one: the rendezvous-hash owner
/// among the pricers heard heartbeating, so adding a worker splits the publishing without talk.
struct PricerMembership: Sendable {
    let instance: String
    let tracker = HeartbeatTracker()

    func observe(_ heartbeat: Volta_V1_Heartbeat, now: Int64) { tracker.observe(heartbeat, now: now) }

    /// The pricer instances alive now, this one always included.
    func members(now: Int64) -> [String] {
        Array(Set(tracker.alive(now: now)[Topics.Service.pricer, default: []] + [instance])).sorted()
    }

    func owned(_ symbols: [String], now: Int64) -> Set<String> {
        let members = self.members(now: now).map { Array($0.utf8) }
        let me = Array(instance.utf8)
        return Set(symbols.filter { RendezvousHash.owner(of: $0, among: members) == me })
    }
}
