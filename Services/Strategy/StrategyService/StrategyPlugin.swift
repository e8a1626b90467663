import ServiceKit
import StrategyKit

/// A strategy the host can run: its name in `strategy.enabled`, its own settings section, and
/// how to make it from them. The `strategy` executable lists the plug-ins it knows.
public struct StrategyPlugin: Sendable {
    public let name: String
    public let settings: [any AnySetting]
    public let make: @Sendable (ServiceContext) throws -> any Strategy

    public init(name: String, settings: [any AnySetting], make: @escaping @Sendable (ServiceContext) throws -> any Strategy) {
        self.name = name
        self.settings = settings
        self.make = make
    }
}
