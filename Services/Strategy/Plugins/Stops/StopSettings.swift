import Foundation
import ServiceKit
import StrategyService
import Trading

/// The stop manager's keys, `strategy.stops.*`. A profile gives every stop parameter; each key
/// below overrides one.
public enum StopSettings {
    public static let instance = Setting<String>.text(
        "strategy.stops.instance", default: "stops", accepted: "a name", help: "The stop manager's instance name, in its intents and states.")
    public static let profile = Setting<String>.choice(
        "strategy.stops.profile", default: StopProfile.paper.name, of: StopProfile.all.map(\.name),
        help: "The seed's parameter sets: paper (k 1.0, floor 4%), live-conservative (k 0.7, floor 6%), live-aggressive (k 1.5, floor 8%).")
    public static let k = optionalNumber("strategy.stops.k", in: 0.05...10, help: "Aggression: trail = k × β × σ_index × m(DTE).")
    public static let minTrail = optionalNumber("strategy.stops.min_trail", in: 0...1, help: "The floor of the trail, a fraction of the underlying.")
    public static let maxTrail = optionalNumber("strategy.stops.max_trail", in: 0.001...1, help: "The cap of the trail.")
    public static let dteAbove30 = optionalNumber("strategy.stops.dte_above_30", in: 0.1...10, help: "m(DTE) above 30 days.")
    public static let dte7To30 = optionalNumber("strategy.stops.dte_7_30", in: 0.1...10, help: "m(DTE) from 7 to 30 days.")
    public static let dteUnder7 = optionalNumber("strategy.stops.dte_under_7", in: 0.1...10, help: "m(DTE) below 7 days.")
    public static let allow = symbolList("strategy.stops.allow", help: "Underlyings managed (empty: all).")
    public static let deny = symbolList("strategy.stops.deny", help: "Underlyings never managed.")
    public static let minQuantity = Setting<Int>.integer(
        "strategy.stops.min_quantity", default: 1, in: 1...100_000, help: "Positions smaller than this many contracts are left alone.")
    public static let indexSymbol = Setting<String>.text(
        "strategy.stops.index", default: "SPX", accepted: "a symbol", help: "The index whose ATR sizes stops when the VIX is missing.")

    public static let all: [any AnySetting] = [instance, profile, k, minTrail, maxTrail, dteAbove30, dte7To30, dteUnder7,
                                               allow, deny, minQuantity, indexSymbol]

    /// The stop manager as the host runs it: its settings, and a strategy made from them.
    public static let plugin = StrategyPlugin(name: "stops", settings: all, fixed: [instance.key, indexSymbol.key]) { context in
        StopManager(book: StopBook(profile: try stopProfile(context), instance: try context.value(instance),
                                   worker: context.identity.instance, indexSymbol: try context.value(indexSymbol)))
    }

    /// The profile named by `strategy.stops.profile` with every override applied.
    public static func stopProfile(_ context: ServiceContext) throws -> StopProfile {
        var p = StopProfile.named(try context.value(profile)) ?? .paper
        if let v = try context.value(k) { p.k = v }
        if let v = try context.value(minTrail) { p.minTrail = v }
        if let v = try context.value(maxTrail) { p.maxTrail = v }
        if let v = try context.value(dteAbove30) { p.dte.above30 = v }
        if let v = try context.value(dte7To30) { p.dte.from7To30 = v }
        if let v = try context.value(dteUnder7) { p.dte.under7 = v }
        p.allow = Set(try context.value(allow))
        p.deny = Set(try context.value(deny))
        p.minQuantity = Int64(try context.value(minQuantity))
        guard p.minTrail <= p.maxTrail else {
            throw ConfigurationError(key: minTrail.key, value: "\(p.minTrail)", origin: "profile \(p.name) and overrides",
                                     accepted: "a floor no higher than strategy.stops.max_trail (\(p.maxTrail))")
        }
        return p
    }

    static func optionalNumber(_ key: String, in range: ClosedRange<Double>, help: String) -> Setting<Double?> {
        Setting<Double?>(key, default: nil, accepted: "a number from \(range.lowerBound) to \(range.upperBound)", help: help,
                         parse: { text in
            guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite, range.contains(v) else { return nil }
            return .some(v)
        }, format: { $0.map { "\($0)" } ?? "(the profile's)" })
    }

    static func symbolList(_ key: String, help: String) -> Setting<[String]> {
        Setting<[String]>(key, default: [], accepted: "symbols separated by commas", help: help, parse: { text in
            let symbols = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return symbols.allSatisfy({ $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." } }) ? symbols : nil
        }, format: { $0.joined(separator: ",") })
    }
}
