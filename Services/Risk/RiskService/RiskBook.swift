import Messages
import ServiceKit
import Trading

/// The risk service's view of the account and the market, and the decisions it has made: plain
/// state, no bus. Decisions are idempotent per intent id: asking again answers the same, and an
/// approval counts toward the order rate once.
public struct RiskBook: Sendable {
    public var limits: RiskLimits
    /// The kill switch and the mode, each with when it was last set (bus time): of two operators'
    /// commands answered by two workers, every worker keeps the later one, whatever order they
    /// arrive in.
    var killSwitchSetting: LatestSetting<KillSwitch>
    var modeSetting: LatestSetting<OperatingMode>
    public var killSwitch: KillSwitch {
        get { killSwitchSetting.value }
        set { killSwitchSetting.value = newValue }
    }
    public var mode: OperatingMode {
        get { modeSetting.value }
        set { modeSetting.value = newValue }
    }
    public var windowNs: Int64
    public let indexSymbol: String

    var positions: [String: Volta_V1_Position] = [:]
    var netLiquidation: Double?
    var dayStart: (day: Int64, value: Double)?
    var prices: [String: Double] = [:]
    var greeks: [String: Volta_V1_Greeks] = [:]
    var betas: [String: Double] = [:]
    var vix: Double?
    var approvals: [Int64] = []
    var decisions: [String: Volta_V1_RiskDecision] = [:]
    /// What each intent waiting for an operator (or its window) would do, for the dashboard.
    var waiting: [String: Volta_V1_PendingIntent] = [:]
    var confirmed: Set<String> = []
    var vetoed: Set<String> = []
    /// When ``prune(now:keep:)`` first saw each final decision.
    var retention = Retention()
    /// Closes this worker approved that have not ended, by intent id: what each may still take
    /// off its positions. A second close of a position (an operator's flatten while a stop's exit
    /// works) is checked against what the first leaves, so that together they never flip it.
    var closesInFlight: [String: CloseInFlight] = [:]

    public init(limits: RiskLimits, killSwitch: KillSwitch = .active, mode: OperatingMode = .auto,
                windowNs: Int64 = 10_000_000_000, indexSymbol: String = "SPX") {
        self.limits = limits
        self.killSwitchSetting = LatestSetting(killSwitch)
        self.modeSetting = LatestSetting(mode)
        self.windowNs = windowNs
        self.indexSymbol = indexSymbol
    }

    // MARK: Following the account and the market

    public mutating func apply(_ p: Volta_V1_Position) {
        let key = Topics.position(account: p.account, instrument: p.instrument)
        if p.quantity == 0 { positions[key] = nil } else { positions[key] = p }
        // A close whose every position is now flat has nothing left to take: it cannot hold
        // back a close of a position opened again later, even if its own report never comes.
        if p.quantity == 0 {
            closesInFlight = closesInFlight.filter { _, close in
                close.legs.contains { leg in positions.values.contains { $0.instrument.displayName == leg.instrument } }
            }
        }
    }

    /// Execution's report of an intent: a close in flight follows its fills, and is released
    /// once it has ended (filled, cancelled, refused).
    public mutating func apply(_ report: Volta_V1_IntentExecution) {
        guard closesInFlight[report.intentID] != nil else { return }
        if report.stage == .stageDone || report.stage == .stageRiskRejected {
            closesInFlight[report.intentID] = nil
        } else {
            closesInFlight[report.intentID]?.filled = report.filledQuantity
        }
    }

    /// Net liquidation; the first value of each New York day is that day's start.
    public mutating func apply(_ v: Volta_V1_AccountValue, now: Int64) {
        guard v.key == "NetLiquidation" else { return }
        let value = Double(v.valueMicros) / 1_000_000
        netLiquidation = value
        let day = Self.newYorkDay(now)
        if dayStart?.day != day { dayStart = (day, value) }
    }

    public mutating func price(_ symbol: String, _ price: Double) {
        if price.isFinite, price > 0 { prices[symbol] = price }
    }

    public mutating func apply(_ a: Volta_V1_OptionAnalytics) {
        guard a.hasOwn, a.own.delta.isFinite else { return }
        greeks[Topics.optionAnalytics(a.contract)] = a.own
        if a.underlyingPrice > 0 { prices[a.contract.underlying] = a.underlyingPrice }
    }

    public mutating func apply(_ s: Volta_V1_UnderlyingStats) {
        if s.beta != 0 { betas[s.symbol] = s.beta }
        if s.vix > 0 { vix = s.vix }
    }

    /// Days since the epoch in New York (UTC−5; a day boundary an hour off in summer is at 23:00
    /// or 01:00, when nothing trades).
    static func newYorkDay(_ ns: Int64) -> Int64 { (ns / 1_000_000_000 - 5 * 3600) / 86_400 }

