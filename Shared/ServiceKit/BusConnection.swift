import Bus
import BusZeroMQ
import Foundation
import Logging

/// Loads a process's configuration and connects it to the bus over ZeroMQ: what every service
/// main (through ``ServiceMain``) and every tool does first.
public enum BusConnection {
    /// Reads and validates the configuration.
    /// - Throws: ``ConfigurationError`` for a bad file, flag or variable.
    public static func configuration(service: String, options: ServiceOptions, settings: [any AnySetting],
                                     environment: [String: String]) async throws -> ConfigurationLayers {
        try await configuration(services: [service], options: options, settings: settings, environment: environment)
    }

    /// One configuration for the services of a process: each one's section is allowed.
    public static func configuration(services: [String], options: ServiceOptions, settings: [any AnySetting],
                                     environment: [String: String]) async throws -> ConfigurationLayers {
        // An empty VOLTA_CONFIG (compose passes the variable whether or not it is set) means none.
        let file = options.configFile ?? environment["VOLTA_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        let configuration = try await ConfigurationLayers(file: file,
                                                          environment: environment, overrides: options.allOverrides)
        try configuration.validate(CommonSettings.all + settings, sections: CommonSettings.sections.union(services))
        return configuration
    }

    public static func open(service: String, options: ServiceOptions, configuration: ConfigurationLayers,
                            environment: [String: String], logger: Logger) throws -> ServiceContext {
        let instance = options.instance ?? environment["VOLTA_INSTANCE"] ?? service
        return try open(services: [service], instance: instance, configuration: configuration,
                        environment: environment, logger: logger)[0]
    }

    /// A context for each of a process's services. One service connects to the daemon alone; in
    /// a node each member is `<instance>.<service>` on the bus and reaches the others through one
    /// in-memory hub (``NodeTransport``).
    public static func open(services: [String], instance: String, configuration: ConfigurationLayers,
                            environment: [String: String], logger: Logger) throws -> [ServiceContext] {
        let endpoints = try BusEndpoints.parse(try configuration.value(CommonSettings.busEndpoint))
        let socketOptions = try CommonSettings.socketOptions(configuration)
        let instances = services.count == 1 ? [instance] : services.map { "\(instance).\($0)" }
        let clock = try CommonSettings.clock(configuration)
        let hub = services.count == 1 ? nil : InMemoryHub(clock: clock)
        return try zip(services, instances).map { service, name in
            let identity = ServiceIdentity(service: service, instance: name, epoch: UInt64(WallClock().now()))
            let statistics = BusStatistics()
            let zeromq = try ZeroMQTransport(endpoints: endpoints, instance: name, options: socketOptions,
                                             statistics: statistics, logger: logger, clock: clock)
            let transport: any BusTransport = hub.map { NodeTransport(hub: $0, instance: name, remote: zeromq, members: Set(instances)) } ?? zeromq
            var log = logger
            log[metadataKey: "service"] = "\(service)"
            let bus = Bus(identity: identity, transport: transport, logger: log, statistics: statistics)
            return ServiceContext(bus: bus, configuration: configuration, logger: log)
        }
    }

    public static func connectOrExit(tool: String, options: ServiceOptions, settings: [any AnySetting] = [],
                                     environment: [String: String] = ProcessInfo.processInfo.environment) async -> ServiceContext {
        do {
            let configuration = try await configuration(service: tool, options: options, settings: settings, environment: environment)
            var logger = Logger(label: "volta.\(tool)")
            logger.logLevel = (try? configuration.value(CommonSettings.logLevel)).flatMap(Logger.Level.init(rawValue:)) ?? .warning
            return try open(service: tool, options: options, configuration: configuration, environment: environment, logger: logger)
        } catch {
            exitWithError(tool, error)
        }
    }

    /// Prints `error` and exits: code 2 for a configuration error, 1 otherwise.
    public static func exitWithError(_ name: String, _ error: any Error) -> Never {
        FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
        exit(error is ConfigurationError || error is BusEndpoints.ParseError ? ConfigurationError.exitCode : 1)
    }
}
