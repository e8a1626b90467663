import Foundation
import Messages
import StrategyKit
import Trading

/// The volatility-aware trailing stop manager as a strategy plug-in (docs/stops.md): every
/// option position gets a stop on its underlying, sized from the index's volatility, the
/// underlying's beta and the days to expiry; when the underlying crosses it, the position is
/// closed at a limit execution computes around the theo at the stop level, and the order is
/// cancelled if the underlying recovers through the stop before it fills.
///
/// The theo at each armed stop's level is asked ahead of the crossing (every 250 ms at most, and
/// only when the level moved or the theo is 2 s old), so a fired stop's intent goes out with a
/// theo at most 5 s old and no pricer round trip. Without one (a stop that fired before its first
/// theo, or an exit taken over from a peer), the intent expects no price and execution prices it
/// from the pricer's current theo, which it follows for every held contract.
public struct StopManager: Strategy {
    public let name = "stops"
    public var feeds: Set<StrategyFeed> { [.underlyingQuotes, .stats, .positions] }
    /// The index and the VIX its stops are sized from (marketdata's stats read the VIX's level
    /// from its quote); each position's underlying the gateway streams with the position.
    public var quotesWanted: QuotesWanted { QuotesWanted(underlyings: [book.indexSymbol, "VIX"]) }
    public private(set) var book: StopBook
    /// The theo at each armed stop's level, by ``theoKey(_:)``.
    var theos: [String: (level: Double, theo: Double, askedNs: Int64)] = [:]
    /// Exit intents built, by intent id: one per fired stop, resubmitted by the host as is.
    var exits: [String: Volta_V1_OrderIntent] = [:]

    static let prefetchNs: Int64 = 250_000_000
    static let theoRefreshNs: Int64 = 2_000_000_000
    static let theoMaxAgeNs: Int64 = 5_000_000_000

    public init(book: StopBook) {
        self.book = book
    }

    /// The new profile's stops at once: every stop resized and published, a crossing acted on.
    public mutating func adoptSettings(of fresh: StopManager, _ context: StrategyContext) -> [StrategyAction]? {
        book.profile = fresh.book.profile
        return after(book.resizeAll(now: context.now), now: context.now)
    }

    public mutating func handle(_ event: StrategyEvent, _ context: StrategyContext) -> [StrategyAction] {
        let now = context.now
        var changed: [Volta_V1_StopState] = []
        var actions: [StrategyAction] = []
        switch event {
        case .start:
            return [.timer(id: "theos", at: now + Self.prefetchNs)]
        case .peerState(let state):
            guard state.payloadType == Volta_V1_StopState.protoMessageName,
                  let stop = try? Volta_V1_StopState(serializedBytes: state.payload) else { return [] }
            book.merge(stop)
            // A peer's fired stop whose exit this worker never built: known now, so the host
            // resubmits it if this worker takes the underlying over before the exit ends.
            if let merged = book.stops[StopBook.key(stop.instrument)], merged.status == "triggered", !merged.intentID.isEmpty,
               exits[merged.intentID] == nil {
                actions.append(submit(merged, now: now))
            }
        case .position(let p):
            changed = book.apply(p, now: now).map { [$0] } ?? []
        case .underlyingQuote(let q):
            changed = q.stale ? [] : book.price(q.symbol, q.referencePrice, now: now)
        case .stats(let s):
            changed = book.apply(s, now: now)
        case .intentReport(let e):
            changed = book.apply(e, now: now).map { [$0] } ?? []
        case .timer(id: "theos"):
            return prefetch(now: now) + [.timer(id: "theos", at: now + Self.prefetchNs)]
        case .theo(let id, let theo):
            guard let (key, level) = Self.parseTheoID(id) else { return [] }
            theos[key] = (level, theo, now)
            return []
        default:
            return []
        }
        return actions + after(changed, now: now)
    }

    /// What follows stops changing: their states published, theos asked for new levels, and the
    /// exits of stops that fired.
    mutating func after(_ changed: [Volta_V1_StopState], now: Int64) -> [StrategyAction] {
        var actions: [StrategyAction] = []
        for s in changed {
            actions.append(state(s))
            if s.status == "armed", s.stopLevel > 0, theos[Self.theoKey(s)] == nil { actions += askTheo(s) }
        }
        for s in book.takeFired() {
            actions.append(.alert(level: .warning, message: "stop crossed: \(s.instrument.displayName) \(s.instrument.option.underlying) at \(s.underlyingPrice) through \(s.stopLevel)",
                                  owner: s.instrument.option.underlying))
            actions.append(submit(s, now: now))
        }
        return actions
    }

