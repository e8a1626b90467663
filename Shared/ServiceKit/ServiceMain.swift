import Bus
import BusZeroMQ
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// The one shape of a Volta executable: parse flags, load and validate configuration (exit 2
/// naming the key on a bad value), set up logging and metrics, connect to the bus over ZeroMQ,
/// and run the service's `Service`s with heartbeats and metrics in a `ServiceGroup` that shuts
/// down gracefully on SIGTERM and SIGINT.
///
/// ```swift
/// await ServiceMain.run(service: "risk", settings: RiskSettings.all) { context in
///     [try RiskService(context: context)]
/// }
/// ```
public enum ServiceMain {
    public static func run(
        service: String, settings: [any AnySetting] = [], options: ServiceOptions? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        build: (ServiceContext) async throws -> [any Service]
    ) async -> Never {
        let options = options ?? ServiceOptions.parseOrExit()
        let configuration: ConfigurationLayers
        do {
            configuration = try await BusConnection.configuration(service: service, options: options, settings: settings,
                                                                  environment: environment)
        } catch {
            BusConnection.exitWithError(service, error)
        }

        let level = (try? configuration.value(CommonSettings.logLevel)).flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "volta.\(service)")
        logger[metadataKey: "instance"] = "\(options.instance ?? environment["VOLTA_INSTANCE"] ?? service)"
        let factory = BusMetricsFactory()
        MetricsSystem.bootstrap(factory)

        do {
            let context = try BusConnection.open(service: service, options: options, configuration: configuration,
                                                 environment: environment, logger: logger)
            let bus = context.bus
            let heartbeat = Duration.milliseconds(try configuration.value(CommonSettings.heartbeatMilliseconds))
            let metricsPeriod = Duration.milliseconds(try configuration.value(CommonSettings.metricsMilliseconds))
            let services = try await build(context)
            let group = ServiceGroup(
                services: [HeartbeatService(bus: bus, interval: heartbeat, facts: configuration.effective(settings)),
                           MetricsPublisher(bus: bus, factory: factory, interval: metricsPeriod, extra: context.counters.read)]
                    + services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                cancellationSignals: [],
                logger: logger)
            logger.info("started", metadata: ["identity": "\(bus.identity)"])
            try await group.run()
            logger.info("stopped")
            bus.shutdown()
            exit(0)
        } catch {
            if !(error is ConfigurationError) { logger.critical("failed", metadata: ["error": "\(error)"]) }
            BusConnection.exitWithError(service, error)
        }
    }
}
