import Foundation
import Messages
import PricerService
import Quant

/// The pricer service's own path, without the bus: a 2,000-option chain (10 expiries × 100
/// strikes × call and put) from quotes to bid/mid/ask IVs, an SVI fit per expiry and theo and
/// greeks per option; then what one option's tick costs, which is what the service pays per quote.
extension QuantBench {
    func pricerEngine() throws {
        let now = Int64(Date().timeIntervalSince1970) * 1_000_000_000
        let (underlying, quotes) = Self.chainQuotes(now: now)
        var configuration = PricerConfiguration()
        configuration.refitIntervalNs = 0
        var engine = PricerEngine(configuration: configuration)
        var analytics = 0
        let full = best(of: 5) {
            engine = PricerEngine(configuration: configuration)
            engine.apply(underlying, at: now)
            for q in quotes { engine.apply(q, at: now) }
            analytics = engine.refresh("SPY", now: now).analytics.count
        } * 1e3
        emit("pricer_engine_chain_2000_bid_mid_ask_iv_svi_greeks", full, "ms", goal: 1, reference: nil,
             extra: ["analytics": "\(analytics)", "model": "bs", "iv_per_option": "3"])

        // One option's quote changes; its expiry is refitted (refit interval 0) from the last slice.
        var tick = quotes[quotes.count / 2]
        var published = 0
        let rounds = 200
        let one = best(of: 3) {
            for n in 0..<rounds {
                tick.ask += n % 2 == 0 ? 0.01 : -0.01
                engine.apply(tick, at: now)
                published = engine.refresh("SPY", now: now).analytics.count
            }
        } / Double(rounds) * 1e6
        emit("pricer_engine_one_quote_with_refit", one, "us", goal: 1000, reference: nil,
             extra: ["republished": "\(published)", "note": "one IV triple, the expiry's SVI refit, its 200 theos"])
    }

    /// An SPY-like chain priced from a skewed smile, bid and ask half a vol point either side.
    static func chainQuotes(now: Int64) -> (Volta_V1_UnderlyingQuote, [Volta_V1_OptionQuote]) {
        var underlying = Volta_V1_UnderlyingQuote()
        (underlying.symbol, underlying.bid, underlying.ask) = ("SPY", 99.99, 100.01)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "America/New_York")
        var quotes: [Volta_V1_OptionQuote] = []
        for e in 1...10 {
            let date = Date(timeIntervalSince1970: Double(now) / 1e9 + Double(e * 14) * 86_400)
            let T = Double(e * 14) / 365
            let smile = SVISlice(a: 0.02 * T, b: 0.12 * T.squareRoot(), rho: -0.6, m: 0.02, sigma: 0.15, time: T)
            for i in 0..<100 {
                let K = 70 + Double(i) * 0.6
                for kind in [OptionKind.call, .put] {
                    var q = Volta_V1_OptionQuote()
                    q.contract.underlying = "SPY"
                    q.contract.expiry = formatter.string(from: date)
                    q.contract.strikeMicros = Int64((K * 1e6).rounded())
                    q.contract.right = kind == .call ? .call : .put
                    let v = smile.impliedVolatility(log(K / 100))
                    func price(_ volatility: Double) -> Double {
                        (try? OptionInputs(kind, spot: 100, strike: K, time: T, rate: 0.04, dividend: 0, volatility: volatility).blackScholes().price) ?? 0
                    }
                    (q.bid, q.ask) = (price(v - 0.005), price(v + 0.005))
                    quotes.append(q)
                }
            }
        }
        return (underlying, quotes)
    }
}
