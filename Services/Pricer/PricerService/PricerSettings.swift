import Foundation
import ServiceKit

/// The `pricer.*` keys, validated at start like every Volta setting.
public enum PricerSettings {
    public static let model = Setting<String>.choice(
        "pricer.model", default: PricingModel.bs.rawValue, of: PricingModel.allCases.map(\.rawValue),
        help: "The model for chain IVs, theos and greeks (bs, baw, bjs2002).")
    public static let rate = Setting<Double>.number(
        "pricer.rate", default: 0.04, in: -0.1...0.5, help: "The continuously compounded risk-free rate.")
    public static let dividendYields = Setting<[String: Double]>.symbolMap(
        "pricer.dividend_yields", range: 0...0.5, example: "SPY=0.013,QQQ=0.006",
        help: "Continuous dividend yield per underlying; the others use pricer.dividend_yield.")
    public static let dividendYield = Setting<Double>.number(
        "pricer.dividend_yield", default: 0, in: 0...0.5, help: "The dividend yield of an underlying not in pricer.dividend_yields.")
    public static let refitMilliseconds = Setting<Int>.integer(
        "pricer.refit_ms", default: 1_000, in: 10...600_000,
        help: "Least time between two SVI fits of one expiry; theos use the last fit meanwhile.")
    public static let refreshMilliseconds = Setting<Int>.integer(
        "pricer.refresh_ms", default: 60_000, in: 1_000...3_600_000,
        help: "Period of a full recompute of the owned chains, so that time decay shows without a quote.")
    public static let coalesceMilliseconds = Setting<Int>.integer(
        "pricer.coalesce_ms", default: 0, in: 0...1_000,
        help: "Wait this long after a quote before refreshing, so a burst is refreshed once and an order's path runs first (0: at once).")
    public static let snapshotFromMarketdata = Setting<Bool>.flag(
        "pricer.snapshot_on_start", default: true,
        help: "Ask marketdata for a snapshot of the quotes at start, instead of waiting for each to change.")

    public static let all: [any AnySetting] = [model, rate, dividendYields, dividendYield, refitMilliseconds,
                                               refreshMilliseconds, coalesceMilliseconds, snapshotFromMarketdata]
}

/// The pricer's settings, read once.
public struct PricerConfiguration: Sendable {
    public var model: PricingModel = .bs
    public var rate = 0.04
    public var dividendYields: [String: Double] = [:]
    public var dividendYield = 0.0
    /// Least nanoseconds between two fits of one expiry.
    public var refitIntervalNs: Int64 = 1_000_000_000
    public var refreshIntervalNs: Int64 = 60_000_000_000
    /// Bus time between a wake and the refresh it causes: the burst's other quotes join it, and
    /// the work the same quote set off elsewhere (a stop's exit) is not queued behind a whole
    /// chain's reprice.
    public var coalesceNs: Int64 = 0
    public var snapshotOnStart = true

    public init() {}

    public init(_ context: ServiceContext) throws {
        model = PricingModel(rawValue: try context.value(PricerSettings.model)) ?? .bs
        rate = try context.value(PricerSettings.rate)
        dividendYields = try context.value(PricerSettings.dividendYields)
        dividendYield = try context.value(PricerSettings.dividendYield)
        refitIntervalNs = Int64(try context.value(PricerSettings.refitMilliseconds)) * 1_000_000
        refreshIntervalNs = Int64(try context.value(PricerSettings.refreshMilliseconds)) * 1_000_000
        coalesceNs = Int64(try context.value(PricerSettings.coalesceMilliseconds)) * 1_000_000
        snapshotOnStart = try context.value(PricerSettings.snapshotFromMarketdata)
    }

    public func dividendYield(of symbol: String) -> Double { dividendYields[symbol] ?? dividendYield }
}
