import Foundation
import Quant

/// A listed option: its broker id, the true market, and what the feed last showed.
public struct ListedOption: Sendable {
    public let key: OptionKey
    public let brokerID: Int64
    public var market: SmileQuoter.Quote?
    var published: Touch?
}

extension MarketSimulation {
    /// Lists each new day's expiries and strikes around the current prices; strikes once
    /// listed stay until they expire, as on the exchange.
    mutating func relist() {
        let today = NewYorkTime.local(now).date
        guard listedOn != today else { return }
        listedOn = today
        for symbol in symbols where parameters.listing.symbols?.contains(symbol) ?? true {
            guard let spot = price(of: symbol) else { continue }
            let kind = underlyings[symbol]?.parameters.kind ?? .etf
            let step = OptionListing.strikeStep(price: spot, kind: kind, isIndex: isIndex(symbol))
            for expiry in parameters.listing.expiries(on: today, calendar: calendar) {
                let years = max(self.years(to: expiry), 0)
                let vol = atmVolatility(symbol, years: years)
                for strike in parameters.listing.strikes(around: spot, step: step, volatility: vol, years: years) {
                    for right in [OptionKind.call, .put] {
                        let key = OptionKey(underlying: symbol, expiry: expiry, strikeMicros: Money.micros(strike), right: right)
                        guard options[key] == nil else { continue }
                        nextOptionID += 1
                        options[key] = ListedOption(key: key, brokerID: nextOptionID)
                        optionIDs[nextOptionID] = key
                    }
                }
            }
        }
    }

    /// The at-the-money volatility to `years`: the index's expected variance to that horizon,
    /// scaled by beta, plus the stock's own variance.
    func atmVolatility(_ symbol: String, years: Double) -> Double {
        let indexVariance = index.expectedVariance(over: max(years, 1.0 / 365 / 24))
        guard let p = underlyings[symbol]?.parameters else { return indexVariance.squareRoot() }
        return (p.beta * p.beta * indexVariance + p.idiosyncraticVol * p.idiosyncraticVol).squareRoot()
    }

    func dividendYield(_ symbol: String) -> Double {
        underlyings[symbol]?.parameters.dividendYield ?? parameters.index.dividendYield
    }

    /// Re-prices every option and returns the feed quotes that changed.
    mutating func requoteOptions() -> [FeedQuote] {
        var changed: [FeedQuote] = []
        let rate = parameters.index.rate
        let varianceRatio = index.variance / max(parameters.index.theta, 1e-6)
        var atmByExpiry: [String: [CivilDate: (years: Double, atm: Double)]] = [:]
        for key in options.keys.sorted() {
            guard var option = options[key], let spot = price(of: key.underlying) else { continue }
            let kind = underlyings[key.underlying]?.parameters.kind ?? .etf
            let isIndex = isIndex(key.underlying)
            let slot = atmByExpiry[key.underlying, default: [:]][key.expiry] ?? {
                let y = max(years(to: key.expiry), 1e-6)
                return (y, atmVolatility(key.underlying, years: y))
            }()
            atmByExpiry[key.underlying, default: [:]][key.expiry] = slot
            let q = dividendYield(key.underlying)
            let forward = spot * exp((rate - q) * slot.years)
            let vol = parameters.quoter.volatility(strike: key.strike, forward: forward, years: slot.years, atm: slot.atm,
                                                   varianceRatio: varianceRatio, skewScale: kind == .stock ? 0.6 : 1)
            let previous = option.market
            option.market = parameters.quoter.quote(
                key.right, spot: spot, strike: key.strike, years: slot.years, rate: rate, dividend: q, volatility: vol,
                tick: { TickRules.optionTick(price: $0, isIndex: isIndex, kind: kind) }, rng: &rng)
            if let p = previous, option.market?.bid == p.bid, option.market?.ask == p.ask {
                // Unchanged prices keep their sizes: the feed shows no update.
                option.market?.bidSize = p.bidSize
                option.market?.askSize = p.askSize
            }
            if let feed = feedQuote(option, spot: spot) {
                changed.append(feed)
                option.published = feed.touch
            }
            options[key] = option
        }
        return changed
    }

    /// The feed's view of an option, or nil when it shows no change (or is stale).
    func feedQuote(_ option: ListedOption, spot: Double) -> FeedQuote? {
        guard let m = option.market,
              let touch = feedTouch(Touch(bid: m.bid, ask: m.ask, bidSize: m.bidSize, askSize: m.askSize),
                                    symbol: option.key.underlying, options: true),
              touch != option.published else { return nil }
        return FeedQuote(instrument: .option(option.key), brokerID: option.brokerID, touch: touch, last: 0, volume: 0,
                         underlyingPrice: spot, greeks: m.greeks, volatility: m.volatility)
    }

