import Foundation
import Messages
import StrategyKit

/// The example plug-in (docs/writing-a-strategy.md): on a timer, while the market is open and
/// fewer than `maxOpen` of its positions are open, it buys the option on `symbol` nearest
/// `targetDays` to expiry and `moneyness` × the underlying, at the ask, with a two-step bracket:
/// once the entry fills, a take profit at `takeProfit` × the fill and a stop at `stopLoss` × it,
/// in one OCA group (or no bracket, leaving the exits to the stop manager). With `monthly`, it
/// enters once a month instead, `minutesAfterOpen` into the month's first session, and with a
/// `targetDelta` it picks the strike by the quote's delta (the backtest's monthly 30-delta call).
/// With `closeDays`, it sells what its entries bought once that many days or fewer are left to
/// expiry, checked `minutesAfterOpen` into each session: held to expiry, a call in the money is
/// exercised into shares the account may not want.
/// Small on purpose: it shows the whole seam (feeds, timers, the calendar,
/// intents, reports, state) in one screen.
public struct TimedBracket: Strategy {
    public struct Settings: Sendable, Equatable {
        public var instance = "timed-bracket"
        public var symbol = "SPY"
        public var periodNs: Int64 = 3_600_000_000_000
        public var right: Volta_V1_Right = .call
        public var targetDays = 30
        public var moneyness = 1.0
        public var quantity: Int64 = 1
        public var takeProfit = 1.5
        public var stopLoss = 0.5
        public var maxOpen = 1
        public var marketHoursOnly = true
        /// Once a month, in its first session, instead of every `periodNs`.
        public var monthly = false
        public var minutesAfterOpen = 30
        /// The |delta| sought (0: by `moneyness`).
        public var targetDelta = 0.0
        /// Take profit and stop loss after the fill; without, the position's exits are others'.
        public var bracket = true
        /// Close what it bought at this many days to expiry or fewer (0: hold to expiry).
        public var closeDays = 0
        public init() {}
    }

    public let name = "timed-bracket"
    public private(set) var settings: Settings
    public var feeds: Set<StrategyFeed> { [.underlyingQuotes, .optionQuotes(underlying: settings.symbol), .positions] }
    var underlying: Double?
    /// The chain as quoted, by contract.
    var chain: [String: Volta_V1_OptionQuote] = [:]
    /// Entries not yet over (unfilled, working, or filled with an exit still open), by intent id.
    var open: Set<String> = []
    /// The contracts its entries bought, by display name: only these are closed before expiry.
    var bought: Set<String> = []
    /// The broker's positions in those contracts.
    var held: [String: Volta_V1_Position] = [:]
    /// Closes sent and not yet ended, by contract.
    var closing: Set<String> = []

    public init(settings: Settings) {
        self.settings = settings
    }

    /// The entry's timer (and the expiry check) set again for the new period and times.
    public mutating func adoptSettings(of fresh: TimedBracket, _ context: StrategyContext) -> [StrategyAction]? {
        settings = fresh.settings
        return timers(context)
    }

    func timers(_ context: StrategyContext) -> [StrategyAction] {
        [nextTimer(after: context.now, calendar: context.calendar)]
            + (settings.closeDays > 0 ? [nextExpiryCheck(after: context.now, calendar: context.calendar)] : [])
    }

    public mutating func handle(_ event: StrategyEvent, _ context: StrategyContext) -> [StrategyAction] {
        switch event {
        case .start:
            return timers(context)
        case .position(let p) where p.instrument.hasOption && p.instrument.symbol == settings.symbol:
            if p.quantity > 0 { held[p.instrument.displayName] = p } else { held[p.instrument.displayName] = nil }
        case .timer(id: "expiry-check"):
            return closeBeforeExpiry(context) + [nextExpiryCheck(after: context.now, calendar: context.calendar)]
        case .underlyingQuote(let q) where q.symbol == settings.symbol && !q.stale && q.referencePrice > 0:
            underlying = q.referencePrice
        case .optionQuote(let q) where q.contract.underlying == settings.symbol:
            chain[Topics.optionQuote(q.contract)] = q
        case .intentReport(let e):
            return follow(e, now: context.now)
        case .timer(id: "entry"):
            return entry(context) + [nextTimer(after: context.now, calendar: context.calendar)]
        case .runNow(let force):
            return entry(context, force: force)
        default:
            break
        }
        return []
    }

