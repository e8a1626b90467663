import ServiceKit
import StrategyService

/// The put seller's keys, `strategy.putseller.*`, with the plan's and ThetaGang's defaults.
public enum PutSellerSettings {
    public struct Values: Sendable, Equatable {
        public var instance = "putseller"
        public var symbols = ["SPY"]
        public var minutesAfterOpen = 1
        public var noEntryBeforeCloseMinutes = 30
        public var targetDTE = 90
        public var dteWindow = 60...120
        public var targetDelta = 0.15
        public var deltaTolerance = 0.05
        public var minPremium = 0.50
        public var maxSpreadFraction = 0.10
        public var minOpenInterest: Int64 = 0
        public var quantity: Int64 = 1
        /// Dollars the cash-secured sizing may commit, and its share per entry (0: `quantity`).
        public var capital = 0.0
        public var capitalShare = 0.0
        public var maxOpenPositions = 5
        public var downDaysOnly = false
        /// Ask the broker for the target expiry's chain when nothing streamed qualifies, and how
        /// far below the underlying its strikes go (a share of the price).
        public var askChain = true
        public var chainBand = 0.25
        public var minMoveSigmas = 0.0
        public var algoPriority = "normal"
        public var entryTimeoutSeconds = 300
        public var retryAfterSeconds = 60
        public var takeProfit = 0.60
        public var stopLoss = 2.00
        /// ThetaGang's rolls of the short puts, each session before the sale.
        public var rolls = true
        public var roll = PutRoll()
        /// What an assignment's shares become: kept, or sold at the next routine (the default).
        public var keepAssignedShares = false
        public init() {}

        /// Contracts to sell: the fixed quantity, or as many as `capital × capitalShare` secures
        /// in cash (strike × 100 each).
        public func contracts(strike: Double) -> Int64 {
            guard capital > 0, capitalShare > 0 else { return quantity }
            return Int64((capital * capitalShare / (strike * 100)).rounded(.down))
        }
    }

    static let d = Values()
    static func key(_ k: String) -> String { "strategy.putseller.\(k)" }