    // MARK: Exposure

    /// |Δ| × multiplier × underlying price of one unit; Δ is 1 for shares, and taken as 1 for an
    /// option the pricer has not valued yet (the conservative side). Nil without an underlying price.
    func exposurePerUnit(_ i: Volta_V1_Instrument) -> Double? {
        if let d = deltaDollarsPerUnit(i) { return abs(d) }
        guard let s = prices[i.underlyingSymbol] else { return nil }
        return Double(max(i.option.multiplier, 1)) * s
    }

    /// The signed delta dollars of one unit bought (a put's are negative); nil without an
    /// underlying price or, for an option, before the pricer has valued it.
    func deltaDollarsPerUnit(_ i: Volta_V1_Instrument) -> Double? {
        guard let s = prices[i.underlyingSymbol] else { return nil }
        guard i.hasOption else { return s }
        guard let g = greeks[Topics.optionAnalytics(i.option)] else { return nil }
        return g.delta * Double(max(i.option.multiplier, 1)) * s
    }

    public func underlyingGreeks() -> [Volta_V1_UnderlyingGreeks] {
        var by: [String: Volta_V1_UnderlyingGreeks] = [:]
        // In key order: floating-point sums in a dictionary's order would differ run to run.
        for p in positions.keys.sorted().compactMap({ positions[$0] }) {
            let i = p.instrument
            let u = i.underlyingSymbol
            var g = by[u] ?? Volta_V1_UnderlyingGreeks()
            g.underlying = u
            let q = Double(p.quantity)
            if i.hasOption {
                let m = Double(max(i.option.multiplier, 1))
                let k = greeks[Topics.optionAnalytics(i.option)] ?? Volta_V1_Greeks()
                g.delta += q * m * k.delta
                g.gamma += q * m * k.gamma
                g.vega += q * m * k.vega
                g.theta += q * m * k.theta
                g.notional += abs(q) * (exposurePerUnit(i) ?? 0)
            } else {
                g.delta += q
                g.notional += abs(q) * (prices[u] ?? 0)
            }
            by[u] = g
        }
        let index = prices[indexSymbol]
        return by.keys.sorted().map { u in
            var g = by[u]!
            g.beta = betas[u] ?? (u == indexSymbol ? 1 : 0)
            if let s = prices[u], let index, index > 0 { g.betaWeightedDelta = g.delta * s * g.beta / index }
            return g
        }
    }

    public func portfolio(now: Int64) -> PortfolioFacts {
        // An underlying with an option position the pricer has not valued has no known net delta:
        // an order on it is counted at its whole exposure.
        let unvalued = Set(positions.values.map(\.instrument)
            .filter { $0.hasOption && greeks[Topics.optionAnalytics($0.option)] == nil }.map(\.underlyingSymbol))
        var exposure: [String: Double] = [:], deltaDollars: [String: Double] = [:]
        for g in underlyingGreeks() {
            exposure[g.underlying] = abs(g.delta) * (prices[g.underlying] ?? 0)
            if let s = prices[g.underlying], !unvalued.contains(g.underlying) { deltaDollars[g.underlying] = g.delta * s }
        }
        let nl = netLiquidation ?? 0
        return PortfolioFacts(netLiquidation: nl, dayStartNetLiquidation: dayStart?.value ?? nl,
                              exposureByUnderlying: exposure, deltaDollarsByUnderlying: deltaDollars, openInstruments: Set(positions.values.map { $0.instrument.displayName }),
                              vix: vix, ordersLastMinute: approvals.filter { now - $0 < 60_000_000_000 }.count)
    }

    // MARK: Deciding

    /// The decision on an intent. The limits run when it is first seen and again when a
    /// confirmation or a cancel window releases it; a rejection is final.
    public mutating func check(_ intent: Volta_V1_OrderIntent, now: Int64) -> Volta_V1_RiskDecision {
        if let d = decisions[intent.intentID], d.verdict != .riskPendingConfirmation { return d }
        var d = Volta_V1_RiskDecision()
        d.intentID = intent.intentID
        d.mode = mode.rawValue
        if vetoed.contains(intent.intentID) {
            return record(reject(d, .vetoed, "an operator vetoed it"))
        }
        if let rejection = PreTradeCheck.evaluate(facts(intent), portfolio: portfolio(now: now), limits: limits, killSwitch: killSwitch) {
            return record(reject(d, rejection.reason, rejection.detail))
        }
        let previous = decisions[intent.intentID]
        switch mode {
        case .confirm where !confirmed.contains(intent.intentID):
            d.verdict = .riskPendingConfirmation
            d.detail = "waiting for an operator's confirmation"
        case .window where previous == nil || now < previous!.releaseAtNs:
            d.verdict = .riskPendingConfirmation
            d.releaseAtNs = previous?.releaseAtNs ?? now + windowNs
            d.detail = "goes out at the end of its cancel window unless vetoed"
        default:
            d.verdict = .riskApproved
            approvals.append(now)
            approvals.removeAll { now - $0 >= 60_000_000_000 }
            if intent.purpose == .close { closesInFlight[intent.intentID] = CloseInFlight(intent) }
        }
        if d.verdict == .riskPendingConfirmation && waiting[intent.intentID] == nil {
            waiting[intent.intentID] = .with {
                $0.intentID = intent.intentID
                $0.strategy = intent.strategy
                $0.summary = intent.operatorSummary
                $0.reason = intent.reason
                $0.firstSeenNs = now
            }
        }
        waiting[intent.intentID]?.releaseAtNs = d.releaseAtNs
        return record(d)
    }

