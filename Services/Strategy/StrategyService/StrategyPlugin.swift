import ServiceKit
import StrategyKit

/// A strategy the host can run: its name in `strategy.enabled`, its own settings section, and
/// how to make it from them. The `strategy` executable lists the plug-ins it knows.
public struct StrategyPlugin: Sendable {
    public let name: String
    public let settings: [any AnySetting]
    public let make: @Sendable (ServiceContext) throws -> any Strategy
    /// Keys an operator cannot edit while the host runs: what it subscribed by (the symbols) or
    /// names its intents and states by (the instance).
    public let fixed: Set<String>

    public init(name: String, settings: [any AnySetting], fixed: Set<String> = [],
                make: @escaping @Sendable (ServiceContext) throws -> any Strategy) {
        self.name = name
        self.settings = settings
        self.fixed = fixed
        self.make = make
    }
}
