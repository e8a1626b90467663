import Foundation

/// The index's dynamics: Heston stochastic variance with lognormal jumps (Bates), stepped by a
/// full-truncation Euler scheme. Its VIX is the model's own 30-day expected variance, so the
/// volatility index and the index's realized moves agree the way traders expect.
public struct IndexParameters: Codable, Sendable, Equatable {
    public var symbol = "SPX"
    public var price = 5900.0
    /// Instantaneous variance at the start (0.02 ≈ 14% vol).
    public var variance = 0.02
    /// Speed of mean reversion of the variance, per year.
    public var kappa = 3.0
    /// Long-run variance.
    public var theta = 0.03
    /// Volatility of the variance; with the defaults 2κθ > ξ² (Feller), so the variance does not
    /// stick at zero for days.
    public var volOfVariance = 0.35
    /// Correlation of index and variance shocks: negative, so falls raise volatility.
    public var rho = -0.7
    public var jumpsPerYear = 0.5
    /// Mean and standard deviation of a jump's log size.
    public var jumpMean = -0.04
    public var jumpStdDev = 0.05
    public var rate = 0.04
    public var dividendYield = 0.013

    public init() {}

    enum CodingKeys: String, CodingKey {
        case symbol, price, variance, kappa, theta, rho, rate
        case volOfVariance = "vol_of_variance", jumpsPerYear = "jumps_per_year", jumpMean = "jump_mean"
        case jumpStdDev = "jump_stddev", dividendYield = "dividend_yield"
    }
}

public struct IndexProcess: Sendable {
    public static let vixHorizon = 30.0 / 365
    public var parameters: IndexParameters
    public private(set) var price: Double
    public private(set) var variance: Double
    /// ∫ v dt plus the squared jumps since the start: what the realized variance should match.
    public private(set) var integratedVariance = 0.0

    public init(_ parameters: IndexParameters) {
        self.parameters = parameters
        price = parameters.price
        variance = parameters.variance
    }

    /// Advances `dt` years and returns the index's log return. `drift` is an extra log drift per
    /// year (a scripted move).
    public mutating func step(dt: Double, drift: Double = 0, using rng: inout SeededGenerator) -> Double {
        let p = parameters
        let v = max(variance, 0)
        let z1 = rng.gaussian()
        let z2 = p.rho * z1 + (1 - p.rho * p.rho).squareRoot() * rng.gaussian()
        let compensator = p.jumpsPerYear * (exp(p.jumpMean + 0.5 * p.jumpStdDev * p.jumpStdDev) - 1)
        var logReturn = (p.rate - p.dividendYield - compensator - 0.5 * v + drift) * dt + (v * dt).squareRoot() * z1
        for _ in 0..<rng.poisson(p.jumpsPerYear * dt) {
            let jump = p.jumpMean + p.jumpStdDev * rng.gaussian()
            logReturn += jump
            integratedVariance += jump * jump
        }
        variance += p.kappa * (p.theta - v) * dt + p.volOfVariance * (v * dt).squareRoot() * z2
        integratedVariance += v * dt
        price *= exp(logReturn)
        return logReturn
    }

    /// Moves the index by `logReturn` outside the model (a replayed path), keeping the variance.
    public mutating func force(logReturn: Double) { price *= exp(logReturn) }

    /// The expected average variance over the next `horizon` years, jumps included:
    /// θ + (v − θ)(1 − e^{−κτ})/(κτ) + 2λ(e^{μ+δ²/2} − 1 − μ).
    public func expectedVariance(over horizon: Double) -> Double {
        diffusiveVariance(over: horizon, from: max(variance, 0)) + jumpVariance
    }

    /// The volatility index: 100 × the square root of the 30-day expected variance.
    public var vix: Double { 100 * expectedVariance(over: Self.vixHorizon).squareRoot() }

    /// Sets the instantaneous variance so that the VIX reads `level` (a scripted spike).
    public mutating func setVIX(_ level: Double) {
        let p = parameters, tau = Self.vixHorizon
        let weight = (1 - exp(-p.kappa * tau)) / (p.kappa * tau)
        let target = (level / 100) * (level / 100) - jumpVariance
        variance = max(0, (target - p.theta * (1 - weight)) / weight)
    }

    private var jumpVariance: Double {
        let p = parameters
        return 2 * p.jumpsPerYear * (exp(p.jumpMean + 0.5 * p.jumpStdDev * p.jumpStdDev) - 1 - p.jumpMean)
    }

    private func diffusiveVariance(over tau: Double, from v: Double) -> Double {
        let p = parameters
        guard tau > 0, p.kappa * tau > 1e-12 else { return v }
        return p.theta + (v - p.theta) * (1 - exp(-p.kappa * tau)) / (p.kappa * tau)
    }
}
