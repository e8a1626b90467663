import Foundation
import Messages
import StrategyKit

/// The daily put seller (the plan "IBKR SPY Put Selling Bot", ../shared/seeds/002): once a
/// session, at a set time, it sells to open the put nearest a target delta in the expiry nearest
/// a target DTE, at the mid with IB's Adaptive algo; an unfilled entry is cancelled after a timeout
/// and tried once more with Adaptive Urgent, then the day is skipped with an alert. Once it fills,
/// a take profit and a stop loss in their own OCA group (the two-step entry of the plan's decision
/// log). Each session, before the sale, its short puts are rolled by ThetaGang's rules
/// (``PutRoll``) and the shares an assignment delivered are sold, unless kept (PutSeller+Rolls).
public struct PutSeller: Strategy {
    public let name = "putseller"
    public private(set) var settings: PutSellerSettings.Values
    public var feeds: Set<StrategyFeed> {
        Set([.underlyingQuotes, .stats, .positions, .fills] + settings.symbols.map { StrategyFeed.optionQuotes(underlying: $0) })
    }
    var underlying: [String: Double] = [:]
    var previousClose: [String: Double] = [:]
    var realizedVol: [String: Double] = [:]
    var chains: [String: [String: Volta_V1_OptionQuote]] = [:]
    /// Short puts held, by underlying and contract: what the cap counts and the rolls manage.
    var shortPuts: [String: [String: Volta_V1_Position]] = [:]
    /// Shares held, by symbol, and how many of them assignments delivered (to sell, or keep).
    var shares: [String: Volta_V1_Position] = [:]
    var assigned: [String: Int64] = [:]
    /// Rolls (and closes after a failed roll) in flight: intent id → the old contract.
    var rolling: [String: String] = [:]
    /// The chains asked of the broker (once a day per underlying, PutSeller+Chain), by the day's
    /// sale id: where each stands.
    var chainAsks: [String: ChainAsk] = [:]
    /// The day's sales sent (their ids): a chain that comes for a roll does not make another.
    var entered: Set<String> = []

    public init(settings: PutSellerSettings.Values) {
        self.settings = settings
    }

    /// The routine moves to its new time; the day's sale, if already made, is not made again (its
    /// intent id is the day's).
    public mutating func adoptSettings(of fresh: PutSeller, _ context: StrategyContext) -> [StrategyAction]? {
        settings = fresh.settings
        return settings.symbols.map { nextRoutine($0, after: context.now, calendar: context.calendar) }
    }

    public mutating func handle(_ event: StrategyEvent, _ context: StrategyContext) -> [StrategyAction] {
        switch event {
        case .start:
            return settings.symbols.map { firstRoutine($0, at: context.now, calendar: context.calendar) }
        case .underlyingQuote(let q) where settings.symbols.contains(q.symbol) && !q.stale && q.referencePrice > 0:
            underlying[q.symbol] = q.referencePrice
        case .stats(let s) where settings.symbols.contains(s.symbol):
            if s.last > 0 { previousClose[s.symbol] = s.last }
            if s.realizedVol20D > 0 { realizedVol[s.symbol] = s.realizedVol20D }
        case .optionQuote(let q) where settings.symbols.contains(q.contract.underlying):
            chains[q.contract.underlying, default: [:]][Topics.optionQuote(q.contract)] = q
        case .position(let p) where p.instrument.hasOption && p.instrument.option.right == .put && settings.symbols.contains(p.instrument.symbol):
            shortPuts[p.instrument.symbol, default: [:]][p.instrument.displayName] = p.quantity < 0 ? p : nil
        case .position(let p) where !p.instrument.hasOption && settings.symbols.contains(p.instrument.symbol):
            shares[p.instrument.symbol] = p.quantity != 0 ? p : nil
        case .fill(let f):
            noteAssignment(f)
        case .intentReport(let e):
            return follow(e, now: context.now)
        case .timer(let id) where id.hasPrefix("routine-"):
            let symbol = String(id.dropFirst("routine-".count))
            return session(symbol, context, force: false) + [nextRoutine(symbol, after: context.now, calendar: context.calendar)]
        case .runNow(let force):
            return settings.symbols.flatMap { session($0, context, force: force) }
        case .chain(let id, let snapshot):
            return chainCame(id, snapshot, failure: nil, context)
        case .chainFailed(let id, let reason):
            return chainCame(id, nil, failure: reason, context)
        default:
            break
        }
        return []
    }

