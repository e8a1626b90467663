import Bus
import Logging

/// What a service library gets to build its `Service`: the bus, its configuration, a logger.
/// Time comes only from `bus.clock`, so the same service runs live and in a backtest.
public struct ServiceContext: Sendable {
    public let bus: Bus
    public let configuration: ConfigurationLayers
    public let logger: Logger
    /// Extra counters for the metrics this process publishes.
    public let counters: CounterSources

    public init(bus: Bus, configuration: ConfigurationLayers, logger: Logger, counters: CounterSources = CounterSources()) {
        self.bus = bus
        self.configuration = configuration
        self.logger = logger
        self.counters = counters
    }

    public var identity: ServiceIdentity { bus.identity }
    public var clock: any BusClock { bus.clock }

    /// A setting of this service; configuration was validated at start, so this fails only for
    /// a setting the service forgot to declare.
    public func value<V>(_ setting: Setting<V>) throws -> V { try configuration.value(setting) }
}
