import ServiceKit
import StrategyService

/// The example plug-in's keys, `strategy.timed_bracket.*`.
public enum TimedBracketSettings {
    public static let symbol = Setting<String>.text("strategy.timed_bracket.symbol", default: "SPY", accepted: "a symbol",
                                                    help: "The underlying whose options it buys.")
    public static let periodSeconds = Setting<Int>.integer("strategy.timed_bracket.period_s", default: 3_600, in: 1...604_800,
                                                           help: "An entry at every multiple of this many seconds (bus time).")
    public static let right = Setting<String>.choice("strategy.timed_bracket.right", default: "c", of: ["c", "p"],
                                                                help: "Calls (c) or puts (p); either case.")
    public static let targetDays = Setting<Int>.integer("strategy.timed_bracket.dte", default: 30, in: 0...730, help: "Target days to expiry.")
    public static let moneyness = Setting<Double>.number("strategy.timed_bracket.moneyness", default: 1.0, in: 0.5...1.5,
                                                         help: "The strike sought, as a multiple of the underlying.")
    public static let quantity = Setting<Int>.integer("strategy.timed_bracket.quantity", default: 1, in: 1...1_000, help: "Contracts per entry.")
    public static let takeProfit = Setting<Double>.number("strategy.timed_bracket.take_profit", default: 1.5, in: 1.01...100,
                                                          help: "The take profit, as a multiple of the entry's fill price.")
    public static let stopLoss = Setting<Double>.number("strategy.timed_bracket.stop_loss", default: 0.5, in: 0.01...0.99,
                                                        help: "The stop loss, as a multiple of the entry's fill price.")
    public static let maxOpen = Setting<Int>.integer("strategy.timed_bracket.max_open", default: 1, in: 1...100,
                                                     help: "Entries open at once at most.")
    public static let marketHoursOnly = Setting<Bool>.flag("strategy.timed_bracket.market_hours_only", default: true,
                                                           help: "Enter only while the NYSE session is open.")

    public static let monthly = Setting<Bool>.flag("strategy.timed_bracket.monthly", default: false,
                                                   help: "Enter once a month, in its first session, instead of every period_s.")
    public static let minutesAfterOpen = Setting<Int>.integer("strategy.timed_bracket.minutes_after_open", default: 30, in: 0...389,
                                                              help: "Monthly: how long after the open it enters.")
    public static let delta = Setting<Double>.number("strategy.timed_bracket.delta", default: 0, in: 0...1,
                                                     help: "The |delta| sought (0: the strike by moneyness).")
    public static let bracket = Setting<Bool>.flag("strategy.timed_bracket.bracket", default: true,
                                                   help: "A take profit and a stop loss after the fill; off leaves the exits to others (the stop manager).")

    public static let closeDays = Setting<Int>.integer("strategy.timed_bracket.close_dte", default: 0, in: 0...365,
                                                       help: "Sell what it bought at this many days to expiry or fewer (0: hold to expiry).")

    public static let all: [any AnySetting] = [symbol, periodSeconds, right, targetDays, moneyness, quantity, takeProfit, stopLoss,
                                               maxOpen, marketHoursOnly, monthly, minutesAfterOpen, delta, bracket, closeDays]

    public static let plugin = StrategyPlugin(name: "timed-bracket", settings: all, fixed: [symbol.key]) { c in
        var s = TimedBracket.Settings()
        s.symbol = try c.value(symbol)
        s.periodNs = Int64(try c.value(periodSeconds)) * 1_000_000_000
        s.right = try c.value(right) == "p" ? .put : .call
        s.targetDays = try c.value(targetDays)
        s.moneyness = try c.value(moneyness)
        s.quantity = Int64(try c.value(quantity))
        s.takeProfit = try c.value(takeProfit)
        s.stopLoss = try c.value(stopLoss)
        s.maxOpen = try c.value(maxOpen)
        s.marketHoursOnly = try c.value(marketHoursOnly)
        s.monthly = try c.value(monthly)
        s.minutesAfterOpen = try c.value(minutesAfterOpen)
        s.targetDelta = try c.value(delta)
        s.bracket = try c.value(bracket)
        s.closeDays = try c.value(closeDays)
        return TimedBracket(settings: s)
    }
}
