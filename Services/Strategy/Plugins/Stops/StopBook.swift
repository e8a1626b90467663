import Foundation
import Messages
import StrategyKit
import Trading

/// Every option position's trailing stop, as one strategy worker tracks it: plain state, no bus.
///
/// Every worker tracks every position from the same quotes, so a worker that gains an
/// underlying already holds its stops; only the owner publishes and acts. States published by
/// other workers are merged in (the better best level, the tighter stop, the later trigger), so
/// quotes a worker missed before it started are not lost either.
public struct StopBook: Sendable {
    public var profile: StopProfile
    public let instance: String
    public let worker: String
    public let indexSymbol: String
    /// Keyed by ``key(_:)``: one per option position.
    public private(set) var stops: [String: Volta_V1_StopState] = [:]
    var prices: [String: Double] = [:]
    var betas: [String: Double] = [:]
    var vix: Double?
    var indexATR: Double?
    /// Stops that fired since the last ``takeFired()``: each crossing once.
    var fired: [Volta_V1_StopState] = []

    public init(profile: StopProfile, instance: String, worker: String, indexSymbol: String = "SPX") {
        self.profile = profile
        self.instance = instance
        self.worker = worker
        self.indexSymbol = indexSymbol
    }

    public var sigma: IndexVolatility? {
        IndexVolatility.from(vix: vix, atr: indexATR, indexPrice: prices[indexSymbol])
    }

    public func stops(on underlying: String) -> [Volta_V1_StopState] {
        stops.values.filter { $0.instrument.option.underlying == underlying }.sorted { $0.instrument.option.strikeMicros < $1.instrument.option.strikeMicros }
    }

    // MARK: Inputs

    /// A broker position. Returns the stop it changed, if any.
    public mutating func apply(_ p: Volta_V1_Position, now: Int64) -> Volta_V1_StopState? {
        guard p.instrument.hasOption else { return nil }
        let key = Self.key(p.instrument)
        let underlying = p.instrument.option.underlying
        if p.quantity == 0 || abs(p.quantity) < profile.minQuantity || !profile.manages(underlying) {
            guard var gone = stops.removeValue(forKey: key) else { return nil }
            gone.quantity = p.quantity
            gone.status = p.quantity == 0 ? "closed" : "skipped: not managed by profile \(profile.name)"
            gone.updatedNs = now
            return gone
        }
        if var s = stops[key], s.quantity == p.quantity, s.avgCostMicros == p.avgCostMicros {
            // Unchanged: only refresh the account, which an early state from a peer may lack.
            s.account = p.account
            stops[key] = s
            return nil
        }
        var s = stops[key] ?? Volta_V1_StopState()
        let isNew = s.instrument.option.underlying.isEmpty || (s.quantity > 0) != (p.quantity > 0)
        s.instance = instance
        s.instrument = p.instrument
        s.account = p.account
        s.quantity = p.quantity
        s.avgCostMicros = p.avgCostMicros
        if isNew {
            s.below = TrailingStop.gainsWhenUnderlyingRises(quantity: p.quantity, isPut: p.instrument.option.right == .put)
            s.entryUnderlying = 0
            s.bestUnderlying = 0
            s.stopLevel = 0
            s.intentID = ""
            s.status = "armed"
        }
        stops[key] = s
        return refresh(key, now: now) ?? s
    }

    /// An underlying's price: the stops on it trail, and those it crosses fire (see
    /// ``takeFired()``). Returns the stops that changed more than their last seen price.
    public mutating func price(_ symbol: String, _ price: Double, now: Int64) -> [Volta_V1_StopState] {
        guard price.isFinite, price > 0 else { return [] }
        prices[symbol] = price
        if symbol == indexSymbol, vix == nil { return resizeAll(now: now) }
        return keys(on: symbol).compactMap { refresh($0, now: now) }
    }

    /// Marketdata's statistics: the beta of a symbol, the VIX, the index's ATR.
    public mutating func apply(_ stats: Volta_V1_UnderlyingStats, now: Int64) -> [Volta_V1_StopState] {
        var changed = false
        if stats.beta != 0, betas[stats.symbol] != stats.beta { betas[stats.symbol] = stats.beta; changed = true }
        if stats.vix > 0, vix != stats.vix { vix = stats.vix; changed = true }
        if stats.symbol == indexSymbol, stats.atr14 > 0, indexATR != stats.atr14 { indexATR = stats.atr14; changed = true }
        if stats.symbol == indexSymbol, stats.last > 0, prices[indexSymbol] == nil { prices[indexSymbol] = stats.last }
        return changed ? resizeAll(now: now) : []
    }

