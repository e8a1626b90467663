import Bus
import BusZeroMQ
import Logging

/// The `bus` process: the pub/sub forwarder and the service broker, side by side. It holds no
/// state that matters across a restart, so a supervisor may kill and restart it at will.
public final class BusDaemon: Sendable {
    public struct Configuration: Sendable {
        /// Where to bind; ports may be `*` for tests.
        public var bind: BusEndpoints
        public var socketOptions: BusSocketOptions
        public var routing: ServiceRouter<Broker.Job>.Configuration

        public init(bind: BusEndpoints, socketOptions: BusSocketOptions = BusSocketOptions(),
                    routing: ServiceRouter<Broker.Job>.Configuration = .init()) {
            self.bind = bind
            self.socketOptions = socketOptions
            self.routing = routing
        }
    }

    public let configuration: Configuration
    private let context: ZMQContext
    private let forwarder: Forwarder
    private let broker: Broker
    private let zap: ZAPAllowlist?
    private let logger: Logger

    /// - Throws: when the CURVE allowlist holds a key that is not Z85.
    public init(configuration: Configuration, logger: Logger, clock: any BusClock = WallClock()) throws {
        self.configuration = configuration
        self.logger = logger
        context = ZMQContext(ioThreads: 1)
        forwarder = Forwarder(context: context)
        broker = Broker(context: context, options: configuration.socketOptions, routing: configuration.routing, clock: clock, logger: logger)
        if case let .server(_, allowed) = configuration.socketOptions.security {
            zap = try ZAPAllowlist(context: context, allowed: allowed, logger: logger)
        } else {
            zap = nil
        }
    }

    /// Binds and starts both halves. Returns the endpoints clients should use.
    @discardableResult
    public func start() throws -> BusEndpoints {
        try zap?.start()
        let (pub, sub) = try forwarder.start(publish: configuration.bind.publish, subscribe: configuration.bind.subscribe,
                                             options: configuration.socketOptions)
        let brokerEndpoint = try broker.start(bind: configuration.bind.broker)
        let bound = BusEndpoints(publish: pub, subscribe: sub, broker: brokerEndpoint)
        logger.info("bus listening", metadata: ["endpoints": "\(bound)", "libzmq": "\(ZMQContext.version)",
                                                "curve": "\(zap == nil ? "off" : "on")"])
        return bound
    }

    public func stop() {
        broker.stop()
        forwarder.stop()
        zap?.stop()
    }

    public var brokerStatistics: BrokerStatistics { broker.statistics }

    /// Counters for the metrics the daemon publishes about itself.
    public func counters() -> [(name: String, value: Int)] {
        var all = broker.statistics.snapshot()
        if let f = forwarder.statistics() {
            all.append(("forwarder_messages_in_total", Int(f.messagesIn)))
            all.append(("forwarder_messages_out_total", Int(f.messagesOut)))
            all.append(("forwarder_bytes_in_total", Int(f.bytesIn)))
        }
        if let zap {
            all.append(("curve_admitted_total", zap.admitted.load(ordering: .relaxed)))
            all.append(("curve_refused_total", zap.refused.load(ordering: .relaxed)))
        }
        return all
    }
}
