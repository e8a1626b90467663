import Foundation
@testable import Quant
import TestSupport
import Testing

@Suite("Implied volatility")
struct ImpliedVolatilityTests {
    @Test func roundTripsAcrossMoneynessExpiryAndVolatility() throws {
        var worst = 0.0
        for kind in OptionKind.allCases {
            for moneyness in [0.7, 0.85, 0.95, 1.0, 1.05, 1.2, 1.5] {
                for T in [0.02, 0.1, 0.5, 1, 3] {
                    for v in [0.05, 0.1, 0.2, 0.4, 0.8, 1.5] {
                        let S = 100.0, K = S * moneyness, r = 0.03, q = 0.01
                        let g = try BlackScholes.greeks(kind, spot: S, strike: K, time: T, rate: r, dividend: q, volatility: v)
                        // The price is known to an ulp or so; that alone moves σ by price·ε/vega.
                        let conditioning = g.price / (v * g.vega)
                        guard conditioning < 1e3 else { continue }
                        let iv = try ImpliedVolatility.bsm(kind, price: g.price, spot: S, strike: K, time: T, rate: r, dividend: q)
                        worst = max(worst, abs(iv - v) / v / max(1, conditioning))
                    }
                }
            }
        }
        #expect(worst < 1e-12, "worst relative error \(worst)")
    }

    @Test func pricesNoVolatilityGivesAreErrors() {
        #expect(throws: QuantError.self) { try ImpliedVolatility.bsm(.call, price: 1, spot: 42, strike: 40, time: 0.5, rate: 0.1, dividend: 0) }
        #expect(throws: QuantError.self) { try ImpliedVolatility.bsm(.call, price: 43, spot: 42, strike: 40, time: 0.5, rate: 0.1, dividend: 0) }
        #expect(throws: QuantError.self) { try ImpliedVolatility.bsm(.put, price: .nan, spot: 42, strike: 40, time: 0.5, rate: 0.1, dividend: 0) }
    }

    /// Every segment of "Let's Be Rational": the price back to s in at most two steps, to a few ulps.
    @Test func twoStepsToFullPrecisionInEverySegment() throws {
        var worst = 0.0
        for x in [-60.0, -20, -5, -1, -0.1, -1e-3, -1e-8, 0] {
            for s in [1e-4, 1e-2, 0.1, 0.5, 1, 2, 5, 10] {
                let beta = NormalizedBlack.call(x: x, s: s)
                // Only where a double of β still tells s apart: not underflowed, not at its bound.
                guard beta.isNormal, beta < 0.999 * exp(0.5 * x) else { continue }
                let (implied, steps) = try ImpliedVolatility.normalizedVolatility(beta: beta, x: x)
                #expect(steps <= 2)
                worst = max(worst, abs(implied - s) / s)
            }
        }
        #expect(worst < 1e-14, "worst relative error \(worst)")
    }

    /// The batch solves a block at a time with vector math (libmvec's few-ulp functions, not
    /// libm's one): it must give the scalar solver's answer to within what the problem's own
    /// conditioning allows, and the same errors, across every segment and region of b.
    @Test func batchAgreesWithTheScalarSolverEverywhere() {
        var generator = TestRandom("ImpliedVolatilityTests.batchAgreesWithTheScalarSolver")
        var options: [OptionInputs] = [], prices: [Double] = []
        for _ in 0..<4_000 {
            let x = (Bool.random(using: &generator) ? 1.0 : -1) * exp(Double.random(in: log(1e-6)...log(60), using: &generator))
            let s = exp(Double.random(in: log(1e-4)...log(20), using: &generator))
            let kind: OptionKind = Bool.random(using: &generator) ? .call : .put
            let K = exp(-x)  // F = 1, T = 1, r = q = 0: σ is s itself
            prices.append(NormalizedBlack.call(x: kind == .call ? x : -x, s: s) * K.squareRoot())
            options.append(OptionInputs(kind, spot: 1, strike: K, time: 1, rate: 0, dividend: 0, volatility: s))
        }
        let (batch, errors) = BatchPricer.impliedVolatility(prices: prices, OptionBatch(options))
        var worst = 0.0, solved = 0
        for (i, o) in options.enumerated() {
            let scalar = try? ImpliedVolatility.bsm(o.kind, price: prices[i], spot: 1, strike: o.strike, time: 1, rate: 0, dividend: 0)
            // A price within 1e-12 of its upper bound tells σ nothing (any σ beyond some level
            // prices within an ulp of it): whether it is "above the bound" is then the rounding
            // of ln(F/K), libm's or libmvec's, and either answer is right.
            let bound = o.kind == .call ? 1.0 : o.strike
            if prices[i] >= bound * (1 - 1e-12) && (scalar == nil) != (errors[i] != nil) { continue }
            guard let scalar else {
                #expect(errors[i] != nil, "the scalar solver refused item \(i); the batch gave \(batch[i])")
                continue
            }
            guard errors[i] == nil else {
                Issue.record("the batch refused item \(i) (x \(log(1 / o.strike)), s \(o.volatility)): \(errors[i]!)")
                continue
            }
            let x = -abs(log(1 / o.strike))
            let conditioning = NormalizedBlack.call(x: x, s: scalar) / (scalar * NormalizedBlack.vega(x: x, s: scalar))
            worst = max(worst, abs(batch[i] - scalar) / scalar / max(1, conditioning))
            solved += 1
        }
        #expect(solved > 3_000)
        #expect(worst < 2e-14, "worst relative difference, scaled by conditioning: \(worst)")
    }
}

@Suite("Special functions behind implied volatility")
struct SpecialFunctionTests {
    @Test func erfcxAgainstFortyDigitValues() {
        // exp(y²)·erfc(y) at 40 digits (mpmath).
        let values: [(Double, Double)] = [(0.5, 0.61569034419292587487), (1, 0.42758357615580700441), (5, 0.11070463773306862637),
                                          (10, 0.056140992743822585858), (25, 0.022549572432641358944),
                                          (26, 0.021683584850562906616), (30, 0.018795888861416751497), (100, 0.0056416137829894329036)]
        for (y, expected) in values {
            #expect(abs(Normal.erfcx(y) - expected) <= 4e-16 * expected, "erfcx(\(y))")
        }
    }

    @Test func inverseCDFRoundTripsToTheTails() {
        for x in stride(from: -37.0, through: 1, by: 0.37) {  // the lower half is what LBR asks for
            let p = Normal.cdf(x)
            #expect(abs(Normal.inverseCDF(p) - x) <= 4e-15 * max(1, abs(x)), "x = \(x)")
        }
        #expect(Normal.inverseCDF(0.5) == 0)
    }

    /// The regions of the normalized Black function agree where their domains meet.
    @Test func regionsAgreeAtTheirBorders() {
        let h = -1.0, t = 0.1
        let smallT = NormalizedBlack.smallTExpansion(h: h, t: t)
        let viaErfcx = 0.5 * exp(-0.5 * (h * h + t * t)) * (Normal.erfcx(-(h + t) / 2.0.squareRoot()) - Normal.erfcx(-(h - t) / 2.0.squareRoot()))
        #expect(abs(smallT - viaErfcx) <= 1e-14 * viaErfcx)
        let H = -12.0, T = 1.0
        let asymptotic = NormalizedBlack.asymptotic(h: H, t: T)
        let far = 0.5 * exp(-0.5 * (H * H + T * T)) * (Normal.erfcx(-(H + T) / 2.0.squareRoot()) - Normal.erfcx(-(H - T) / 2.0.squareRoot()))
        #expect(abs(asymptotic - far) <= 1e-13 * far)
    }
}
