import ServiceKit
import StrategyKit

/// The host's own keys, `strategy.*`; each plug-in has its section (`strategy.stops.*`, …).
public enum HostSettings {
    public static let enabled = Setting<[String]>(
        "strategy.enabled", default: ["stops"], accepted: "plug-in names separated by commas",
        help: "The strategies this host runs, each with its own settings section.",
        parse: { text in
            let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return names.isEmpty || !names.allSatisfy({ $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } }) ? nil : names
        }, format: { $0.joined(separator: ",") })
    public static let resubmitMilliseconds = Setting<Int>.integer(
        "strategy.resubmit_ms", default: 1_000, in: 50...60_000,
        help: "How often a strategy's intents that have not ended are resubmitted (same id: execution answers where each stands).")

    public static let calendar = Setting<String>.choice(
        "strategy.calendar", default: "nyse", of: ["nyse", "always-open"],
        help: "The sessions strategies keep: the NYSE's (weekends, holidays, early closes), or always-open for the simulated market (each day one session, midnight to midnight).")

    public static let all: [any AnySetting] = [enabled, resubmitMilliseconds, calendar]

    public static func exchangeCalendar(_ context: ServiceContext) throws -> any ExchangeCalendar {
        try context.value(calendar) == "always-open" ? AlwaysOpenCalendar() : NYSEExchangeCalendar()
    }

    /// The enabled plug-ins, in the order `strategy.enabled` lists them.
    /// - Throws: a configuration error naming `strategy.enabled` for a name no plug-in has.
    public static func plugins(_ context: ServiceContext, known: [StrategyPlugin]) throws -> [StrategyPlugin] {
        try context.value(enabled).map { name in
            guard let plugin = known.first(where: { $0.name == name }) else {
                throw ConfigurationError(key: enabled.key, value: name, origin: "the configuration",
                                         accepted: "one of \(known.map(\.name).joined(separator: ", "))")
            }
            return plugin
        }
    }
}
