#if canImport(Glibc)
import Glibc
#endif
import ComplexModule

/// Heston's stochastic-volatility model, priced by Lewis's formula (2001): one real integral of the
/// characteristic function along Im u = −1/2, `C = e^{−rT}[F − √(FK)/π ∫₀^∞ Re(e^{iuk} φ(u − i/2))/(u² + ¼) du]`
/// with k = ln(F/K). The characteristic function is in the "little trap" form of Albrecher et al.
/// (2007), which has no branch-cut jumps. The integrand's strike enters only through e^{iuk}, so
/// one set of φ values prices every strike of an expiry (``Heston/Smile``).
public enum Heston {
    public struct Parameters: Sendable, Equatable {
        /// Initial variance.
        public var v0: Double
        /// Mean-reversion speed.
        public var kappa: Double
        /// Long-run variance.
        public var theta: Double
        /// Volatility of variance.
        public var xi: Double
        /// Correlation of spot and variance.
        public var rho: Double

        public init(v0: Double, kappa: Double, theta: Double, xi: Double, rho: Double) {
            (self.v0, self.kappa, self.theta, self.xi, self.rho) = (v0, kappa, theta, xi, rho)
        }

        public func validate() throws {
            try Validate.positive(v0, "v0")
            try Validate.positive(kappa, "kappa")
            try Validate.positive(theta, "theta")
            try Validate.positive(xi, "xi")
            guard rho.isFinite, rho > -1, rho < 1 else {
                throw QuantError.invalid(field: "rho", value: rho, requirement: "strictly between −1 and 1")
            }
        }
    }

    /// The characteristic function of ln(S_T/F) sampled on the integration nodes of one expiry,
    /// split as `φ = exp(C + D·v0)` so that a change of v0 costs no new evaluation.
    public struct Smile: Sendable {
        let time: Double
        let nodes: [Double]
        let weights: [Double]
        let c: [Complex<Double>]
        let d: [Complex<Double>]
        /// φ at the parameters' own v0, so that pricing a strike costs one cosine and sine per node.
        let phi: [Complex<Double>]
        let v0: Double

        public init(time T: Double, parameters p: Parameters) throws {
            try Validate.positive(T, "T")
            try p.validate()
            time = T
            // Panels sized to the spread of ln S_T, 16 Gauss-Legendre points each, until the
            // integrand's envelope |φ|/(u² + ¼) is negligible.
            // Panels start at width 1/2 to resolve the 1/(u² + ¼) peak at 0, then double up to a width
            // set by the spread of ln S_T, over which φ decays by about e^{−1/2}.
            let spread = ((0.5 * (p.v0 + p.theta)) * T).squareRoot()
            let widest = min(max(1 / spread, 0.5), 50)
            var width = 0.5
            let rule = Heston.panelRule
            var nodes: [Double] = [], weights: [Double] = [], cs: [Complex<Double>] = [], ds: [Complex<Double>] = []
            nodes.reserveCapacity(256)
            var start = 0.0
            var quiet = 0
            for _ in 0..<400 {
                var envelope = 0.0
                for (x, w) in zip(rule.nodes, rule.weights) {
                    let u = start + 0.5 * width * (x + 1)
                    let (c, d) = Heston.exponents(u: u, time: T, p)
                    nodes.append(u)
                    weights.append(0.5 * width * w)
                    cs.append(c)
                    ds.append(d)
                    let phi = Complex.exp(c + d.multiplied(by: p.v0))
                    envelope = max(envelope, phi.length / (u * u + 0.25))
                }
                start += width
                width = min(2 * width, widest)
                quiet = envelope * width < 1e-14 ? quiet + 1 : 0
                if quiet >= 2 { break }
            }
            self.nodes = nodes
            self.weights = weights
            self.c = cs
            self.d = ds
            v0 = p.v0
            phi = zip(cs, ds).map { Complex.exp($0 + $1.multiplied(by: p.v0)) }
        }

