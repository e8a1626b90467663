import Foundation
import Quant

/// The simulated market: the index and its VIX, the underlyings moving with it, their listed
/// options and the scripted events of a scenario. A value type stepped by the caller, so the
/// same seed and the same calls give the same market, in a backtest or under the gateway.
public struct MarketSimulation: Sendable {
    public static let nanosPerYear = 365.0 * 86_400 * 1e9

    public let parameters: MarketParameters
    public let calendar = NYSECalendar()
    public private(set) var now: Int64
    public private(set) var index: IndexProcess
    /// In a fixed order: a dictionary's order differs between instances, and the random draws
    /// must not.
    let underlyingSymbols: [String]
    public internal(set) var underlyings: [String: UnderlyingState] = [:]
    public internal(set) var options: [OptionKey: ListedOption] = [:]
    var optionIDs: [Int64: OptionKey] = [:]
    var nextOptionID: Int64 = 100_000
    var rng: SeededGenerator
    var script: ScriptState
    var replay: [String: ReplayPath] = [:]
    var listedOn: CivilDate?
    var closeCache: (date: CivilDate, open: Int64, close: Int64)?
    var indexPublished: Double = 0
    var vixPublished: Double = 0
    public let start: Int64

    /// One underlying's live state.
    public struct UnderlyingState: Sendable {
        public var parameters: UnderlyingParameters
        public var price: Double
        public var touch: Touch
        public var volume: Int64 = 0
        var published: Touch?
    }

    public init(parameters: MarketParameters, start: Int64, events: [MarketEvent] = [], replay: [String: ReplayPath] = [:]) {
        self.parameters = parameters
        self.start = start
        now = start
        index = IndexProcess(parameters.index)
        rng = SeededGenerator(seed: parameters.seed)
        script = ScriptState(events: events)
        self.replay = replay
        underlyingSymbols = parameters.underlyings.map(\.symbol).sorted()
        for u in parameters.underlyings {
            underlyings[u.symbol] = UnderlyingState(parameters: u, price: u.price, touch: Touch(bid: 0, ask: 0, bidSize: 0, askSize: 0))
        }
        if parameters.hours == .nyse { skipToSession() }
        // A replayed index starts where its path stands; a replayed underlying keeps its own
        // price and follows the path's returns (QQQ on the NASDAQ Composite's moves).
        if let path = replay[parameters.index.symbol] { index.force(logReturn: path.logPrice(at: now) - log(index.price)) }
        setReplayedVolatility(at: now)
        for symbol in underlyings.keys.sorted() { requoteUnderlying(symbol) }
        relist()
    }

    public var symbols: [String] { [parameters.index.symbol] + underlyingSymbols }

    /// The index's price, an underlying's, or nil.
    /// The level of the index or the VIX, or an underlying's price.
    public func price(of symbol: String) -> Double? {
        if symbol == parameters.index.symbol { return index.price }
        if symbol == parameters.volatilityIndexSymbol { return (index.vix * 100).rounded() / 100 }
        return underlyings[symbol]?.price
    }

    public func isIndex(_ symbol: String) -> Bool { symbol == parameters.index.symbol }

    // MARK: Stepping

    /// Advances the market to `target` (ns since 1970) and returns what the feed shows changed,
    /// with the sessions that closed on the way.
    public mutating func advance(to target: Int64) -> MarketTick {
        var tick = MarketTick()
        let stepNs = Int64(parameters.stepSeconds * 1e9)
        while now < target {
            let close = nextClose()
            if parameters.hours == .nyse, now < close.open {
                let gapTarget = min(close.open, target)
                step(to: gapTarget)
                continue
            }
            step(to: min(target, close.close, now + stepNs))
            if now == close.close {
                tick.closes.append(close.date)
                tick.expired += settleExpiries(on: close.date)
            }
        }
        relist()
        tick.underlyings = requoteUnderlyings()
        tick.options = requoteOptions()
        return tick
    }

