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
            // Gauss-Legendre panels of 16 points. They start at width 1/2 to resolve the
            // 1/(u² + ¼) peak at 0 and double up to a width set by the spread of ln S_T, over which
            // φ decays by about e^{−1/2}; further out φ decays exponentially, at the rate
            // `(v0 + κθT)·√(1 − ρ²)/ξ` (Kahl and Jäckel 2005), and the panels keep doubling to
            // a few e-folds of that decay (at most 12 wide, two periods of e^{iuk} for |k| ≤ 1).
            // They end once the integrand's envelope |φ|/(u² + ¼) times the panel's width is below
            // 1e-11: with √(FK)/π in front, a truncation below 1e-8 for strikes up to 1,000.
            let spread = ((0.5 * (p.v0 + p.theta)) * T).squareRoot()
            let widest = min(max(1 / spread, 0.5), 50)
            let tailRate = (p.v0 + p.kappa * p.theta * T) * (1 - p.rho * p.rho).squareRoot() / p.xi
            let tailWidest = max(widest, min(4 / tailRate, 12))
            var width = 0.5
            let rule = Heston.panelRule
            var nodes: [Double] = [], weights: [Double] = [], cs: [Complex<Double>] = [], ds: [Complex<Double>] = []
            var phis: [Complex<Double>] = []
            nodes.reserveCapacity(256)
            var start = 0.0
            var quiet = 0
            var u = [Double](repeating: 0, count: rule.nodes.count)
            var panel = [Complex<Double>](repeating: .zero, count: 3 * rule.nodes.count)
            for _ in 0..<400 {
                for (i, x) in rule.nodes.enumerated() { u[i] = start + 0.5 * width * (x + 1) }
                let m = u.count
                u.withUnsafeBufferPointer { u in
                    panel.withUnsafeMutableBufferPointer { out in
                        let o = out.baseAddress!
                        Heston.exponents(u: u.baseAddress!, count: m, time: T, p, c: o, d: o + m, phi: o + 2 * m)
                    }
                }
                nodes.append(contentsOf: u)
                weights.append(contentsOf: rule.weights.map { 0.5 * width * $0 })
                cs.append(contentsOf: panel[0..<m])
                ds.append(contentsOf: panel[m..<(2 * m)])
                phis.append(contentsOf: panel[(2 * m)...])
                var envelope = 0.0
                var last = 0.0
                for i in 0..<m {
                    last = panel[2 * m + i].length / (u[i] * u[i] + 0.25)
                    envelope = max(envelope, last)
                }
                start += width
                let decaying = last < envelope
                width = min(2 * width, start > 2 / spread && decaying ? tailWidest : widest)
                quiet = envelope * width < 1e-11 ? quiet + 1 : 0
                if quiet >= 2 { break }
            }
            self.nodes = nodes
            self.weights = weights
            self.c = cs
            self.d = ds
            v0 = p.v0
            phi = phis
        }

        /// ∫₀^∞ Re(e^{iuk} φ(u − i/2))/(u² + ¼) du for log-moneyness k = ln(F/K).
        func integral(k: Double, v0: Double) -> Double {
            let n = nodes.count
            return withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * n) { scratch in
                let angle = scratch.baseAddress!, cosine = angle + n, sine = angle + 2 * n
                for i in 0..<n { angle[i] = nodes[i] * k }
                VectorMath.cos(angle, cosine, n)
                VectorMath.sin(angle, sine, n)
                var sum = 0.0
                for i in 0..<n {
                    let u = nodes[i]
                    let phi = v0 == self.v0 ? self.phi[i] : Complex.exp(c[i] + d[i].multiplied(by: v0))
                    // Re(e^{iuk}·φ) without forming the product.
                    sum += weights[i] * (cosine[i] * phi.real - sine[i] * phi.imaginary) / (u * u + 0.25)
                }
                return sum
            }
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
