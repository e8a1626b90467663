import Bus
import Messages
import ServiceLifecycle

/// Publishes the process's metrics on `sys.metrics.<service>.<instance>` every period: what
/// swift-metrics recorded, plus the bus's own counters and any extra counters the service adds.
public struct MetricsPublisher: Service {
    let bus: Bus
    let factory: BusMetricsFactory
    let interval: Duration
    let extra: @Sendable () -> [(name: String, value: Int)]

    public init(bus: Bus, factory: BusMetricsFactory, interval: Duration,
                extra: @escaping @Sendable () -> [(name: String, value: Int)] = { [] }) {
        self.bus = bus
        self.factory = factory
        self.interval = interval
        self.extra = extra
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await bus.clock.sleep(for: interval) }
            bus.publish(snapshot())
        }
    }

    public func snapshot() -> Volta_V1_MetricsSnapshot {
        var snapshot = Volta_V1_MetricsSnapshot()
        snapshot.source = bus.identity.source
        snapshot.metrics = factory.snapshot()
        for (name, value) in bus.statistics.snapshot() + extra() {
            var m = Volta_V1_Metric()
            m.name = name
            m.kind = name.hasSuffix("_total") ? .counter : .gauge
            m.value = Double(value)
            snapshot.metrics.append(m)
        }
        return snapshot
    }
}
