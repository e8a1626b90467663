import Foundation
import Messages
@testable import PricerService
import Quant
import Trading

/// A synthetic chain: quotes of an underlying and its options priced from known SVI smiles, so
/// that every IV, fit and theo the pricer computes has a right answer.
struct ChainFixture {
    var symbol = "SPY"
    var spot = 100.0
    var rate = 0.04
    var dividend = 0.01
    /// Half the bid-ask spread, in volatility.
    var halfSpread = 0.005
    var expiries = ["2026-12-18", "2027-01-15", "2027-03-19"]
    var strikes = stride(from: 70.0, through: 130.0, by: 2.5).map { $0 }
    /// 2026-11-20 10:00 New York.
    var now: Int64 = {
        var calendar = ExpiryCalendar()
        return calendar.closeNanoseconds("2026-11-20")! - 6 * 3_600_000_000_000
    }()

    var configuration: PricerConfiguration {
        var c = PricerConfiguration()
        c.rate = rate
        c.dividendYield = dividend
        c.refitIntervalNs = 3_600_000_000_000
        return c
    }

    func time(_ expiry: String) -> Double {
        var calendar = ExpiryCalendar()
        return calendar.years(to: expiry, from: now)!
    }

    /// The smile the quotes come from: skewed, flatter with time.
    func slice(_ expiry: String) -> SVISlice {
        let T = time(expiry)
        return SVISlice(a: 0.02 * T, b: 0.12 * T.squareRoot(), rho: -0.6, m: 0.02, sigma: 0.15, time: T)
    }

    func trueVolatility(_ expiry: String, strike K: Double) -> Double {
        let T = time(expiry)
        return slice(expiry).impliedVolatility(log(K / (spot * exp((rate - dividend) * T))))
    }

    func contract(_ expiry: String, _ strike: Double, _ kind: OptionKind) -> Volta_V1_OptionContract {
        var c = Volta_V1_OptionContract()
        c.underlying = symbol
        c.expiry = expiry
        c.strikeMicros = Int64((strike * 1e6).rounded())
        c.right = kind == .call ? .call : .put
        c.multiplier = 100
        return c
    }

    func inputs(_ expiry: String, _ strike: Double, _ kind: OptionKind, volatility: Double) -> OptionInputs {
        OptionInputs(kind, spot: spot, strike: strike, time: time(expiry), rate: rate, dividend: dividend, volatility: volatility)
    }

    func quote(_ expiry: String, _ strike: Double, _ kind: OptionKind) -> Volta_V1_OptionQuote {
        let v = trueVolatility(expiry, strike: strike)
        var q = Volta_V1_OptionQuote()
        q.contract = contract(expiry, strike, kind)
        q.bid = try! inputs(expiry, strike, kind, volatility: v - halfSpread).blackScholes().price
        q.ask = try! inputs(expiry, strike, kind, volatility: v + halfSpread).blackScholes().price
        q.underlyingPrice = spot
        return q
    }

    var underlyingQuote: Volta_V1_UnderlyingQuote {
        var q = Volta_V1_UnderlyingQuote()
        q.symbol = symbol
        (q.bid, q.ask, q.last) = (spot - 0.25, spot + 0.25, spot)
        return q
    }

    var optionQuotes: [Volta_V1_OptionQuote] {
        expiries.flatMap { e in strikes.flatMap { k in [quote(e, k, .call), quote(e, k, .put)] } }
    }

    /// An engine that has seen the whole chain and refreshed once.
    func loadedEngine() -> (PricerEngine, PricerEngine.Update) {
        var engine = PricerEngine(configuration: configuration)
        engine.apply(underlyingQuote, at: now)
        for q in optionQuotes { engine.apply(q, at: now) }
        let update = engine.refresh(symbol, now: now)
        return (engine, update)
    }
}