    /// At start: today's routine, 10 s from now (the quotes and the chain come in meanwhile), when
    /// its time has passed and the session still takes entries: a stack started mid-session sells
    /// today, and a worker restarted after today's sale places nothing (the intent id is the
    /// day's). Otherwise the next routine.
    func firstRoutine(_ symbol: String, at now: Int64, calendar: any ExchangeCalendar) -> StrategyAction {
        let catchUp = now + 10_000_000_000
        if calendar.isOpen(at: now) {
            let s = calendar.session(atOrAfter: now)
            let at = s.open + Int64(settings.minutesAfterOpen) * 60_000_000_000
            if at <= now && catchUp <= lastEntry(s, calendar) {
                return .timer(id: "routine-\(symbol)", at: catchUp)
            }
        }
        return nextRoutine(symbol, after: now, calendar: calendar)
    }

    /// The routine's next time: `minutesAfterOpen` into the next session (so 09:31 by default),
    /// and never within `noEntryBeforeCloseMinutes` of its close.
    func nextRoutine(_ symbol: String, after now: Int64, calendar: any ExchangeCalendar) -> StrategyAction {
        var from = now
        while true {
            let s = calendar.session(atOrAfter: from)
            let at = s.open + Int64(settings.minutesAfterOpen) * 60_000_000_000
            if at > now && at <= lastEntry(s, calendar) {
                return .timer(id: "routine-\(symbol)", at: at)
            }
            from = max(s.close, from) + 60_000_000_000
        }
    }

    /// The latest an entry may go in `s`: `noEntryBeforeCloseMinutes` before a real close; on a
    /// market open around the clock, up to midnight (a stack started at 23:40 sells at once).
    func lastEntry(_ s: (open: Int64, close: Int64), _ calendar: any ExchangeCalendar) -> Int64 {
        calendar.closes ? s.close - Int64(settings.noEntryBeforeCloseMinutes) * 60_000_000_000 : s.close
    }

    /// The session's work for `symbol`, scheduled or run now (`force`: with the market closed):
    /// the assigned shares, the rolls, then the day's sale.
    mutating func session(_ symbol: String, _ context: StrategyContext, force: Bool) -> [StrategyAction] {
        guard force || context.calendar.isOpen(at: context.now) else { return [] }
        return sellAssignedShares(symbol, context) + rolls(symbol, context) + routine(symbol, context)
    }

    /// One session's sale for `symbol`: an intent, or why not (in the state). When nothing that
    /// streams qualifies, the target expiry's chain is asked of the broker once, and the sale is
    /// chosen again when it comes.
    mutating func routine(_ symbol: String, _ context: StrategyContext) -> [StrategyAction] {
        let day = Self.day(context.now)
        let id = saleID(symbol, now: context.now)
        let open = shortPuts[symbol]?.count ?? 0
        guard open < settings.maxOpenPositions else {
            return [state(symbol, id, "skipped", "\(open) short puts open: the cap is \(settings.maxOpenPositions)", context.now)]
        }
        guard let spot = underlying[symbol] else {
            return [.alert(level: .warning, message: "no \(symbol) quote at the routine: skipped \(day)", owner: symbol)]
        }
        if let gate = writeGate(symbol, spot: spot) { return [state(symbol, id, "skipped", gate, context.now)] }
        let selection = PutSelection(settings: settings, now: context.now)
        let chain = Array(chains[symbol, default: [:]].values)
        guard let pick = selection.choose(chain) else {
            let why = selection.whyNone(chain)
            guard settings.askChain else { return [state(symbol, id, "skipped", why, context.now)] }
            switch chainStep(symbol, spot: spot, now: context.now) {
            case .ask(let ask):
                return [ask, state(symbol, id, "selecting", "\(why) among the streamed quotes: asked the broker for the chain", context.now)]
            case .waiting:
                return [state(symbol, id, "selecting", "\(why) among the streamed quotes: waiting for the broker's chain", context.now)]
            case .answered(let failure):
                return [state(symbol, id, "skipped", failure.map { "the broker's chain did not come: \($0)" } ?? why, context.now)]
            }
        }
        let quantity = settings.contracts(strike: Double(pick.contract.strikeMicros) / 1e6)
        guard quantity > 0 else {
            return [state(symbol, id, "skipped", "the capital allowed does not secure one contract at \(pick.contract.strikeMicros / 1_000_000)", context.now)]
        }
        let limit = PutSelection.saleLimitMicros(pick)
        var intent = Volta_V1_OrderIntent.openingOption(id, strategy: name, instance: settings.instance, contract: pick.contract,
                                                        side: .sell, quantity: quantity)
        intent.orderType = .limit
        intent.priceAsGiven = true
        intent.limitPriceMicros = limit
        intent.expectedPriceMicros = intent.limitPriceMicros
        intent.tif = .day
        intent.algo = "adaptive"
        intent.algoPriority = settings.algoPriority
        intent.reason = "daily_put_sale"
        intent.selection = selection.record(pick, spot: spot)
        intent.createdNs = context.now
        intent.timeout = Volta_V1_EntryTimeout.with {
            $0.seconds = Int32(settings.entryTimeoutSeconds)
            $0.retries = 1
            $0.retryAfterSeconds = Int32(settings.retryAfterSeconds)
            $0.retryAlgoPriority = "urgent"
        }
        intent.bracket = Volta_V1_Bracket.with {
            $0.takeProfitRatio = 1 - settings.takeProfit
            $0.stopLossRatio = 1 + settings.stopLoss
            $0.tif = .gtc
            $0.afterFill = true
        }
        let delta = String(format: "%.3f", pick.greeks.delta)
        entered.insert(id)
        return [.submit(intent, owner: symbol),
                state(symbol, id, "entering", "sell \(quantity) \(intent.legs[0].instrument.displayName) at \(String(format: "%.2f", Double(limit) / 1e6)) (delta \(delta))", context.now)]
    }

