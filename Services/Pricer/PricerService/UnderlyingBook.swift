import Foundation
import Messages
import Quant

/// One underlying's chain as the pricer holds it, and what changed since it was last computed.
///
/// A quote on an option marks that option; a move of the underlying marks them all (every IV
/// depends on the spot); a refit of an expiry marks its options' theos. ``refresh`` recomputes
/// exactly the marked options, so a tick on one strike costs one option, not a chain.
struct UnderlyingBook: Sendable {
    let symbol: String
    var spot = 0.0
    var spotTimeNs: Int64 = 0
    /// True once a quote of the underlying itself arrived: option quotes' underlying prices only
    /// stand in until then.
    var hasOwnQuote = false
    var options: [String: OptionState] = [:]
    var expiries: [String: Set<String>] = [:]
    var slices: [String: FittedSlice] = [:]
    var lastFitNs: [String: Int64] = [:]
    /// Options whose quote changed since the last refresh.
    var dirty: Set<String> = []
    /// Every option must be recomputed (the spot moved, time passed, ownership was gained).
    var allDirty = false
    /// Expiries whose IVs changed since their last fit.
    var unfitted: Set<String> = []

    init(symbol: String) { self.symbol = symbol }

    var needsRefresh: Bool { allDirty || !dirty.isEmpty || !unfitted.isEmpty }

    mutating func update(_ quote: Volta_V1_UnderlyingQuote, at timeNs: Int64) {
        let price = Self.price(bid: quote.bid, ask: quote.ask, last: quote.last)
        guard price > 0, !quote.stale else { return }
        hasOwnQuote = true
        spotTimeNs = timeNs
        if price != spot { spot = price; allDirty = true }
    }

    mutating func update(_ quote: Volta_V1_OptionQuote, at timeNs: Int64) {
        let key = Topics.optionAnalytics(quote.contract)
        if options[key] == nil {
            guard let state = OptionState(quote.contract) else { return }
            options[key] = state
            expiries[quote.contract.expiry, default: []].insert(key)
        }
        options[key]!.update(quote, at: timeNs)
        dirty.insert(key)
        if !hasOwnQuote, quote.underlyingPrice > 0, quote.underlyingPrice.isFinite, quote.underlyingPrice != spot {
            spot = quote.underlyingPrice
            allDirty = true
        }
    }

    /// The mid of a two-sided market, else the last trade, else one side.
    static func price(bid: Double, ask: Double, last: Double) -> Double {
        let candidates = bid > 0 && ask >= bid ? [0.5 * (bid + ask)] : [last, bid, ask]
        return candidates.first { $0 > 0 && $0.isFinite } ?? 0
    }
}

/// The market every option of one underlying shares at one moment.
struct ChainMarket: Sendable {
    var spot: Double
    var rate: Double
    var dividend: Double
    var nowNs: Int64
    var model: PricingModel

    func inputs(_ o: OptionState, time: Double, volatility: Double = 1) -> OptionInputs {
        OptionInputs(o.kind, spot: spot, strike: o.strike, time: time, rate: rate, dividend: dividend, volatility: volatility)
    }

    func forward(time: Double) -> Double { spot * exp((rate - dividend) * time) }
}
