import Synchronization

/// Counters a service exposes without going through swift-metrics (counts it already keeps as
/// atomics, such as the broker's), read each time metrics are published.
public final class CounterSources: Sendable {
    private let sources = Mutex<[@Sendable () -> [(name: String, value: Int)]]>([])

    public init() {}

    public func add(_ source: @escaping @Sendable () -> [(name: String, value: Int)]) {
        sources.withLock { $0.append(source) }
    }

    public func read() -> [(name: String, value: Int)] {
        sources.withLock { $0 }.flatMap { $0() }
    }
}
