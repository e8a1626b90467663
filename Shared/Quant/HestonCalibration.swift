#if canImport(Glibc)
import Glibc
#endif

/// Fits Heston's five parameters to a smile (one or several expiries) by Levenberg-Marquardt on
/// implied-volatility errors: each price error is divided by its Black-Scholes vega, so a cheap
/// wing weighs as much as the at-the-money. Parameters are searched in unconstrained form
/// (logarithms, and atanh of ρ), so every trial is a valid model.
public enum HestonCalibration {
    /// One market quote: an option's price at a strike and expiry.
    public struct Quote: Sendable {
        public var kind: OptionKind
        public var strike: Double
        public var time: Double
        public var price: Double
        public init(_ kind: OptionKind, strike: Double, time: Double, price: Double) {
            (self.kind, self.strike, self.time, self.price) = (kind, strike, time, price)
        }
    }

    public struct Fit: Sendable {
        public var parameters: Heston.Parameters
        /// Root mean square of the implied-volatility errors.
        public var rmsVolatilityError: Double
        public var iterations: Int
    }

    public static func calibrate(_ quotes: [Quote], spot: Double, rate: Double, dividend: Double,
                                 start: Heston.Parameters = .init(v0: 0.04, kappa: 1.5, theta: 0.04, xi: 0.5, rho: -0.5)) throws -> Fit {
        guard quotes.count >= 5 else {
            throw QuantError.invalid(field: "quotes", value: Double(quotes.count), requirement: "at least 5 quotes for 5 parameters")
        }
        try start.validate()
        // Vega at each quote's own implied volatility turns price errors into volatility errors.
        let vegas = try quotes.map { q -> Double in
            let iv = try ImpliedVolatility.bsm(q.kind, price: q.price, spot: spot, strike: q.strike, time: q.time, rate: rate, dividend: dividend)
            return max(try BlackScholes.greeks(q.kind, spot: spot, strike: q.strike, time: q.time, rate: rate, dividend: dividend, volatility: iv).vega, 1e-8 * spot)
        }
        let expiries = Array(Set(quotes.map(\.time))).sorted()
        func residuals(_ x: [Double]) throws -> [Double] {
            let p = parameters(x)
            var smiles: [Double: Heston.Smile] = [:]
            for T in expiries { smiles[T] = try Heston.Smile(time: T, parameters: p) }
            return try quotes.indices.map { i in
                let q = quotes[i]
                let model = try smiles[q.time]!.price(q.kind, spot: spot, strike: q.strike, rate: rate, dividend: dividend, v0: p.v0)
                return (model - q.price) / vegas[i]
            }
        }
        let start = [log(start.v0), log(start.kappa), log(start.theta), log(start.xi), atanh(start.rho)]
        let result = try LevenbergMarquardt().minimize(from: start, residuals: residuals)
        return Fit(parameters: parameters(result.x), rmsVolatilityError: (result.cost / Double(quotes.count)).squareRoot(),
                   iterations: result.iterations)
    }

    static func parameters(_ x: [Double]) -> Heston.Parameters {
        Heston.Parameters(v0: exp(x[0]), kappa: exp(x[1]), theta: exp(x[2]), xi: exp(x[3]), rho: tanh(x[4]) * (1 - 1e-12))
    }
}
