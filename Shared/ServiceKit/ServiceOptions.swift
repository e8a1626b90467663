import ArgumentParser

/// The flags every service executable takes. Embed with `@OptionGroup` in a command that has
/// subcommands of its own; plain services get them from ``ServiceMain``.
public struct ServiceOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("config"), help: "A JSON config file (also VOLTA_CONFIG).")
    public var configFile: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override one key: --set key=value (repeatable).", valueName: "key=value"))
    public var overrides: [String] = []

    @Option(help: "This process's instance name on the bus (also VOLTA_INSTANCE); the service name by default.")
    public var instance: String?

    @Option(help: "Where the bus daemon listens, e.g. tcp://127.0.0.1 (also VOLTA_BUS).")
    public var bus: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    public var logLevel: String?

    public init() {}

    /// The `--set` pairs, with the dedicated flags folded in.
    var allOverrides: [String] {
        var all = overrides
        if let bus { all.append("bus.endpoint=\(bus)") }
        if let logLevel { all.append("log.level=\(logLevel)") }
        return all
    }
}