        /// ∫₀^∞ Re(e^{iuk} φ(u − i/2))/(u² + ¼) du for log-moneyness k = ln(F/K).
        func integral(k: Double, v0: Double) -> Double {
            var sum = 0.0
            for i in nodes.indices {
                let u = nodes[i]
                let phi = v0 == self.v0 ? self.phi[i] : Complex.exp(c[i] + d[i].multiplied(by: v0))
                // Re(e^{iuk}·φ) without forming the product.
                sum += weights[i] * (cos(u * k) * phi.real - sin(u * k) * phi.imaginary) / (u * u + 0.25)
            }
            return sum
        }

        /// Undiscounted call price on forward F at strike K.
        func forwardCall(forward F: Double, strike K: Double, v0: Double) -> Double {
            F - (F * K).squareRoot() / Double.pi * integral(k: log(F / K), v0: v0)
        }

        public func price(_ kind: OptionKind, spot S: Double, strike K: Double, rate r: Double, dividend q: Double, v0: Double) throws -> Double {
            try Validate.positive(S, "S")
            try Validate.positive(K, "K")
            try Validate.finite(r, "r")
            try Validate.finite(q, "q")
            let F = S * exp((r - q) * time), discount = exp(-r * time)
            let call = max(forwardCall(forward: F, strike: K, v0: v0), max(F - K, 0))
            return discount * (kind == .call ? call : call - (F - K))
        }
    }

    static let panelRule = GaussLegendre(points: 16)

    /// C(u − i/2) and D(u − i/2) of the little-trap characteristic function of ln(S_T/F).
    static func exponents(u: Double, time T: Double, _ p: Parameters) -> (Complex<Double>, Complex<Double>) {
        typealias C = Complex<Double>
        let z = C(u, -0.5)
        let iz = C(0.5, u)  // i·z
        let beta: C = C(p.kappa) - iz.multiplied(by: p.rho * p.xi)
        let xi2 = p.xi * p.xi
        let inner: C = beta * beta + (iz + z * z).multiplied(by: xi2)
        let d: C = C.sqrt(inner)
        let minus: C = beta - d
        let g: C = minus / (beta + d)
        let e: C = C.exp(d.multiplied(by: -T))
        let one = C(1)
        let ratio: C = (one - g * e) / (one - g)
        let c: C = (minus.multiplied(by: T) - C.log(ratio).multiplied(by: 2)).multiplied(by: p.kappa * p.theta / xi2)
        let dd: C = minus.divided(by: xi2) * (one - e) / (one - g * e)
        return (c, dd)
    }

    public static func price(_ o: OptionInputs, parameters p: Parameters) throws -> Double {
        try Smile(time: o.time, parameters: p).price(o.kind, spot: o.spot, strike: o.strike, rate: o.rate, dividend: o.dividend, v0: p.v0)
    }

    /// Price and greeks. Delta, gamma, rho and vega reuse the expiry's φ values (spot and rate only
    /// move F and the discount; v0 only scales D); theta rebuilds them at T ± dT. Vega is the
    /// sensitivity to the initial volatility √v0, per 1.00 of volatility.
    public static func greeks(_ o: OptionInputs, parameters p: Parameters) throws -> Greeks {
        let smile = try Smile(time: o.time, parameters: p)
        func value(_ x: OptionInputs, v0: Double = p.v0) throws -> Double {
            // Only a change of expiry needs new φ values.
            let s = x.time == smile.time ? smile : try Smile(time: x.time, parameters: p)
            return try s.price(x.kind, spot: x.spot, strike: x.strike, rate: x.rate, dividend: x.dividend, v0: v0)
        }
        let base = try value(o)
        let (delta, gamma) = try FiniteDifferenceGreeks.spot(o, base: base) { try value($0) }
        // Vega bumps √v0, carried in the volatility slot.
        let vega = try FiniteDifferenceGreeks.vega(o.with { $0.volatility = p.v0.squareRoot() }) { try value($0, v0: $0.volatility * $0.volatility) }
        return Greeks(price: base, delta: delta, gamma: gamma, vega: vega,
                      theta: try FiniteDifferenceGreeks.theta(o) { try value($0) }, rho: try FiniteDifferenceGreeks.rho(o) { try value($0) })
    }
}
