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
        // An empty VOLTA_CONFIG (compose passes the variable whether or not it is set) means none.
        let file = options.configFile ?? environment["VOLTA_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        let configuration = try await ConfigurationLayers(file: file,
                                                          environment: environment, overrides: options.allOverrides)
        try configuration.validate(CommonSettings.all + settings, sections: CommonSettings.sections.union([service]))
        return configuration
    }

    /// Connects to the bus the configuration names.
    public static func open(service: String, options: ServiceOptions, configuration: ConfigurationLayers,
                            environment: [String: String], logger: Logger) throws -> ServiceContext {
        let instance = options.instance ?? environment["VOLTA_INSTANCE"] ?? service
        let endpoints = try BusEndpoints.parse(try configuration.value(CommonSettings.busEndpoint))
        let socketOptions = try CommonSettings.socketOptions(configuration)
        let identity = ServiceIdentity(service: service, instance: instance, epoch: UInt64(WallClock().now()))
        let statistics = BusStatistics()
        let transport = try ZeroMQTransport(endpoints: endpoints, instance: instance, options: socketOptions,
                                            statistics: statistics, logger: logger)
        let bus = Bus(identity: identity, transport: transport, logger: logger, statistics: statistics)
        return ServiceContext(bus: bus, configuration: configuration, logger: logger)
    }

    /// For tools: configuration and connection in one call; exits with code 2 on a bad config.
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
