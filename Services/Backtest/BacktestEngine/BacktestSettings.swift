import ServiceKit

/// The `backtest.*` keys of a backtest's config. The same file holds the strategies' sections
/// (`strategy.*`), risk's (`risk.*`) and execution's (`execution.*`), read by the same settings
/// the live services read, so a config that backtests is a config that trades.
public enum BacktestSettings {
    public static let scenario = Setting<String>.text(
        "backtest.scenario", default: "", accepted: "a scenario file (YAML), relative to the config's folder",
        help: "The market: a scenario with real history to replay (ops/backtest/sp500.yaml) or a simulated one.")
    public static let from = Setting<String>.text("backtest.from", default: "", accepted: "a date YYYY-MM-DD",
                                                  help: "The first session (--from wins).")
    public static let to = Setting<String>.text("backtest.to", default: "", accepted: "a date YYYY-MM-DD",
                                                help: "The last session (--to wins).")
    public static let seed = Setting<Int>.integer("backtest.seed", default: 1, in: 0...Int(Int32.max),
                                                  help: "Every random draw: the intraday paths, the fills (--seed wins).")
    public static let stepSeconds = Setting<Int>.integer(
        "backtest.step_s", default: 300, in: 1...3_600,
        help: "The bar: the market moves and orders work every this many seconds; every timer wakes on a bar.")
    public static let cash = Setting<Double>.number("backtest.cash", default: 100_000, in: 1...1e12, help: "Starting cash, dollars.")
    public static let fillSpreadFactor = Setting<Double>.number(
        "backtest.fill_k", default: 1, in: 0...1,
        help: "A crossing order buys at mid + k × half the spread and sells at mid − k × half (optopsy's convention; 1: the touch).")
    public static let commissionPerContract = Setting<Double>.number("backtest.commission_per_contract", default: 0.65, in: 0...100,
                                                                     help: "Dollars per option contract (IB's tiered start).")
    public static let minimumCommission = Setting<Double>.number("backtest.min_commission", default: 1, in: 0...100,
                                                                 help: "Dollars per option order at least (IB's minimum).")

    public static let earlyAssignment = Setting<Bool>.flag(
        "backtest.early_assignment", default: false,
        help: "Short American options more than 5% in the money within 4 days of expiry are assigned when the holder gains by it (LEAN's rule).")

    public static let all: [any AnySetting] = [scenario, from, to, seed, stepSeconds, cash, fillSpreadFactor, commissionPerContract,
                                               minimumCommission, earlyAssignment]
}