    /// ThetaGang's optional write gates: only on down days, or only after a move of at least N sigmas.
    func writeGate(_ symbol: String, spot: Double) -> String? {
        guard settings.downDaysOnly || settings.minMoveSigmas > 0 else { return nil }
        guard let close = previousClose[symbol], close > 0 else { return "no previous close for the write gate" }
        let move = spot / close - 1
        if settings.downDaysOnly && move >= 0 { return String(format: "up %.2f%% today: writes only on down days", move * 100) }
        if settings.minMoveSigmas > 0, let vol = realizedVol[symbol], vol > 0 {
            let sigmas = abs(move) / (vol / 252.0.squareRoot())
            if sigmas < settings.minMoveSigmas { return String(format: "a %.2f σ move: the gate is %.2f σ", sigmas, settings.minMoveSigmas) }
        }
        return nil
    }

    /// The entry's end: filled (its exits follow from execution), or given up after the retry.
    mutating func follow(_ e: Volta_V1_IntentExecution, now: Int64) -> [StrategyAction] {
        guard e.strategy == name else { return [] }
        if rolling[e.intentID] != nil { return followRoll(e, now: now) }
        if e.intentID.contains("-assigned-") { return followShareSale(e, now: now) }
        let symbol = e.instrument.split(separator: " ").first.map(String.init) ?? ""
        let ended = e.stage == .stageDone || e.stage == .stageRiskRejected
        if e.parentIntentID.isEmpty {
            guard ended else { return [] }
            if e.filledQuantity == 0 {
                let why = e.riskReasonCode.isEmpty ? e.reason : e.riskReasonCode
                return [state(symbol, e.intentID, "skipped", "not filled after the retry: \(why)", now),
                        .alert(level: .warning, message: "\(e.intentID) not filled (\(why)): no put sold today", owner: symbol)]
            }
            return [state(symbol, e.intentID, "open", "sold \(e.filledQuantity) \(e.instrument) at \(Double(e.avgFillPriceMicros) / 1e6)", now)]
        }
        guard ended, e.orderState == .filled else { return [] }
        return [state(symbol, e.parentIntentID, "closed", "\(e.role) filled at \(Double(e.avgFillPriceMicros) / 1e6)", now)]
    }

    func state(_ symbol: String, _ key: String, _ status: String, _ summary: String, _ now: Int64) -> StrategyAction {
        .publish(Volta_V1_StrategyState.with {
            $0.strategy = name
            $0.instance = settings.instance
            $0.key = Topics.key(key)
            $0.ownerKey = symbol
            $0.status = status
            $0.summary = summary
            $0.updatedNs = now
        })
    }

    /// The session's date in New York, yyyymmdd: one entry per symbol and day, whoever runs it.
    static func day(_ ns: Int64) -> String {
        let c = NewYorkDate.components(ns)
        return String(format: "%04d%02d%02d", c.year, c.month, c.day)
    }
}
