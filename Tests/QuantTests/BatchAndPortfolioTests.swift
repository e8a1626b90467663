import Foundation
@testable import Quant
import Testing

@Suite("Batch pricing, portfolio greeks and scenarios")
struct BatchAndPortfolioTests {
    @Test func batchEqualsOneByOneAndIsolatesBadItems() throws {
        var options: [OptionInputs] = []
        for i in 0..<200 {
            let kind: OptionKind = i % 2 == 0 ? .call : .put
            let strike = 60 + Double(i) * 0.4, time = 0.1 + Double(i % 7) * 0.3, vol = 0.1 + Double(i % 5) * 0.1
            options.append(OptionInputs(kind, spot: 100, strike: strike, time: time, rate: 0.03, dividend: 0.01, volatility: vol))
        }
        options[17].volatility = -1
        options[42].spot = Double.nan
        let batch = OptionBatch(options)
        var out = GreeksBatch(count: batch.count)
        BatchPricer.blackScholes(batch, into: &out)
        #expect(Set(out.errors.keys) == [17, 42])
        #expect(out.price[17].isNaN && out.rho[42].isNaN)
        for i in options.indices where out.errors[i] == nil {
            let g = try options[i].blackScholes()
            let batchValues: [Double] = [out.price[i], out.delta[i], out.gamma[i], out.vega[i], out.theta[i], out.rho[i]]
            let single: [Double] = [g.price, g.delta, g.gamma, g.vega, g.theta, g.rho]
            // The batch's exp, log and erfc are libmvec's (within 4 ulp, not libm's 1): the values
            // agree to 1e-12 relative, the standard the issue sets against QuantLib, with an
            // absolute floor far below a cent for values that are differences of larger terms.
            for (x, y) in zip(batchValues, single) { #expect(abs(x - y) <= 1e-12 * abs(y) + 1e-15) }
        }
        let (ivs, errors) = BatchPricer.impliedVolatility(prices: out.price, batch)
        #expect(Set(errors.keys).isSuperset(of: [17, 42]))
        for i in options.indices where errors[i] == nil {
            #expect(abs(ivs[i] - options[i].volatility) < 1e-9 * max(1, options[i].spot / out.vega[i]))
        }
    }

    @Test func portfolioAggregatesAndBetaWeights() throws {
        let call = try OptionInputs(.call, spot: 200, strike: 210, time: 0.25, rate: 0.03, dividend: 0, volatility: 0.3).blackScholes()
        let book = [
            Holding(underlying: "AAPL", quantity: -5, multiplier: 100, greeks: call, spot: 200, beta: 1.2),
            .shares("AAPL", quantity: 300, spot: 200, beta: 1.2),
            .shares("SPY", quantity: -100, spot: 500, beta: 1.0),
        ]
        let per = Portfolio.byUnderlying(book)
        #expect(abs(per["AAPL"]!.delta - (300 - 500 * call.delta)) < 1e-9)
        #expect(abs(per["AAPL"]!.gamma + 500 * call.gamma) < 1e-12)
        let spx = try Portfolio.betaWeighted(book, benchmarkPrice: 5000)
        let expected = (300 - 500 * call.delta) * 1.2 * 200 / 5000 - 100 * 500.0 / 5000
        #expect(abs(spx.delta - expected) < 1e-9)
        #expect(abs(spx.gamma - (-500 * call.gamma * pow(1.2 * 200 / 5000, 2))) < 1e-12)
        #expect(throws: QuantError.self) { try Portfolio.betaWeighted(book, benchmarkPrice: 0) }
    }

    @Test func scenariosAndPriceAtAStopLevel() throws {
        let put = OptionInputs(.put, spot: 100, strike: 95, time: 30.0 / 365, rate: 0.03, dividend: 0, volatility: 0.25)
        // The theo at a stop level is the model at that spot.
        let atStop = try Scenario.price(put, atSpot: 92)
        var moved = put
        moved.spot = 92
        #expect(atStop == (try moved.blackScholes().price))
        let shocks = Scenario.grid(spot: [-0.1, 0, 0.1], volatility: [-0.05, 0, 0.05], days: 1)
        let pnl = try Scenario.profitAndLoss(put, shocks: shocks)
        #expect(pnl.count == 9)
        #expect(pnl[0] > 0 && pnl[8] < 0)  // a long put gains when spot falls, loses when it rises
        // Past expiry the option is worth its intrinsic value.
        let expired = try Scenario.profitAndLoss(put, shocks: [.init(spot: -0.1, volatility: 0, days: 45)])
        #expect(abs(expired[0] - (5 - (try put.blackScholes().price))) < 1e-12)
        // With a surface, the price at a spot uses the surface's volatility at the new moneyness.
        let surface = try VolatilitySurface(slices: [SVISlice(a: 0.002, b: 0.05, rho: -0.6, m: 0, sigma: 0.1, time: 0.5)])
        let sticky = try Scenario.price(put, atSpot: 92, surface: surface)
        #expect(sticky != atStop)
    }
}