    /// What the feed shows of a true touch under the symbol's fault, if any: nil while stale.
    func feedTouch(_ touch: Touch, symbol: String, options: Bool) -> Touch? {
        switch fault(on: symbol, options: options) {
        case .stale: return nil
        case .crossed: return Touch(bid: touch.ask + 0.05, ask: touch.bid, bidSize: touch.askSize, askSize: touch.bidSize)
        case .missing: return Touch(bid: -1, ask: -1, bidSize: 0, askSize: 0)
        case nil: return touch
        }
    }

    /// The index, the VIX and each underlying, when changed.
    mutating func requoteUnderlyings() -> [FeedQuote] {
        var changed: [FeedQuote] = []
        let indexLevel = (index.price * 100).rounded() / 100
        if indexLevel != indexPublished, fault(on: parameters.index.symbol, options: false) == nil {
            indexPublished = indexLevel
            changed.append(indexQuote(parameters.index.symbol, level: indexLevel))
        }
        let vix = (index.vix * 100).rounded() / 100
        if vix != vixPublished {
            vixPublished = vix
            changed.append(indexQuote(parameters.volatilityIndexSymbol, level: vix))
        }
        for symbol in underlyings.keys.sorted() {
            requoteUnderlying(symbol)
            guard let u = underlyings[symbol] else { continue }
            guard let touch = feedTouch(u.touch, symbol: symbol, options: false), touch != u.published else { continue }
            underlyings[symbol]?.published = touch
            changed.append(FeedQuote(instrument: .underlying(symbol), brokerID: Self.brokerID(of: symbol), touch: touch,
                                     last: (u.price * 100).rounded() / 100, volume: u.volume, underlyingPrice: u.price,
                                     greeks: nil, volatility: 0))
        }
        return changed
    }

    /// A one-cent market around the price, a tenth of a basis point wider per $100.
    mutating func requoteUnderlying(_ symbol: String) {
        guard var u = underlyings[symbol] else { return }
        let half = max(0.01, (u.price * 0.00005 * 100).rounded() / 100)
        let mid = (u.price * 100).rounded() / 100
        let bid = ((mid - half) * 100).rounded() / 100, ask = ((mid + half) * 100).rounded() / 100
        if bid != u.touch.bid || ask != u.touch.ask {
            u.touch = Touch(bid: bid, ask: ask, bidSize: 100 * (1 + Int64(rng.next() % 20)), askSize: 100 * (1 + Int64(rng.next() % 20)))
        }
        underlyings[symbol] = u
    }

    func indexQuote(_ symbol: String, level: Double) -> FeedQuote {
        FeedQuote(instrument: .underlying(symbol), brokerID: Self.brokerID(of: symbol),
                  touch: Touch(bid: level, ask: level, bidSize: 0, askSize: 0), last: level, volume: 0,
                  underlyingPrice: level, greeks: nil, volatility: 0)
    }

    /// A stable id per underlying symbol (its letters), below the options' ids.
    public static func brokerID(of symbol: String) -> Int64 {
        symbol.utf8.prefix(5).reduce(Int64(0)) { $0 * 37 + Int64($1 % 37) } % 99_000 + 1
    }

    // MARK: Lookup

    /// The market an order trades against: the true touch, whatever the feed shows.
    public func touch(of instrument: InstrumentKey) -> Touch? {
        switch instrument {
        case .underlying(let s):
            if isIndex(s) || s == parameters.volatilityIndexSymbol { return nil }  // indexes do not trade
            return underlyings[s]?.touch
        case .option(let key):
            guard let m = options[key]?.market else { return nil }
            return Touch(bid: m.bid, ask: m.ask, bidSize: m.bidSize, askSize: m.askSize)
        }
    }

    public func option(id: Int64) -> OptionKey? { optionIDs[id] }
    public func brokerID(of key: OptionKey) -> Int64? { options[key]?.brokerID }

    /// The listed expiries and strikes of an underlying.
    public func chain(of symbol: String) -> [(expiry: CivilDate, strikes: [Int64])] {
        var byExpiry: [CivilDate: Set<Int64>] = [:]
        for key in options.keys where key.underlying == symbol { byExpiry[key.expiry, default: []].insert(key.strikeMicros) }
        return byExpiry.keys.sorted().map { ($0, byExpiry[$0]!.sorted()) }
    }

    /// Removes the options expiring at this close, with the settlement price of each.
    mutating func settleExpiries(on date: CivilDate) -> [(option: OptionKey, settlement: Double)] {
        let expiring = options.keys.filter { $0.expiry <= date }.sorted()
        var settled: [(option: OptionKey, settlement: Double)] = []
        for key in expiring {
            if let spot = price(of: key.underlying) { settled.append((key, spot)) }
            if let id = options[key]?.brokerID { optionIDs[id] = nil }
            options[key] = nil
        }
        return settled
    }
}
