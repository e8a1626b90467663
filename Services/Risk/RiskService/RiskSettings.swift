import ServiceKit
import Trading

/// The `risk.*` keys: the limits (0 turns one off), the mode and the kill switch at start.
public enum RiskSettings {
    static let d = RiskLimits()
    public static let maxOrderQuantity = Setting<Int>.integer("risk.max_order_quantity", default: Int(d.maxOrderQuantity), in: 0...1_000_000,
                                                              help: "Contracts or shares in one order that adds risk.")
    public static let maxPositionShare = Setting<Double>.number("risk.max_position_share", default: d.maxPositionShare, in: 0...100,
                                                                help: "One underlying's delta-adjusted exposure over net liquidation.")
    public static let maxDailyLoss = Setting<Double>.number("risk.max_daily_loss", default: d.maxDailyLoss, in: 0...1e12,
                                                            help: "Loss since the day's start (net liquidation) at which new risk stops.")
    public static let maxOpenPositions = Setting<Int>.integer("risk.max_open_positions", default: d.maxOpenPositions, in: 0...100_000,
                                                              help: "Positions open at once.")
    public static let maxGrossExposure = Setting<Double>.number("risk.max_gross_exposure", default: d.maxGrossExposure, in: 0...1000,
                                                                help: "Gross delta-adjusted exposure as a multiple of risk.capital.")
    public static let capital = Setting<Double>.number("risk.capital", default: d.capital, in: 0...1e12, help: "The capital gross exposure is measured against.")
    public static let minAccountBalance = Setting<Double>.number("risk.min_account_balance", default: d.minAccountBalance, in: 0...1e12,
                                                                 help: "Net liquidation under which new risk stops.")
    public static let maxLeverage = Setting<Double>.number("risk.max_leverage", default: d.maxLeverage, in: 0...1000,
                                                           help: "Gross exposure over net liquidation.")
    public static let vixCircuitBreaker = Setting<Double>.number("risk.vix_circuit_breaker", default: d.vixCircuitBreaker, in: 0...500,
                                                                 help: "VIX at or above which new risk stops.")
    public static let maxOrdersPerMinute = Setting<Int>.integer("risk.max_orders_per_minute", default: d.maxOrdersPerMinute, in: 0...100_000,
                                                                help: "Orders approved per rolling minute before new ones wait.")
    public static let mode = Setting<String>.choice("risk.mode", default: OperatingMode.auto.rawValue, of: OperatingMode.allCases.map(\.rawValue),
                                                    help: "confirm: every intent waits for an operator; window: goes out after risk.window_ms unless vetoed; auto: at once.")
    public static let windowMilliseconds = Setting<Int>.integer("risk.window_ms", default: 10_000, in: 0...3_600_000,
                                                                help: "The cancel window of the window mode.")
    public static let killSwitch = Setting<String>.choice("risk.kill_switch", default: "active", of: KillSwitch.allCases.map { $0.rawValue.lowercased() },
                                                          help: "The kill switch at start.")
    public static let indexSymbol = Setting<String>.text("risk.index", default: "SPX", accepted: "a symbol", help: "The index deltas are beta-weighted to.")
    public static let stateMilliseconds = Setting<Int>.integer("risk.state_ms", default: 1_000, in: 50...600_000, help: "How often risk.state is published.")
    public static let keepDecisionsHours = Setting<Int>.integer("risk.keep_decisions_hours", default: 24, in: 1...720,
                                                                help: "How long a final decision is remembered and answered again as it was.")

    public static let all: [any AnySetting] = [maxOrderQuantity, maxPositionShare, maxDailyLoss, maxOpenPositions, maxGrossExposure, capital,
                                               minAccountBalance, maxLeverage, vixCircuitBreaker, maxOrdersPerMinute, mode, windowMilliseconds,
                                               killSwitch, indexSymbol, stateMilliseconds, keepDecisionsHours]

    public static func book(_ c: ServiceContext) throws -> RiskBook {
        var l = RiskLimits()
        l.maxOrderQuantity = Int64(try c.value(maxOrderQuantity))
        l.maxPositionShare = try c.value(maxPositionShare)
        l.maxDailyLoss = try c.value(maxDailyLoss)
        l.maxOpenPositions = try c.value(maxOpenPositions)
        l.maxGrossExposure = try c.value(maxGrossExposure)
        l.capital = try c.value(capital)
        l.minAccountBalance = try c.value(minAccountBalance)
        l.maxLeverage = try c.value(maxLeverage)
        l.vixCircuitBreaker = try c.value(vixCircuitBreaker)
        l.maxOrdersPerMinute = try c.value(maxOrdersPerMinute)
        return RiskBook(limits: l, killSwitch: KillSwitch(rawValue: try c.value(killSwitch).uppercased()) ?? .active,
                        mode: OperatingMode(rawValue: try c.value(mode)) ?? .auto,
                        windowNs: Int64(try c.value(windowMilliseconds)) * 1_000_000, indexSymbol: try c.value(indexSymbol))
    }
}