    public static let instance = Setting<String>.text(key("instance"), default: d.instance, accepted: "a name", help: "This instance's name.")
    public static let symbols = Setting<[String]>(
        key("symbols"), default: d.symbols, accepted: "symbols separated by commas", help: "The underlyings it sells puts on.",
        parse: { text in
            let s = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty }
            return s.isEmpty ? nil : s
        }, format: { $0.joined(separator: ",") })
    public static let minutesAfterOpen = Setting<Int>.integer(key("minutes_after_open"), default: d.minutesAfterOpen, in: 0...389,
                                                              help: "The routine's time: this many minutes after the open (1: 09:31 New York).")
    public static let noEntryBeforeClose = Setting<Int>.integer(key("no_entry_before_close_min"), default: d.noEntryBeforeCloseMinutes, in: 0...390,
                                                                help: "Never enter within this many minutes of the close.")
    public static let targetDTE = Setting<Int>.integer(key("dte"), default: d.targetDTE, in: 1...730, help: "Target days to expiry.")
    public static let minDTE = Setting<Int>.integer(key("min_dte"), default: d.dteWindow.lowerBound, in: 0...730, help: "The expiry window's start, days.")
    public static let maxDTE = Setting<Int>.integer(key("max_dte"), default: d.dteWindow.upperBound, in: 1...730, help: "The expiry window's end, days.")
    public static let targetDelta = Setting<Double>.number(key("delta"), default: d.targetDelta, in: 0.01...0.99, help: "The |delta| sought.")
    public static let deltaTolerance = Setting<Double>.number(key("delta_tolerance"), default: d.deltaTolerance, in: 0...0.5,
                                                              help: "How far from the target delta a put may be.")
    public static let minPremium = Setting<Double>.number(key("min_premium"), default: d.minPremium, in: 0...1_000, help: "The least mid, dollars a share.")
    public static let maxSpread = Setting<Double>.number(key("max_spread"), default: d.maxSpreadFraction, in: 0...10,
                                                         help: "The widest bid/ask spread, as a share of the mid.")
    public static let minOpenInterest = Setting<Int>.integer(key("min_open_interest"), default: Int(d.minOpenInterest), in: 0...10_000_000,
                                                             help: "The least open interest, where the feed knows it.")
    public static let quantity = Setting<Int>.integer(key("quantity"), default: Int(d.quantity), in: 1...1_000, help: "Contracts per entry (fixed sizing).")
    public static let capital = Setting<Double>.number(key("capital"), default: d.capital, in: 0...1e12,
                                                       help: "Cash-secured sizing: the dollars it may commit (0: fixed quantity).")
    public static let capitalShare = Setting<Double>.number(key("capital_share"), default: d.capitalShare, in: 0...1,
                                                            help: "Cash-secured sizing: the share of the capital one entry secures.")
    public static let maxOpen = Setting<Int>.integer(key("max_open_positions"), default: d.maxOpenPositions, in: 1...1_000,
                                                     help: "Short puts open at most, per underlying.")
    public static let askChain = Setting<Bool>.flag(key("ask_chain"), default: d.askChain, help:
        "When no streamed put qualifies, ask the broker for the target expiry's chain (at IB a 90-day put lies outside the streamed window).")
    public static let chainBand = Setting<Double>.number(key("chain_band"), default: d.chainBand, in: 0.01...0.9,
                                                         help: "The asked chain's strikes: from the underlying's price down by this share of it.")
    public static let downDaysOnly = Setting<Bool>.flag(key("down_days_only"), default: false, help: "Write only when the underlying is down on the day.")
    public static let minMoveSigmas = Setting<Double>.number(key("min_move_sigmas"), default: 0, in: 0...10,
                                                             help: "Write only after a day's move of at least this many sigmas (0: off).")
    public static let algoPriority = Setting<String>.choice(key("algo_priority"), default: d.algoPriority, of: ["patient", "normal", "urgent"],
                                                            help: "The entry's Adaptive priority.")
    public static let entryTimeout = Setting<Int>.integer(key("entry_timeout_s"), default: d.entryTimeoutSeconds, in: 1...23_400,
                                                          help: "An entry with no fill is cancelled after this many seconds…")
    public static let retryAfter = Setting<Int>.integer(key("retry_after_s"), default: d.retryAfterSeconds, in: 0...3_600,
                                                        help: "…and tried once more, Adaptive Urgent, this many seconds later.")
    public static let takeProfit = Setting<Double>.number(key("take_profit"), default: d.takeProfit, in: 0.01...0.99,
                                                          help: "Buy back at (1 − this) × the sale price.")
    public static let stopLoss = Setting<Double>.number(key("stop_loss"), default: d.stopLoss, in: 0.01...100,
                                                        help: "Stop at (1 + this) × the sale price.")

    static let r = PutRoll()
    public static let rolls = Setting<Bool>.flag(key("roll"), default: true, help: "Roll the short puts by ThetaGang's rules (roll_*).")
    public static let rollPnl = Setting<Double>.number(key("roll_pnl"), default: r.pnl, in: 0...1,
                                                       help: "Roll once this share of the premium is kept (ThetaGang roll_when.pnl).")
    public static let rollDTE = Setting<Int>.integer(key("roll_dte"), default: r.dte, in: 0...365,
                                                     help: "…or at this many days to expiry or fewer (roll_when.dte)…")
    public static let rollMinPnl = Setting<Double>.number(key("roll_min_pnl"), default: r.minPnl, in: -100...1,
                                                          help: "…with at least this share of the premium kept (roll_when.min_pnl).")
    public static let rollITM = Setting<Bool>.flag(key("roll_itm"), default: r.itm, help: "Roll in-the-money puts too (roll_when.puts.itm).")
    public static let rollAlwaysITM = Setting<Bool>.flag(key("roll_always_when_itm"), default: r.alwaysWhenITM,
                                                         help: "Always roll an in-the-money put (roll_when.puts.always_when_itm).")
    public static let rollCreditOnly = Setting<Bool>.flag(key("roll_credit_only"), default: r.creditOnly, help: "Roll only for a net credit.")
    public static let rollMinCredit = Setting<Double>.number(key("roll_min_credit"), default: r.minCredit, in: 0...100,
                                                             help: "The least net credit of a roll, dollars a share.")
    public static let closeIfUnable = Setting<Bool>.flag(key("close_if_unable_to_roll"), default: r.closeIfUnable,
                                                         help: "Buy a put back when it is due a roll and none qualifies.")
    public static let assignedShares = Setting<String>.choice(key("assigned_shares"), default: "sell", of: ["sell", "keep"],
                                                              help: "The shares an assignment delivers: sold at the next routine, or kept.")

    public static let all: [any AnySetting] = [instance, symbols, minutesAfterOpen, noEntryBeforeClose, targetDTE, minDTE, maxDTE, targetDelta,
                                               deltaTolerance, minPremium, maxSpread, minOpenInterest, quantity, capital, capitalShare, maxOpen,
                                               downDaysOnly, minMoveSigmas, algoPriority, entryTimeout, retryAfter, takeProfit, stopLoss,
                                               rolls, rollPnl, rollDTE, rollMinPnl, rollITM, rollAlwaysITM, rollCreditOnly, rollMinCredit,
                                               closeIfUnable, assignedShares, askChain, chainBand]

    public static let plugin = StrategyPlugin(name: "putseller", settings: all, fixed: [instance.key, symbols.key]) { c in
        var v = Values()
        v.instance = try c.value(instance)
        v.symbols = try c.value(symbols)
        v.minutesAfterOpen = try c.value(minutesAfterOpen)
        v.noEntryBeforeCloseMinutes = try c.value(noEntryBeforeClose)
        v.targetDTE = try c.value(targetDTE)
        let (lo, hi) = (try c.value(minDTE), try c.value(maxDTE))
        guard lo <= v.targetDTE, v.targetDTE <= hi else {
            throw ConfigurationError(key: targetDTE.key, value: "\(v.targetDTE)", origin: "the configuration",
                                     accepted: "a DTE within strategy.putseller.min_dte (\(lo)) and max_dte (\(hi))")
        }
        v.dteWindow = lo...hi
        v.targetDelta = try c.value(targetDelta)
        v.deltaTolerance = try c.value(deltaTolerance)
        v.minPremium = try c.value(minPremium)
        v.maxSpreadFraction = try c.value(maxSpread)
        v.minOpenInterest = Int64(try c.value(minOpenInterest))
        v.quantity = Int64(try c.value(quantity))
        v.capital = try c.value(capital)
        v.capitalShare = try c.value(capitalShare)
        v.maxOpenPositions = try c.value(maxOpen)
        v.downDaysOnly = try c.value(downDaysOnly)
        v.askChain = try c.value(askChain)
        v.chainBand = try c.value(chainBand)
        v.minMoveSigmas = try c.value(minMoveSigmas)
        v.algoPriority = try c.value(algoPriority)
        v.entryTimeoutSeconds = try c.value(entryTimeout)
        v.retryAfterSeconds = try c.value(retryAfter)
        v.takeProfit = try c.value(takeProfit)
        v.stopLoss = try c.value(stopLoss)
        v.rolls = try c.value(rolls)
        v.roll.pnl = try c.value(rollPnl)
        v.roll.dte = try c.value(rollDTE)
        v.roll.minPnl = try c.value(rollMinPnl)
        v.roll.itm = try c.value(rollITM)
        v.roll.alwaysWhenITM = try c.value(rollAlwaysITM)
        v.roll.creditOnly = try c.value(rollCreditOnly)
        v.roll.minCredit = try c.value(rollMinCredit)
        v.roll.closeIfUnable = try c.value(closeIfUnable)
        v.keepAssignedShares = try c.value(assignedShares) == "keep"
        return PutSeller(settings: v)
    }
}