    /// One path step of the index and every underlying; events apply at the step's start.
    mutating func step(to t: Int64) {
        let dt = Double(t - now) / Self.nanosPerYear
        let elapsed = Double(now - start) / 1e9
        let effects = script.effects(at: elapsed, dtSeconds: Double(t - now) / 1e9, index: &index)
        setReplayedVolatility(at: t)
        let indexReturn: Double
        if let path = replay[parameters.index.symbol] {
            indexReturn = path.logReturn(from: now, to: t)
            // The model still steps, so variance and the VIX keep moving; the price follows the path.
            let before = index.price
            _ = index.step(dt: dt, using: &rng)
            index.force(logReturn: indexReturn - log(index.price / before))
        } else {
            indexReturn = index.step(dt: dt, drift: effects.drift[parameters.index.symbol] ?? 0, using: &rng)
        }
        for symbol in underlyingSymbols {
            guard var u = underlyings[symbol] else { continue }
            let p = u.parameters
            var r: Double
            if let path = replay[symbol] {
                r = path.logReturn(from: now, to: t)
            } else {
                let sigma = p.idiosyncraticVol
                r = p.beta * indexReturn + sigma * dt.squareRoot() * rng.gaussian() - 0.5 * sigma * sigma * dt
                    + (effects.drift[symbol] ?? 0) * dt
            }
            u.price *= exp(r)
            underlyings[symbol] = u
        }
        now = t
    }

    /// Real history sets the vol: the VIX's close on the days its file covers; elsewhere, with a
    /// replayed index, the index's 20-day realized vol times `realizedVolPremium` (implied vol
    /// has run above realized on average: the variance risk premium).
    mutating func setReplayedVolatility(at t: Int64) {
        if let vix = replay[parameters.volatilityIndexSymbol], vix.covers(t) {
            index.setVIX(exp(vix.logPrice(at: t)))
        } else if let path = replay[parameters.index.symbol], let realized = path.realizedVolatility(before: t) {
            index.setVIX(100 * realized * Self.realizedVolPremium)
        } else if let vix = replay[parameters.volatilityIndexSymbol] {
            index.setVIX(exp(vix.logPrice(at: t)))
        }
    }

    /// The VIX over the S&P 500's 20-day realized vol (the data's 2014–2018): the mean VIX over
    /// the mean realized is 1.27, the median of the daily ratio 1.37.
    public static let realizedVolPremium = 1.3

    /// The session whose close is next: today's if not yet closed, else the next one.
    mutating func nextClose() -> (date: CivilDate, open: Int64, close: Int64) {
        if let cached = closeCache, cached.close > now { return cached }
        closeCache = findNextClose()
        return closeCache!
    }

    func findNextClose() -> (date: CivilDate, open: Int64, close: Int64) {
        var day = NewYorkTime.local(now).date
        while true {
            let s = calendar.session(onOrAfter: day)
            let close = NewYorkTime.instant(s.date, minute: s.closeMinute)
            if close > now { return (s.date, NewYorkTime.instant(s.date, minute: s.openMinute), close) }
            day = s.date.adding(days: 1)
        }
    }

    /// Under NYSE hours, moves a start outside a session to the next open (no path step).
    mutating func skipToSession() {
        let next = findNextClose()
        if now < next.open { now = next.open }
    }

    /// Years from now to an expiry's close.
    public func years(to expiry: CivilDate) -> Double {
        let s = calendar.session(onOrBefore: expiry)
        return Double(NewYorkTime.instant(s.date, minute: s.closeMinute) - now) / Self.nanosPerYear
    }

    // MARK: Faults

    /// The fault showing on `symbol`'s feed now, if any.
    public func fault(on symbol: String, options: Bool) -> QuoteFault? {
        script.fault(on: symbol, options: options, at: Double(now - start) / 1e9)
    }
}

/// What one `advance` changed on the feed.
public struct MarketTick: Sendable {
    public var underlyings: [FeedQuote] = []
    public var options: [FeedQuote] = []
    public var closes: [CivilDate] = []
    /// Options that expired at a close, with the underlying's closing price.
    public var expired: [(option: OptionKey, settlement: Double)] = []
    public init() {}
}

/// A quote as the feed shows it (possibly stale, crossed or missing: a fault mode), with the
/// broker's greeks for options.
public struct FeedQuote: Sendable, Equatable {
    public var instrument: InstrumentKey
    public var brokerID: Int64
    public var touch: Touch
    public var last: Double
    public var volume: Int64
    public var underlyingPrice: Double
    public var greeks: Quant.Greeks?
    public var volatility: Double
}
