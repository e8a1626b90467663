import Bus
import Messages

/// Which keys (underlyings) this worker of a scaled service owns: the rendezvous-hash owner
/// among the workers of its service heard heartbeating, this one always included. Adding or
/// losing a worker moves only that worker's keys, and every worker agrees without talking.
///
/// Pricers split the publishing of analytics this way; strategy workers split the underlyings.
public struct ServiceMembership: Sendable {
    public let service: String
    public let instance: String
    let tracker: HeartbeatTracker

    /// - Parameter staleAfterNs: silence after which a worker no longer counts (at least 5
    ///   heartbeat intervals).
    public init(service: String, instance: String, staleAfterNs: Int64 = 5_000_000_000) {
        self.service = service
        self.instance = instance
        self.tracker = HeartbeatTracker(minStaleNs: staleAfterNs)
    }

    /// The prefix of the heartbeats to feed to ``observe(_:now:)``.
    public var heartbeatPrefix: String { "\(Topics.Prefix.heartbeats)\(Topics.key(service))." }

    public func observe(_ heartbeat: Volta_V1_Heartbeat, now: Int64) { tracker.observe(heartbeat, now: now) }

    /// The workers alive now, this one always included.
    public func members(now: Int64) -> [String] {
        Array(Set(tracker.alive(now: now)[service, default: []] + [instance])).sorted()
    }

    public func owned(_ keys: [String], now: Int64) -> Set<String> {
        let members = self.members(now: now).map { Array($0.utf8) }
        let me = Array(instance.utf8)
        return Set(keys.filter { RendezvousHash.owner(of: $0, among: members) == me })
    }
}