    // MARK: Operators' commands from other risk workers

    /// The kill switch as set at `ns`, unless a later setting is already here.
    /// - Returns: true when it was applied.
    @discardableResult
    public mutating func setKillSwitch(_ state: KillSwitch, at ns: Int64) -> Bool { killSwitchSetting.set(state, at: ns) }

    /// The mode as set at `ns`, unless a later setting is already here.
    @discardableResult
    public mutating func setMode(_ m: OperatingMode, at ns: Int64) -> Bool { modeSetting.set(m, at: ns) }

    /// An operator confirmed `id` on another worker: approved here at its next check too, even
    /// if this worker has not seen the intent yet.
    public mutating func confirmedElsewhere(_ id: String) {
        confirmed.insert(id)
    }

    /// An operator vetoed `id` on another worker: refused here too, now or when it is first seen.
    public mutating func vetoedElsewhere(_ id: String) -> Volta_V1_RiskDecision? {
        vetoed.insert(id)
        return veto(id)
    }

    public mutating func confirm(_ id: String) -> Bool {
        guard decisions[id]?.verdict == .riskPendingConfirmation else { return false }
        confirmed.insert(id)
        return true
    }

    public mutating func veto(_ id: String) -> Volta_V1_RiskDecision? {
        guard var d = decisions[id], d.verdict == .riskPendingConfirmation else { return nil }
        vetoed.insert(id)
        d = reject(d, .vetoed, "an operator vetoed it")
        return record(d)
    }

    /// Forgets final decisions first seen by an earlier prune more than `keep` ago (pending ones
    /// stay). Asked again after that, an intent is decided afresh; execution, which asks, keeps
    /// ended intents as long (`execution.keep_ended_hours`) and answers those itself.
    /// - Returns: how many were forgotten.
    @discardableResult
    public mutating func prune(now: Int64, keep: Duration) -> Int {
        let final = decisions.filter { $0.value.verdict != .riskPendingConfirmation }.keys
        let expired = retention.expired(ended: final, now: now, keep: keep)
        for id in expired {
            decisions[id] = nil
            confirmed.remove(id)
            vetoed.remove(id)
        }
        return expired.count
    }

    public var pendingIntentIDs: [String] {
        decisions.values.filter { $0.verdict == .riskPendingConfirmation }.map(\.intentID).sorted()
    }

    /// The intent in plain numbers: each underlying its legs touch charged with its own legs'
    /// exposure, and each leg against what the account holds of it.
    func facts(_ intent: Volta_V1_OrderIntent) -> IntentFacts {
        let purpose: IntentFacts.Purpose = switch intent.purpose { case .close: .close; case .adjust: .adjust; default: .open }
        let first = intent.legs.first?.instrument ?? Volta_V1_Instrument()
        var shares: [UnderlyingShare] = []
        var priced = true
        var seen = Set<String>()
        for underlying in intent.legs.map(\.instrument.underlyingSymbol) where seen.insert(underlying).inserted {
            let legs = intent.legs.filter { $0.instrument.underlyingSymbol == underlying }
            let exposures = legs.map { leg in exposurePerUnit(leg.instrument).map { $0 * Double(max(leg.ratio, 1)) } }
            if exposures.contains(where: { $0 == nil }) { priced = false }
            // Signed only when every leg on this underlying has a delta.
            let signed = legs.compactMap { leg in
                deltaDollarsPerUnit(leg.instrument).map { Double(leg.signedRatio) * $0 }
            }
            shares.append(UnderlyingShare(underlying: underlying, exposurePerUnit: exposures.reduce(0) { $0 + ($1 ?? 0) },
                                          deltaDollarsPerUnit: signed.count == legs.count ? signed.reduce(0, +) : nil))
        }
        let holdings = intent.legs.map { leg in
            LegHolding(instrument: leg.instrument.displayName,
                       perUnit: leg.signedRatio,
                       held: leftAfterCloses(leg.instrument, account: intent.account, except: intent.intentID))
        }
        return IntentFacts(purpose: purpose, quantity: intent.legs.isEmpty ? 0 : intent.quantity, instrument: first.displayName,
                           shares: shares, legs: holdings, hasPrice: priced)
    }

