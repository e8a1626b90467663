import Bus
import Messages
import Synchronization

/// The latest `sys.metrics` snapshot of every instance on a bus: how a soak or a bench reads the
/// drop and gap counters of processes it cannot look into.
public final class MetricsWatch: Sendable {
    private let byInstance = Mutex<[String: [String: Double]]>([:])
    private let task = Mutex<Task<Void, Never>?>(nil)

    public init(bus: Bus) {
        let watching = Task { [weak self] in
            for await s in bus.subscribe(Volta_V1_MetricsSnapshot.self, prefix: Topics.Prefix.metrics) {
                let values = Dictionary(s.message.metrics.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
                guard let self else { return }
                self.byInstance.withLock { $0["\(s.message.source.service)/\(s.message.source.instance)"] = values }
            }
        }
        task.withLock { $0 = watching }
    }

    deinit { task.withLock { $0?.cancel() } }

    /// The instances heard so far.
    public var instances: [String] { byInstance.withLock { $0.keys.sorted() } }

    /// Each counter summed over the instances.
    public func totals(_ names: [String]) -> [String: Int] {
        byInstance.withLock { all in
            Dictionary(uniqueKeysWithValues: names.map { name in (name, all.values.reduce(0) { $0 + Int($1[name] ?? 0) }) })
        }
    }

    /// The instances where any of these counters is above zero, with their values; "none" when none.
    public func nonZero(_ names: [String]) -> String {
        byInstance.withLock { all in
            let rows = all.sorted { $0.key < $1.key }.compactMap { instance, values -> String? in
                let set = names.compactMap { n in values[n].flatMap { $0 > 0 ? "\(n)=\(Int($0))" : nil } }
                return set.isEmpty ? nil : "\(instance) \(set.joined(separator: " "))"
            }
            return rows.isEmpty ? "none" : rows.joined(separator: "; ")
        }
    }
}
