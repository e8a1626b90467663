#if canImport(Glibc)
import Glibc
#endif

/// Merton's jump-diffusion (1976): Black-Scholes plus Poisson jumps whose log size is normal with
/// mean `jumpMean` and standard deviation `jumpVolatility`, at `intensity` jumps a year. Priced as
/// Merton's series: conditional on n jumps the option is a Black-Scholes option with variance
/// σ² + nδ²/T and a rate shifted to keep the forward, weighted by the Poisson probability of n
/// under the compensated intensity λ(1 + k), k = E[jump] − 1; summed well past the Poisson mode until a
/// term adds less than 1e-17 of the total (weights alone are not enough: a term's rate shift can
/// grow its value geometrically).
public enum MertonJumpDiffusion {
    public struct Jumps: Sendable, Equatable {
        public var intensity: Double
        public var jumpMean: Double
        public var jumpVolatility: Double
        public init(intensity: Double, jumpMean: Double, jumpVolatility: Double) {
            self.intensity = intensity
            self.jumpMean = jumpMean
            self.jumpVolatility = jumpVolatility
        }
    }

    /// Price and greeks: delta, gamma, vega and rho summed term by term from the Black-Scholes
    /// terms (vega with ∂σ_n/∂σ = σ/σ_n), theta by central difference in T.
    public static func greeks(_ o: OptionInputs, jumps: Jumps) throws -> Greeks {
        try validate(o, jumps)
        var total = try sum(o, jumps)
        total.theta = try FiniteDifferenceGreeks.theta(o) { try sum($0, jumps).price }
        return total
    }

    public static func price(_ o: OptionInputs, jumps: Jumps) throws -> Double {
        try validate(o, jumps)
        return try sum(o, jumps).price
    }

    static func validate(_ o: OptionInputs, _ j: Jumps) throws {
        try o.validate()
        guard j.intensity.isFinite, j.intensity >= 0 else {
            throw QuantError.invalid(field: "lambda", value: j.intensity, requirement: "a non-negative finite number")
        }
        try Validate.finite(j.jumpMean, "jumpMean")
        guard j.jumpVolatility.isFinite, j.jumpVolatility >= 0 else {
            throw QuantError.invalid(field: "jumpVol", value: j.jumpVolatility, requirement: "a non-negative finite number")
        }
    }

    static func sum(_ o: OptionInputs, _ j: Jumps) throws -> Greeks {
        let T = o.time, sigma = o.volatility
        let k = exp(j.jumpMean + 0.5 * j.jumpVolatility * j.jumpVolatility) - 1
        let lambdaT = j.intensity * (1 + k) * T
        var total = Greeks(price: 0, delta: 0, gamma: 0, vega: 0, theta: 0, rho: 0)
        var logWeight = -lambdaT  // ln of the Poisson probability of n jumps
        var n = 0
        while true {
            let weight = exp(logWeight)
            let variance = sigma * sigma + Double(n) * j.jumpVolatility * j.jumpVolatility / T
            let sigmaN = variance.squareRoot()
            let rateN = o.rate - j.intensity * k + Double(n) * log1p(k) / T
            // Discounting the nth term at r_n rather than r is what turns the Poisson weights from
            // λ into λ(1 + k): the two factors are one.
            let term = try BlackScholes.greeks(o.kind, spot: o.spot, strike: o.strike, time: T, rate: rateN,
                                               dividend: o.dividend, volatility: sigmaN)
            total.price += weight * term.price
            total.delta += weight * term.delta
            total.gamma += weight * term.gamma
            total.vega += weight * term.vega * sigma / sigmaN
            total.rho += weight * term.rho
            n += 1
            let negligible = weight * abs(term.price) <= 1e-17 * abs(total.price) || weight == 0
            // Past the Poisson mode by ten standard deviations before a small term may end the sum.
            if (Double(n) > lambdaT + 10 * lambdaT.squareRoot() + 10 && negligible) || n > 10_000 { break }
            logWeight += log(lambdaT) - log(Double(n))
        }
        return total
    }
}
