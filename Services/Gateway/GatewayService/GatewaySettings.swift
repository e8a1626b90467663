import Foundation
import Market
import ServiceKit

/// The `gateway.*` keys.
public enum GatewaySettings {
    public static let adapter = Setting<String>.choice(
        "gateway.adapter", default: "sim", of: ["sim", "ibkr"],
        help: "The broker: sim (the simulated market) or ibkr (TWS or IB Gateway, gateway.ibkr.*).")
    public static let scenario = Setting<String>.text(
        "gateway.scenario", default: "", accepted: "a path to a scenario file (YAML)",
        help: "A scenario file (YAML) for the sim adapter; empty runs the default market.", isValid: { _ in true })
    public static let tickMilliseconds = Setting<Int>.integer(
        "gateway.tick_ms", default: 250, in: 1...60_000, help: "How often the sim adapter advances the market and publishes quotes.")
    public static let accountMilliseconds = Setting<Int>.integer(
        "gateway.account_ms", default: 5_000, in: 100...3_600_000, help: "How often positions and account values are republished.")
    public static let reconnectMaxMilliseconds = Setting<Int>.integer(
        "gateway.reconnect_max_ms", default: 30_000, in: 100...600_000, help: "The longest wait between two reconnection attempts.")

    public static let all: [any AnySetting] = [adapter, scenario, tickMilliseconds, accountMilliseconds, reconnectMaxMilliseconds]
        + IBKRSettings.all

    /// The configured adapter. A scenario that cannot be loaded is a configuration error naming
    /// the key, with the file, line and field of the problem.
    public static func makeAdapter(_ context: ServiceContext) throws -> any BrokerAdapter {
        if try context.value(adapter) == "ibkr" {
            return IBKRAdapter(config: try IBKRSettings.configuration(context), logger: context.logger, clock: context.clock)
        }
        let path = try context.value(scenario)
        let tick = Duration.milliseconds(try context.value(tickMilliseconds))
        let accountInterval = Duration.milliseconds(try context.value(accountMilliseconds))
        do {
            // Replay files are read here too: a bad CSV is as much a bad configuration as bad YAML.
            return try SimAdapter(scenario: path.isEmpty ? Scenario.live : try ScenarioLoader.load(path), tick: tick,
                                  accountInterval: accountInterval, clock: context.bus.clock)
        } catch {
            throw ConfigurationError(key: scenario.key, value: path, origin: "the scenario file",
                                     accepted: "a valid scenario (\(error))")
        }
    }
}
