import Foundation
@testable import Quant
import Testing

@Suite("American options: approximations and trees")
struct AmericanTests {
    static let markets: [OptionInputs] = OptionKind.allCases.flatMap { kind in
        [0.8, 1.0, 1.25].flatMap { m in
            [(0.05, 0.02, 0.25, 0.5), (0.08, 0.06, 0.4, 2.0), (0.02, 0.0, 0.15, 0.1)].map { r, q, v, T in
                OptionInputs(kind, spot: 100, strike: 100 * m, time: T, rate: r, dividend: q, volatility: v)
            }
        }
    }

    /// Every method values a feasible exercise rule: never below the European value or intrinsic.
    @Test(arguments: ["baw", "bjs1993", "bjs2002", "crr", "lr"])
    func boundedBelowByEuropeanAndIntrinsic(model: String) throws {
        for o in Self.markets {
            let price = try Self.price(model, o)
            let european = try o.blackScholes().price
            #expect(price >= european - 2e-3, "\(model) \(o): \(price) < European \(european)")
            #expect(price >= max(o.kind.sign * (o.spot - o.strike), 0) - 1e-12)
        }
    }

    /// A call on an asset that pays nothing is never exercised early: the European value exactly.
    @Test func callWithoutDividendIsEuropean() throws {
        let o = OptionInputs(.call, spot: 100, strike: 95, time: 1, rate: 0.05, dividend: 0, volatility: 0.3)
        let european = try o.blackScholes().price
        #expect(try BaroneAdesiWhaley.price(o) == european)
        #expect(try BjerksundStensland.price(o) == european)
    }

    /// A European tree converges to Black-Scholes: Leisen-Reimer like 1/n².
    @Test func europeanTreesConvergeToBlackScholes() throws {
        let o = OptionInputs(.put, spot: 100, strike: 110, time: 1, rate: 0.05, dividend: 0.02, volatility: 0.25)
        let exact = try o.blackScholes()
        let lr = try BinomialTree.greeks(o, steps: 501, method: .leisenReimer, american: false)
        let crr = try BinomialTree.price(o, steps: 501, method: .coxRossRubinstein, american: false)
        #expect(abs(lr.price - exact.price) < 1e-5)
        #expect(abs(crr - exact.price) < 2e-2)
        #expect(abs(lr.delta - exact.delta) < 1e-4)
        #expect(abs(lr.gamma - exact.gamma) < 1e-4)
        #expect(abs(lr.vega - exact.vega) < 1e-2)
        #expect(abs(lr.theta - exact.theta) < 1e-2)
        #expect(abs(lr.rho - exact.rho) < 1e-2)
    }

    /// Cash dividends lower a call and raise a put; a dividend after expiry changes nothing.
    @Test func cashDividendsMoveTheUnderlying() throws {
        let call = OptionInputs(.call, spot: 100, strike: 100, time: 1, rate: 0.03, dividend: 0, volatility: 0.2)
        var put = call
        put.kind = .put
        let dividend = [CashDividend(time: 0.5, amount: 3)]
        let plain = try BinomialTree.price(call, steps: 301, method: .leisenReimer)
        #expect(try BinomialTree.price(call, steps: 301, method: .leisenReimer, dividends: dividend) < plain - 1)
        #expect(try BinomialTree.price(put, steps: 301, method: .leisenReimer, dividends: dividend)
            > BinomialTree.price(put, steps: 301, method: .leisenReimer) + 1)
        #expect(try BinomialTree.price(call, steps: 301, method: .leisenReimer, dividends: [CashDividend(time: 2, amount: 3)]) == plain)
    }

    @Test func badInputsAreErrorsNamingTheField() {
        let o = OptionInputs(.put, spot: 100, strike: 100, time: 1, rate: 0.03, dividend: 0, volatility: 0.2)
        #expect(throws: QuantError.self) { try BinomialTree.price(o, steps: 1, method: .coxRossRubinstein) }
        #expect(throws: QuantError.self) { try BinomialTree.price(o, steps: 101, method: .coxRossRubinstein, dividends: [CashDividend(time: 0.5, amount: 200)]) }
        var bad = o
        bad.volatility = 0
        #expect(throws: QuantError.self) { try BaroneAdesiWhaley.price(bad) }
        #expect(throws: QuantError.self) { try BjerksundStensland.price(bad) }
    }

    /// American implied volatility recovers σ from each model's own price.
    @Test func impliedVolatilityRoundTrips() throws {
        for o in Self.markets where o.strike == 100 {
            for model in ["baw", "bjs2002"] {
                let price = try Self.price(model, o)
                let iv = try AmericanImpliedVolatility.solve(price: price, o) { try Self.price(model, $0) }
                #expect(abs(iv - o.volatility) < 1e-9, "\(model) \(o)")
            }
        }
    }

    static func price(_ model: String, _ o: OptionInputs) throws -> Double {
        switch model {
        case "baw": try BaroneAdesiWhaley.price(o)
        case "bjs1993": try BjerksundStensland.price(o, version: .version1993)
        case "bjs2002": try BjerksundStensland.price(o)
        case "crr": try BinomialTree.price(o, steps: 301, method: .coxRossRubinstein)
        default: try BinomialTree.price(o, steps: 301, method: .leisenReimer)
        }
    }
}
