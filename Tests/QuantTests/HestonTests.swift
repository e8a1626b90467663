import Foundation
@testable import Quant
import Testing

@Suite("Heston and Merton")
struct HestonTests {
    static let truth = Heston.Parameters(v0: 0.05, kappa: 2.0, theta: 0.06, xi: 0.7, rho: -0.65)

    /// Parity, and the Black-Scholes limit of a vanishing vol of vol.
    @Test func parityAndVolatilityLimits() throws {
        let o = OptionInputs(.call, spot: 100, strike: 110, time: 0.75, rate: 0.03, dividend: 0.01, volatility: 1)
        let call = try Heston.price(o, parameters: Self.truth)
        var put = o
        put.kind = .put
        let putPrice = try Heston.price(put, parameters: Self.truth)
        #expect(abs(call - putPrice - (100 * exp(-0.01 * 0.75) - 110 * exp(-0.03 * 0.75))) < 1e-10)
        // With almost no vol of vol and v0 = θ, Heston is Black-Scholes at σ = √θ.
        let flat = Heston.Parameters(v0: 0.04, kappa: 1, theta: 0.04, xi: 1e-4, rho: 0)
        let bs = try BlackScholes.greeks(.call, spot: 100, strike: 110, time: 0.75, rate: 0.03, dividend: 0.01, volatility: 0.2)
        let heston = try Heston.greeks(o, parameters: flat)
        #expect(abs(heston.price - bs.price) < 1e-5)
        #expect(abs(heston.delta - bs.delta) < 1e-5)
        // Vega moves √v0 alone, which reaches the average variance with weight (1 − e^{−κT})/(κT).
        let weight = (1 - exp(-0.75)) / 0.75
        #expect(abs(heston.vega - bs.vega * weight) < 1e-3)
    }

    /// Calibration recovers the parameters that made a smile of three expiries.
    @Test func calibrationRecoversTheModelThatMadeTheSmile() throws {
        var quotes: [HestonCalibration.Quote] = []
        for T in [0.25, 0.5, 1.0] {
            for m in [0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2] {
                let kind: OptionKind = m < 1 ? .put : .call
                let price = try Heston.price(OptionInputs(kind, spot: 100, strike: 100 * m, time: T, rate: 0.03, dividend: 0.01, volatility: 1),
                                             parameters: Self.truth)
                quotes.append(.init(kind, strike: 100 * m, time: T, price: price))
            }
        }
        let fit = try HestonCalibration.calibrate(quotes, spot: 100, rate: 0.03, dividend: 0.01)
        #expect(fit.rmsVolatilityError < 1e-7, "rms \(fit.rmsVolatilityError)")
        #expect(abs(fit.parameters.v0 - Self.truth.v0) < 1e-4)
        #expect(abs(fit.parameters.kappa - Self.truth.kappa) < 1e-2)
        #expect(abs(fit.parameters.rho - Self.truth.rho) < 1e-3)
    }

    /// Without jumps Merton is Black-Scholes; jumps add value (convexity).
    @Test func mertonReducesToBlackScholes() throws {
        let o = OptionInputs(.put, spot: 100, strike: 95, time: 0.5, rate: 0.02, dividend: 0, volatility: 0.25)
        let none = try MertonJumpDiffusion.greeks(o, jumps: .init(intensity: 0, jumpMean: -0.1, jumpVolatility: 0.2))
        let bs = try o.blackScholes()
        #expect(abs(none.price - bs.price) < 1e-13)
        #expect(abs(none.delta - bs.delta) < 1e-13)
        #expect(abs(none.theta - bs.theta) < 1e-5)
        #expect(try MertonJumpDiffusion.price(o, jumps: .init(intensity: 1, jumpMean: -0.1, jumpVolatility: 0.2)) > bs.price)
        #expect(throws: QuantError.self) { try MertonJumpDiffusion.price(o, jumps: .init(intensity: -1, jumpMean: 0, jumpVolatility: 0.1)) }
    }
}