    // MARK: Theos asked ahead

    /// Asks for the theo at the level of every armed stop whose theo is missing, stale or of
    /// another level. The host sends only the owner's asks, and one per id at a time.
    func prefetch(now: Int64) -> [StrategyAction] {
        book.stops.keys.sorted().compactMap { book.stops[$0] }.filter { $0.status == "armed" && $0.stopLevel > 0 }.flatMap { s in
            if let known = theos[Self.theoKey(s)], known.level == s.stopLevel, now - known.askedNs < Self.theoRefreshNs { return [StrategyAction]() }
            return askTheo(s)
        }
    }

    func askTheo(_ s: Volta_V1_StopState) -> [StrategyAction] {
        [.askTheo(id: "\(Self.theoKey(s))@\(s.stopLevel)", contract: s.instrument.option, underlyingPrice: s.stopLevel,
                  owner: s.instrument.option.underlying)]
    }

    static func theoKey(_ s: Volta_V1_StopState) -> String { "\(s.account) \(s.instrument.displayName)" }

    static func parseTheoID(_ id: String) -> (String, Double)? {
        guard let at = id.lastIndex(of: "@"), let level = Double(id[id.index(after: at)...]) else { return nil }
        return (String(id[..<at]), level)
    }

    // MARK: Exits

    /// The fired stop's exit, built once: the whole position, closing, at a limit execution
    /// computes, expecting the theo at the stop level when one fresh enough is known.
    mutating func submit(_ s: Volta_V1_StopState, now: Int64) -> StrategyAction {
        let intent = exits[s.intentID] ?? exitIntent(for: s, now: now)
        exits[s.intentID] = intent
        return .submit(intent, owner: s.instrument.option.underlying)
    }

    func exitIntent(for s: Volta_V1_StopState, now: Int64) -> Volta_V1_OrderIntent {
        var intent = Volta_V1_OrderIntent()
        intent.intentID = s.intentID
        intent.strategy = name
        intent.instance = s.instance
        intent.purpose = .close
        intent.legs = [Volta_V1_Leg.with {
            $0.instrument = s.instrument
            $0.side = s.quantity > 0 ? .sell : .buy
            $0.ratio = 1
        }]
        intent.quantity = abs(s.quantity)
        intent.orderType = .limit
        if let known = theos[Self.theoKey(s)], known.level == s.stopLevel, now - known.askedNs <= Self.theoMaxAgeNs {
            intent.expectedPriceMicros = Int64((known.theo * 1_000_000).rounded())
        }
        intent.tif = .day
        intent.reason = "stop_loss"
        intent.createdNs = now
        // Recovered through the stop before the exit filled: a stop below fired on a fall, so
        // the underlying back above it cancels the exit (and the stop re-arms).
        intent.cancelIf = Volta_V1_CancelCondition.with {
            $0.underlying = s.instrument.option.underlying
            $0.level = s.stopLevel
            $0.above = s.below
            $0.reason = "stop recovered"
        }
        intent.positionAvgCostMicros = s.avgCostMicros
        intent.account = s.account
        return intent
    }

    // MARK: State

    /// The stop published as a strategy state. A stop that cannot be encoded is an alert, not
    /// an empty payload.
    func state(_ s: Volta_V1_StopState) -> StrategyAction {
        do { return .publish(try s.strategyState()) } catch {
            return .alert(level: .critical, message: "the stop of \(s.instrument.displayName) could not be encoded: \(error)",
                          owner: s.instrument.option.underlying)
        }
    }
}

extension Volta_V1_StopState {
    /// This stop as the stop manager publishes it: its typed state in the payload, with the
    /// status and a summary any reader can show.
    public func strategyState() throws -> Volta_V1_StrategyState {
        let payload = try serializedData()
        return Volta_V1_StrategyState.with {
            $0.strategy = "stops"
            $0.instance = instance
            $0.key = StopBook.key(instrument)
            $0.ownerKey = instrument.option.underlying
            $0.worker = worker
            $0.status = status
            $0.summary = stopLevel > 0
                ? "\(instrument.displayName) ×\(quantity): stop \(below ? "below" : "above") \(stopLevel) (best \(bestUnderlying), trail \(trailFraction))"
                : "\(instrument.displayName) ×\(quantity): \(status)"
            $0.updatedNs = updatedNs
            $0.payloadType = Volta_V1_StopState.protoMessageName
            $0.payload = payload
            $0.removed = status == "closed"
        }
    }
}
