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
        build: @escaping @Sendable (ServiceContext) async throws -> [any Service]
    ) async -> Never {
        await runNode(name: service, members: [NodeMember(service: service, settings: settings, build: build)],
                      options: options, environment: environment)
    }

    /// Several services in one process (`volta-node`): one configuration with every member's
    /// section, and each member on its own bus identity whose transport reaches the other members
    /// through an in-memory hub (``NodeTransport``) and the rest of the stack through the daemon.
    /// With one member this is a plain service, on ZeroMQ alone.
    public static func runNode(
        name: String, members: [NodeMember], options: ServiceOptions? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async -> Never {
        let options = options ?? ServiceOptions.parseOrExit()
        let configuration: ConfigurationLayers
        do {
            configuration = try await BusConnection.configuration(services: members.map(\.service), options: options,
                                                                  settings: members.flatMap(\.settings), environment: environment)
        } catch {
            BusConnection.exitWithError(name, error)
        }

        let level = (try? configuration.value(CommonSettings.logLevel)).flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "volta.\(name)")
        let instance = options.instance ?? environment["VOLTA_INSTANCE"] ?? name
        logger[metadataKey: "instance"] = "\(instance)"
        let factory = BusMetricsFactory()
        MetricsSystem.bootstrap(factory)

        do {
            let heartbeat = Duration.milliseconds(try configuration.value(CommonSettings.heartbeatMilliseconds))
            let metricsPeriod = Duration.milliseconds(try configuration.value(CommonSettings.metricsMilliseconds))
            let contexts = try BusConnection.open(services: members.map(\.service), instance: instance,
                                                  configuration: configuration, environment: environment, logger: logger)
            var services: [any Service] = []
            for (member, context) in zip(members, contexts) {
                services.append(HeartbeatService(bus: context.bus, interval: heartbeat, facts: configuration.effective(member.settings)))
                services += try await member.build(context)
            }
            // One publisher for the process: its counters are the process's, whatever service counts them.
            let first = contexts[0]
            services.append(MetricsPublisher(bus: first.bus, factory: factory, interval: metricsPeriod, extra: first.counters.read))
            let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [],
                                     logger: logger)
            logger.info("started", metadata: ["identities": "\(contexts.map(\.bus.identity))"])
            try await group.run()
            logger.info("stopped")
            for context in contexts { context.bus.shutdown() }
            exit(0)
        } catch {
            if !(error is ConfigurationError) { logger.critical("failed", metadata: ["error": "\(error)"]) }
            BusConnection.exitWithError(name, error)
        }
    }
}

/// One service of a process: its name on the bus, its settings, and how to build it.
public struct NodeMember: Sendable {
    public let service: String
    public let settings: [any AnySetting]
    public let build: @Sendable (ServiceContext) async throws -> [any Service]

    public init(service: String, settings: [any AnySetting], build: @escaping @Sendable (ServiceContext) async throws -> [any Service]) {
        self.service = service
        self.settings = settings
        self.build = build
    }
}
