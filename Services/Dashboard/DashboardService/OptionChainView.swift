import Foundation
import Market
import Messages
import Quant

/// One expiry's chain as a trader reads it: calls and puts side by side by strike, each with its
/// market (bid, ask), the pricer's implied volatility and delta, and the smile: the market's
/// out-of-the-money mid IVs beside the pricer's fitted SVI slice, so a quote far off the fit
/// stands out. Built from what marketdata and the pricer already keep (their snapshots); nothing
/// here prices an option.
struct OptionChainView {
    var underlying: String
    var expiry: String
    /// Every expiry quoted for the underlying, for the page's choice.
    var expiries: [String]
    var quotes: [Volta_V1_OptionQuote]
    var analytics: [Volta_V1_OptionAnalytics]
    var slice: Volta_V1_SVISliceParams?
    var underlyingPrice: Double?
    /// Why something is missing (the pricer did not answer, no fit for this expiry).
    var notes: [String] = []

    /// The expiry a page shows first: the one nearest 30 calendar days out, the horizon most
    /// option traders watch (an expiry today is a poor picture of the smile).
    static func defaultExpiry(_ expiries: [String], today: CivilDate) -> String? {
        expiries.min { a, b in
            func distance(_ e: String) -> Int { CivilDate(e).map { abs($0.dayNumber - today.dayNumber - 30) } ?? .max }
            return (distance(a), a) < (distance(b), b)
        }
    }

    struct Side {
        var quote: Volta_V1_OptionQuote
        var analytics: Volta_V1_OptionAnalytics?

        /// The pricer's mid IV, else the broker's (IBKR sends its own); nil when neither has one.
        var iv: Double? {
            if let a = analytics, a.midIv > 0 { return a.midIv }
            return quote.hasGreeks && quote.greeks.iv > 0 ? quote.greeks.iv : nil
        }
        var delta: Double? {
            if let a = analytics, a.hasOwn, a.own.theo > 0 || a.own.delta != 0 { return a.own.delta }
            return quote.hasGreeks ? quote.greeks.delta : nil
        }
        var json: JSONValue {
            .object([("bid", .number(quote.bid > 0 ? quote.bid : nil)), ("ask", .number(quote.ask > 0 ? quote.ask : nil)),
                     ("iv", .number(iv)), ("delta", .number(delta)), ("open_interest", .integer(quote.openInterest)),
                     ("stale", .bool(quote.stale))])
        }
    }

    /// The forward the smile is drawn against: the fit's, else the underlying's price.
    var forward: Double? { slice.map(\.forward).flatMap { $0 > 0 ? $0 : nil } ?? underlyingPrice }

    var json: JSONValue {
        let byContract = Dictionary(analytics.map { (Topics.optionQuote($0.contract), $0) }, uniquingKeysWith: { a, _ in a })
        var strikes: [Int64: (call: Side?, put: Side?)] = [:]
        for q in quotes where q.contract.expiry == expiry {
            let side = Side(quote: q, analytics: byContract[Topics.optionQuote(q.contract)])
            if q.contract.right == .put { strikes[q.contract.strikeMicros, default: (nil, nil)].put = side }
            else { strikes[q.contract.strikeMicros, default: (nil, nil)].call = side }
        }
        let ordered = strikes.keys.sorted()
        let rows: [JSONValue] = ordered.map { k in
            let s = strikes[k]!
            return .object([("strike", .number(Double(k) / 1e6)), ("call", s.call?.json ?? .null), ("put", s.put?.json ?? .null)])
        }
        // The smile from the side a trader quotes it on: out of the money (puts below the
        // forward, calls above), where the mids carry the volatility and not the intrinsic value.
        let f = forward
        let points: [JSONValue] = ordered.compactMap { k in
            let strike = Double(k) / 1e6
            let s = strikes[k]!
            let side = (f.map { strike < $0 } ?? false) ? (s.put ?? s.call) : (s.call ?? s.put)
            guard let side, let iv = side.iv else { return nil }
            return .object([("strike", .number(strike)), ("iv", .number(iv)), ("right", .string(side.quote.contract.right == .put ? "P" : "C"))])
        }
        return .object([
            ("underlying", .string(underlying)),
            ("expiry", .string(expiry)),
            ("expiries", .array(expiries.map { .string($0) })),
            ("underlying_price", .number(underlyingPrice)),
            ("forward", .number(f)),
            ("rows", .array(rows)),
            ("smile", .object([("market", .array(points)),
                               ("fit", fittedCurve(strikes: ordered.map { Double($0) / 1e6 })),
                               ("model", .string(slice == nil ? "none" : "raw SVI, fitted by the pricer to bid/ask IVs"))])),
            ("notes", .array(notes.map { .string($0) })),
        ])
    }

    /// The fitted slice across the quoted strikes, 60 points: IV = √(w(ln K/F) / T).
    func fittedCurve(strikes: [Double]) -> JSONValue {
        guard let p = slice, p.timeYears > 0, let f = forward, let lo = strikes.first, let hi = strikes.last, hi > lo else { return .array([]) }
        let svi = SVISlice(a: p.a, b: p.b, rho: p.rho, m: p.m, sigma: p.sigma, time: p.timeYears)
        return .array((0...59).compactMap { i in
            let strike = lo + (hi - lo) * Double(i) / 59
            let iv = svi.impliedVolatility(Self.logMoneyness(strike, forward: f))
            return iv > 0 && iv.isFinite ? .object([("strike", .number(strike)), ("iv", .number(iv))]) : nil
        })
    }

    static func logMoneyness(_ strike: Double, forward: Double) -> Double { log(strike / forward) }
}
