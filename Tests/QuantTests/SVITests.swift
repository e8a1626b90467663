import Foundation
@testable import Quant
import Testing

@Suite("SVI surface")
struct SVITests {
    static let slice = SVISlice(a: 0.01, b: 0.12, rho: -0.45, m: 0.02, sigma: 0.18, time: 0.5)

    @Test func fitRecoversTheSmileFromBidAsk() throws {
        let quotes = stride(from: -0.6, through: 0.4, by: 0.05).map { k -> SVI.Quote in
            let vol = Self.slice.impliedVolatility(k)
            return SVI.Quote(logMoneyness: k, bid: vol - 0.003, ask: vol + 0.003)
        }
        let fit = try SVI.fit(quotes, time: 0.5)
        for k in stride(from: -0.6, through: 0.4, by: 0.01) {
            #expect(abs(fit.impliedVolatility(k) - Self.slice.impliedVolatility(k)) < 1e-6, "k = \(k)")
        }
        #expect(throws: QuantError.self) { try SVI.fit(Array(quotes.prefix(3)), time: 0.5) }
    }

    /// The pricer fits every expiry of every chain as quotes move: a fit must take a handful of
    /// iterations, cold or from the last slice, and still recover the smile.
    @Test(arguments: [0.02, 0.1, 0.5, 1.0, 3.0])
    func aFitTakesAFewIterations(time T: Double) throws {
        let truth = SVISlice(a: 0.01 * T, b: 0.1 * T.squareRoot(), rho: -0.5, m: 0, sigma: 0.2, time: T)
        func fit(shift: Double) -> SVIFit {
            var f = SVIFit(time: T)
            for i in 0..<200 {
                let k = log((60 + Double(i) * 0.4) / 100)
                f.add(k: k, vol: truth.impliedVolatility(k) + shift, weight: 500)
            }
            return f
        }
        let cold = fit(shift: 0).solve(from: nil)
        let warm = fit(shift: 0.001).solve(from: cold.slice)
        #expect(cold.iterations <= 12 && warm.iterations <= 12, "cold \(cold.iterations), warm \(warm.iterations)")
        for k in stride(from: -0.5, through: 0.25, by: 0.05) {
            #expect(abs(cold.slice.impliedVolatility(k) - truth.impliedVolatility(k)) < 1e-6)
            #expect(abs(warm.slice.impliedVolatility(k) - truth.impliedVolatility(k) - 0.001) < 2e-4)
        }
    }

    /// Axel Vogt's slice (in Gatheral and Jacquier, "Arbitrage-free SVI volatility surfaces",
    /// 2014) has a negative density near k = 0.9; a plain skew does not.
    @Test func butterflyArbitrageIsFound() throws {
        let vogt = SVISlice(a: -0.0410, b: 0.1331, rho: 0.3060, m: 0.3586, sigma: 0.4153, time: 1)
        let check = vogt.butterflyCheck()
        #expect(check.minimum < 0)
        #expect(abs(check.at - 0.9) < 0.4)
        #expect(Self.slice.butterflyCheck().minimum > 0)
    }

    @Test func calendarArbitrageAndInterpolation() throws {
        let later = SVISlice(a: 0.02, b: 0.12, rho: -0.45, m: 0.02, sigma: 0.18, time: 1.0)
        let surface = try VolatilitySurface(slices: [later, Self.slice])
        #expect(surface.arbitrage().isFree)
        for k in [-0.3, 0.0, 0.2] {
            #expect(surface.totalVariance(k: k, time: 0.5) == Self.slice.totalVariance(k))
            let middle = surface.totalVariance(k: k, time: 0.75)
            #expect(abs(middle - 0.5 * (Self.slice.totalVariance(k) + later.totalVariance(k))) < 1e-15)
            #expect(abs(surface.impliedVolatility(k: k, time: 0.25) - Self.slice.impliedVolatility(k)) < 1e-15)
        }
        let crossing = SVISlice(a: 0.0, b: 0.05, rho: 0, m: 0, sigma: 0.1, time: 1.0)
        let bad = try VolatilitySurface(slices: [Self.slice, crossing])
        #expect(bad.arbitrage().calendar.count == 1)
    }
}