    /// Another worker's view of a stop: keep the better best level, the tighter stop and the
    /// later trigger.
    public mutating func merge(_ other: Volta_V1_StopState) {
        let key = Self.key(other.instrument)
        guard other.worker != worker else { return }
        guard var mine = stops[key] else {
            if other.status == "armed" || other.status == "triggered" { stops[key] = other }
            return
        }
        guard mine.below == other.below, other.bestUnderlying > 0 else { return }
        if mine.bestUnderlying == 0 || (mine.below ? other.bestUnderlying > mine.bestUnderlying : other.bestUnderlying < mine.bestUnderlying) {
            mine.bestUnderlying = other.bestUnderlying
        }
        if mine.entryUnderlying == 0 { mine.entryUnderlying = other.entryUnderlying }
        if mine.stopLevel == 0 || (mine.below ? other.stopLevel > mine.stopLevel : other.stopLevel < mine.stopLevel) {
            mine.stopLevel = other.stopLevel
        }
        if other.triggers > mine.triggers || (other.triggers == mine.triggers && other.status != mine.status && other.updatedNs > mine.updatedNs) {
            mine.triggers = other.triggers
            mine.intentID = other.intentID
            mine.status = other.status
        }
        stops[key] = mine
    }

    /// Where an exit intent stands. A terminal exit that did not fill (the stop recovered, the
    /// order was cancelled or rejected) re-arms the stop; the next crossing is a new intent.
    public mutating func apply(_ e: Volta_V1_IntentExecution, now: Int64) -> Volta_V1_StopState? {
        guard let key = stops.first(where: { $0.value.intentID == e.intentID })?.key, var s = stops[key] else { return nil }
        switch e.stage {
        case .stageDone where e.orderState == .filled:
            guard s.status != "exited" else { return nil }
            s.status = "exited"
        case .stageDone, .stageRiskRejected:
            s.status = "armed"
            s.intentID = ""
        default:
            return nil
        }
        s.updatedNs = now
        stops[key] = s
        return s
    }

    /// The stops that fired since the last call, each once.
    public mutating func takeFired() -> [Volta_V1_StopState] {
        defer { fired = [] }
        return fired
    }

    // MARK: The rule

    private func keys(on underlying: String) -> [String] {
        stops.filter { $0.value.instrument.option.underlying == underlying }.keys.sorted()
    }

    mutating func resizeAll(now: Int64) -> [Volta_V1_StopState] {
        stops.keys.sorted().compactMap { refresh($0, now: now) }
    }

    /// Sizes, trails and checks one stop against the latest price. Nil when nothing changed.
    private mutating func refresh(_ key: String, now: Int64) -> Volta_V1_StopState? {
        guard var s = stops[key] else { return nil }
        let underlying = s.instrument.option.underlying
        guard let price = prices[underlying] else { return nil }
        s.underlyingPrice = price
        // A new price alone is not a change worth publishing: the quotes carry it already.
        let before = s
        guard let sigma, let beta = betas[underlying] else {
            s.status = s.status == "armed" || s.status.hasPrefix("waiting") ? "waiting: no \(sigma == nil ? "index volatility" : "beta of \(underlying)")" : s.status
            stops[key] = s
            return s.status == before.status ? nil : stamped(s, now)
        }
        if s.status.hasPrefix("waiting") { s.status = "armed" }
        let days = Self.daysToExpiry(s.instrument.option.expiry, now: now) ?? 0
        let trail = StopSizing.trail(beta: beta, sigma: sigma, daysToExpiry: days, profile: profile)
        s.sigmaIndex = sigma.daily
        s.sigmaSource = sigma.source.rawValue
        s.beta = beta
        s.daysToExpiry = Int32(days)
        if s.entryUnderlying == 0 { s.entryUnderlying = price }
        var stop = TrailingStop(below: s.below, entry: s.entryUnderlying, best: s.bestUnderlying > 0 ? s.bestUnderlying : nil,
                                trail: trail, level: s.stopLevel > 0 ? s.stopLevel : nil)
        stop.resize(trail: trail)
        stop.observe(price)
        s.bestUnderlying = stop.best
        s.stopLevel = stop.level
        s.trailFraction = trail
        if s.status == "armed", stop.isCrossed(by: price) {
            s.triggers += 1
            s.status = "triggered"
            s.intentID = Self.intentID(s)
            fired.append(s)
        }
        stops[key] = s
        return s == before ? nil : stamped(s, now)
    }

    private mutating func stamped(_ s: Volta_V1_StopState, _ now: Int64) -> Volta_V1_StopState {
        var s = s
        s.updatedNs = now
        s.worker = worker
        stops[Self.key(s.instrument)] = s
        return s
    }

    /// A stop's key: its position's instrument as topic levels (`SPY.2026-12-18.C600`), the key
    /// of its StrategyState.
    public static func key(_ instrument: Volta_V1_Instrument) -> String { Topics.instrumentPath(instrument) }

    /// The same position and trigger give the same id on every worker, so a handover mid-exit
    /// resubmits the intent execution already has instead of creating a second one.
    public static func intentID(_ s: Volta_V1_StopState) -> String {
        let o = s.instrument.option
        let right = o.right == .put ? "P" : "C"
        return "stop-\(Topics.key(s.account))-\(Topics.key(o.underlying))-\(o.expiry)-\(right)\(o.strikeMicros)-c\(s.avgCostMicros)-q\(s.quantity)-t\(s.triggers)"
    }

    /// Calendar days from today in New York to the expiry date.
    public static func daysToExpiry(_ expiry: String, now: Int64) -> Int? { NewYorkDate.days(from: now, to: expiry) }
}
