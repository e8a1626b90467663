import Messages
import Synchronization

/// Which instances have stopped heartbeating: for the watchdog, and later for the dashboard's
/// health view and the strategy workers' membership.
public final class HeartbeatTracker: Sendable {
    public struct Entry: Sendable, Equatable {
        public var service: String
        public var lastSeenNs: Int64
        public var intervalNs: Int64
        public var restartedAtNs: Int64?
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let staleFactor: Double
    private let minStaleNs: Int64
    private let graceNs: Int64

    public init(staleFactor: Double = 5, minStaleNs: Int64 = 5_000_000_000, graceNs: Int64 = 15_000_000_000) {
        self.staleFactor = staleFactor
        self.minStaleNs = minStaleNs
        self.graceNs = graceNs
    }

    /// A heartbeat arrived. A STOPPING heartbeat means a clean exit: stop watching it.
    public func observe(_ heartbeat: Volta_V1_Heartbeat, now: Int64) {
        entries.withLock { e in
            if heartbeat.state == .stopping {
                e[heartbeat.source.instance] = nil
                return
            }
            e[heartbeat.source.instance] = Entry(service: heartbeat.source.service, lastSeenNs: now,
                                                 intervalNs: Int64(heartbeat.intervalMs) * 1_000_000, restartedAtNs: nil)
        }
    }

    /// Instances silent for too long, each reported once per grace period.
    public func stale(now: Int64) -> [String] {
        entries.withLock { e in
            var out: [String] = []
            for (instance, entry) in e {
                let limit = max(minStaleNs, Int64(Double(entry.intervalNs) * staleFactor))
                let since = entry.restartedAtNs ?? entry.lastSeenNs
                let wait = entry.restartedAtNs == nil ? limit : graceNs
                if now - since > wait {
                    out.append(instance)
                    e[instance]?.restartedAtNs = now
                }
            }
            return out.sorted()
        }
    }

    /// The instances alive now (heard from within their staleness limit), by service.
    public func alive(now: Int64) -> [String: [String]] {
        entries.withLock { e in
            var out: [String: [String]] = [:]
            for (instance, entry) in e where now - entry.lastSeenNs <= max(minStaleNs, Int64(Double(entry.intervalNs) * staleFactor)) {
                out[entry.service, default: []].append(instance)
            }
            return out.mapValues { $0.sorted() }
        }
    }
}