    /// What is held of `instrument` once the other closes in flight on it have done their work:
    /// never past zero (a close that filled before its report arrived leaves nothing, not the
    /// opposite position).
    func leftAfterCloses(_ instrument: Volta_V1_Instrument, account: String, except intentID: String) -> Int64 {
        let now = held(instrument, account: account)
        let name = instrument.displayName
        let pending = closesInFlight.filter { $0.key != intentID }.values.reduce(Int64(0)) { sum, close in
            sum + close.pendingChange(of: name, account: account)
        }
        let left = now + pending
        return now > 0 ? max(0, left) : now < 0 ? min(0, left) : 0
    }

    /// Signed units of `instrument` held in `account`, or across accounts when none is named.
    func held(_ instrument: Volta_V1_Instrument, account: String) -> Int64 {
        if !account.isEmpty { return positions[Topics.position(account: account, instrument: instrument)]?.quantity ?? 0 }
        let name = instrument.displayName
        return positions.values.filter { $0.instrument.displayName == name }.reduce(0) { $0 + $1.quantity }
    }

    private func reject(_ d: Volta_V1_RiskDecision, _ reason: RiskReason, _ detail: String) -> Volta_V1_RiskDecision {
        var d = d
        d.verdict = .riskRejected
        d.reasonCode = reason.rawValue
        d.detail = detail
        d.releaseAtNs = 0
        return d
    }

    private mutating func record(_ d: Volta_V1_RiskDecision) -> Volta_V1_RiskDecision {
        var d = d
        d.killSwitch = killSwitch.rawValue
        decisions[d.intentID] = d
        if d.verdict != .riskPendingConfirmation { waiting[d.intentID] = nil }
        return d
    }

    public func state(now: Int64) -> Volta_V1_RiskState {
        let p = portfolio(now: now)
        var s = Volta_V1_RiskState()
        s.killSwitch = killSwitch.rawValue
        s.mode = mode.rawValue
        s.greeks = underlyingGreeks()
        s.netLiquidation = p.netLiquidation
        s.dayStartNetLiquidation = p.dayStartNetLiquidation
        s.dayPnl = p.dayPnL
        s.vix = vix ?? 0
        s.openPositions = Int32(p.openInstruments.count)
        s.ordersLastMinute = Int32(p.ordersLastMinute)
        s.pendingIntentIds = pendingIntentIDs
        s.pending = s.pendingIntentIds.compactMap { waiting[$0] }
        s.updatedNs = now
        func usage(_ r: RiskReason, _ used: Double, _ limit: Double) -> Volta_V1_LimitUsage {
            var u = Volta_V1_LimitUsage()
            u.name = r.rawValue
            u.used = used
            u.limit = limit
            return u
        }
        let largest = p.exposureByUnderlying.values.max() ?? 0
        s.limits = [
            usage(.maxDailyLoss, max(-p.dayPnL, 0), limits.maxDailyLoss),
            usage(.maxOpenPositions, Double(p.openInstruments.count), Double(limits.maxOpenPositions)),
            usage(.maxGrossExposure, p.grossExposure, limits.capital * limits.maxGrossExposure),
            usage(.maxPositionShare, p.netLiquidation > 0 ? largest / p.netLiquidation : 0, limits.maxPositionShare),
            usage(.maxLeverage, p.netLiquidation > 0 ? p.grossExposure / p.netLiquidation : 0, limits.maxLeverage),
            usage(.minAccountBalance, p.netLiquidation, limits.minAccountBalance),
            usage(.vixCircuitBreaker, vix ?? 0, limits.vixCircuitBreaker),
            usage(.orderRateLimit, Double(p.ordersLastMinute), Double(limits.maxOrdersPerMinute)),
        ]
        return s
    }
}

/// A value set by commands that may arrive out of order: the latest by when it was set wins.
struct LatestSetting<Value: Sendable>: Sendable {
    var value: Value
    private(set) var setNs: Int64 = 0

    init(_ value: Value) { self.value = value }

    /// Applies `value` as set at `ns` unless a later setting is already here; true when applied.
    mutating func set(_ new: Value, at ns: Int64) -> Bool {
        guard ns >= setNs else { return false }
        value = new
        setNs = ns
        return true
    }
}
