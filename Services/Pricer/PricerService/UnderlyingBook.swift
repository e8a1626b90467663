import Foundation
import Messages
import Quant

/// One underlying's chain as the pricer holds it, and what changed since it was last computed.
///
/// A quote on an option marks that option; a move of the underlying marks them all (every IV
/// depends on the spot); a refit of an expiry marks its options' theos. ``refresh`` recomputes
/// exactly the marked options, so a tick on one strike costs one option, not a chain.
///
/// Options live in an array and are named by index: every quote and every refresh would
/// otherwise build and hash a topic string per option, which cost more than the option's
/// three implied volatilities.
struct UnderlyingBook: Sendable {
    let symbol: String
    var spot = 0.0
    var spotTimeNs: Int64 = 0
    /// True once a quote of the underlying itself arrived: option quotes' underlying prices only
    /// stand in until then.
    var hasOwnQuote = false
    var options: [OptionState] = []
    var index: [OptionKey: Int] = [:]
    var expiries: [String: [Int]] = [:]
    var slices: [String: FittedSlice] = [:]
    var lastFitNs: [String: Int64] = [:]
    /// Options whose quote changed since the last refresh, once each (`isDirty` says which).
    var dirty: [Int] = []
    var isDirty: [Bool] = []
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
        let key = OptionKey(quote.contract)
        let i: Int
        if let known = index[key] {
            i = known
        } else {
            guard let state = OptionState(quote.contract) else { return }
            i = options.count
            options.append(state)
            isDirty.append(false)
            index[key] = i
            expiries[quote.contract.expiry, default: []].append(i)
        }
        options[i].update(quote, at: timeNs)
        if !isDirty[i] { isDirty[i] = true; dirty.append(i) }
        if !hasOwnQuote, quote.underlyingPrice > 0, quote.underlyingPrice.isFinite, quote.underlyingPrice != spot {
            spot = quote.underlyingPrice
            allDirty = true
        }
    }

    /// The option `contract` names, if the book has it.
    func option(_ contract: Volta_V1_OptionContract) -> OptionState? {
        index[OptionKey(contract)].map { options[$0] }
    }

    /// The mid of a two-sided market, else the last trade, else one side.
    static func price(bid: Double, ask: Double, last: Double) -> Double {
        let candidates = bid > 0 && ask >= bid ? [0.5 * (bid + ask)] : [last, bid, ask]
        return candidates.first { $0 > 0 && $0.isFinite } ?? 0
    }
}

/// An option within its underlying's book.
struct OptionKey: Hashable, Sendable {
    let expiry: String
    let strikeMicros: Int64
    let put: Bool

    init(_ c: Volta_V1_OptionContract) {
        (expiry, strikeMicros, put) = (c.expiry, c.strikeMicros, c.right == .put)
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