    /// The entry timer fires at each multiple of the period: every worker computes the same
    /// times, so the intent ids derived from them agree across a handover.
    func nextTimer(after now: Int64, calendar: any ExchangeCalendar) -> StrategyAction {
        guard settings.monthly else { return .timer(id: "entry", at: (now / settings.periodNs + 1) * settings.periodNs) }
        let offset = Int64(settings.minutesAfterOpen) * 60_000_000_000
        var month = NewYorkDate.monthStart(of: now, monthsAhead: 0)
        while true {
            let at = calendar.session(atOrAfter: month).open + offset
            if at > now { return .timer(id: "entry", at: at) }
            month = NewYorkDate.monthStart(of: month, monthsAhead: 1)
        }
    }

    /// `minutesAfterOpen` into the next session that has not reached that point yet.
    func nextExpiryCheck(after now: Int64, calendar: any ExchangeCalendar) -> StrategyAction {
        let offset = Int64(settings.minutesAfterOpen) * 60_000_000_000
        var session = calendar.session(atOrAfter: now)
        while session.open + offset <= now { session = calendar.session(atOrAfter: session.close + 1) }
        return .timer(id: "expiry-check", at: session.open + offset)
    }

    /// A close for each position its entries bought with `closeDays` or fewer left, one intent
    /// per contract and day (a day order unfilled at the close is tried again the next session).
    mutating func closeBeforeExpiry(_ context: StrategyContext) -> [StrategyAction] {
        let c = NewYorkDate.components(context.now)
        let day = c.year * 10_000 + c.month * 100 + c.day
        var actions: [StrategyAction] = []
        for (name, p) in held.sorted(by: { $0.key < $1.key }) where bought.contains(name) && !closing.contains(name) {
            guard let days = NewYorkDate.days(from: context.now, to: p.instrument.option.expiry), days <= settings.closeDays else { continue }
            let id = "\(self.name)-\(Topics.key(settings.instance))-close-\(Topics.key(name))-\(day)"
            closing.insert(name)
            actions.append(.submit(.closing(p, id: id, strategy: self.name, instance: settings.instance, reason: "closed_before_expiry",
                                            now: context.now), owner: settings.symbol))
            actions.append(state(id, "closing", "sell \(p.quantity) \(name): \(days) day(s) to expiry", now: context.now))
        }
        return actions
    }

    /// The entry's period: the month (yyyymm in New York) or the period's index.
    func period(_ now: Int64) -> String {
        guard settings.monthly else { return "\(now / settings.periodNs)" }
        let c = NewYorkDate.components(now)
        return "\(c.year * 100 + c.month)"
    }

    func entry(_ context: StrategyContext, force: Bool = false) -> [StrategyAction] {
        let id = "\(name)-\(Topics.key(settings.instance))-\(Topics.key(settings.symbol))-\(period(context.now))"
        guard open.count < settings.maxOpen, !open.contains(id) else { return [] }
        guard force || !settings.marketHoursOnly || context.calendar.isOpen(at: context.now) else { return [] }
        guard let underlying, let quote = select(underlying: underlying, now: context.now) else {
            return [.alert(level: .info, message: "no \(settings.symbol) option quoted to buy yet", owner: settings.symbol)]
        }
        var intent = Volta_V1_OrderIntent.openingOption(id, strategy: name, instance: settings.instance, contract: quote.contract,
                                                        side: .buy, quantity: settings.quantity)
        intent.orderType = .limit
        intent.priceAsGiven = true
        intent.limitPriceMicros = Int64((quote.ask * 1_000_000).rounded())
        intent.expectedPriceMicros = intent.limitPriceMicros
        intent.tif = .day
        intent.reason = "timed_entry"
        intent.createdNs = context.now
        if settings.bracket {
            intent.bracket = Volta_V1_Bracket.with {
                $0.takeProfitRatio = settings.takeProfit
                $0.stopLossRatio = settings.stopLoss
                $0.afterFill = true
            }
        }
        return [.submit(intent, owner: settings.symbol), state(id, "entering", "buy \(settings.quantity) \(intent.legs[0].instrument.displayName) at \(quote.ask)", now: context.now)]
    }

    /// The quoted option of the configured right nearest the target expiry and strike.
    func select(underlying: Double, now: Int64) -> Volta_V1_OptionQuote? {
        let day = ISO8601DateFormatter.string(from: Date(timeIntervalSince1970: Double(now) / 1e9 + Double(settings.targetDays) * 86_400),
                                              timeZone: TimeZone(identifier: "America/New_York") ?? .current,
                                              formatOptions: [.withFullDate])
        let candidates = chain.values.filter { $0.contract.right == settings.right && $0.bid > 0 && $0.ask > $0.bid && !$0.stale }
        let strike = underlying * settings.moneyness
        func distance(_ q: Volta_V1_OptionQuote) -> Double {
            settings.targetDelta > 0 ? abs(abs(q.greeks.delta) - settings.targetDelta) : abs(Double(q.contract.strikeMicros) / 1e6 - strike)
        }
        return candidates.min { a, b in
            let da = abs(Self.days(a.contract.expiry, day)), db = abs(Self.days(b.contract.expiry, day))
            if da != db { return da < db }
            let sa = distance(a), sb = distance(b)
            return sa != sb ? sa < sb : a.contract.strikeMicros < b.contract.strikeMicros
        }
    }

    static func days(_ a: String, _ b: String) -> Int {
        guard let x = NewYorkDate.dayNumber(a), let y = NewYorkDate.dayNumber(b) else { return Int.max / 2 }
        return x - y
    }

    /// An entry is over when it ends with nothing filled, or when one of its exits fills.
    mutating func follow(_ e: Volta_V1_IntentExecution, now: Int64) -> [StrategyAction] {
        let ended = e.stage == .stageDone || e.stage == .stageRiskRejected
        if e.intentID.hasPrefix("\(name)-\(Topics.key(settings.instance))-close-") {
            guard ended else { return [] }
            closing.remove(e.instrument)
            return [state(e.intentID, "closed", "sold \(e.filledQuantity) \(e.instrument) before expiry at \(Double(e.avgFillPriceMicros) / 1e6)", now: now)]
        }
        if e.parentIntentID.isEmpty && e.filledQuantity > 0 { bought.insert(e.instrument) }
        if e.parentIntentID.isEmpty {
            if ended && e.filledQuantity == 0 {
                guard open.remove(e.intentID) != nil else { return [] }
                return [state(e.intentID, "closed", "not filled: \(e.riskReasonCode.isEmpty ? e.reason : e.riskReasonCode)", now: now)]
            }
            open.insert(e.intentID)
            guard ended else { return [] }
            // Without a bracket nothing here ends the position: the entry is done once filled.
            if !settings.bracket { open.remove(e.intentID) }
            return [state(e.intentID, "open", "bought \(e.filledQuantity) \(e.instrument) at \(Double(e.avgFillPriceMicros) / 1e6)", now: now)]
        }
        guard ended, e.orderState == .filled, open.remove(e.parentIntentID) != nil else { return [] }
        return [state(e.parentIntentID, "closed", "\(e.role) filled at \(Double(e.avgFillPriceMicros) / 1e6)", now: now)]
    }

    func state(_ key: String, _ status: String, _ summary: String, now: Int64) -> StrategyAction {
        .publish(Volta_V1_StrategyState.with {
            $0.strategy = name
            $0.instance = settings.instance
            $0.key = Topics.key(key)
            $0.ownerKey = settings.symbol
            $0.status = status
            $0.summary = summary
            $0.updatedNs = now
            $0.removed = false
        })
    }
}
