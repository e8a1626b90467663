#if canImport(Glibc)
import Glibc
#endif

/// The bivariate standard normal distribution `M(a, b; ρ) = P(X < a, Y < b)`, to about 1e-15
/// absolute: Genz's method ("Numerical computation of rectangular bivariate and trivariate normal
/// and t probabilities", 2004), Gauss-Legendre on Drezner and Wesolowsky's arcsine integral for
/// |ρ| < 0.925 and on a form with the singularity at |ρ| → 1 taken out above.
public enum BivariateNormal {
    static let rules = (six: GaussLegendre(points: 6), twelve: GaussLegendre(points: 12), twenty: GaussLegendre(points: 20))

    public static func cdf(_ a: Double, _ b: Double, correlation rho: Double) -> Double {
        upperTail(-a, -b, rho)
    }

    static func rule(_ r: Double) -> GaussLegendre {
        abs(r) < 0.3 ? rules.six : abs(r) < 0.75 ? rules.twelve : rules.twenty
    }

    /// M(a, b; ρ) for many (a, b) at one ρ, as Bjerksund-Stensland's ψ needs twenty times per
    /// price: below |ρ| = 0.925 the quadrature's nodes depend on ρ alone, so their sines are taken
    /// once here instead of at every call.
    public struct FixedCorrelation: Sendable {
        public let correlation: Double
        let arcsine: Double
        /// Per node: its weight, sin θ and 1/cos²θ.
        let nodes: [(weight: Double, sine: Double, secant2: Double)]

        public init(_ rho: Double) {
            correlation = rho
            guard abs(rho) < 0.925 else { arcsine = 0; nodes = []; return }
            let asr = asin(rho)
            arcsine = asr
            let rule = BivariateNormal.rule(rho)
            nodes = zip(rule.nodes, rule.weights).map { x, w in
                // Nodes on [−1, 1] mapped to [0, asin ρ].
                let sn = sin(0.5 * asr * (x + 1))
                return (w, sn, 1 / (1 - sn * sn))
            }
        }

        public func cdf(_ a: Double, _ b: Double) -> Double { upperTail(-a, -b) }

        /// P(X > h, Y > k): Drezner and Wesolowsky's ∫₀^{asin ρ} exp((sinθ·hk − hs)/cos²θ) dθ.
        func upperTail(_ h: Double, _ k: Double) -> Double {
            upperTail(h, k, independent: Normal.cdf(-h) * Normal.cdf(-k))
        }

        /// The same, given Φ(−h)·Φ(−k) (the value at ρ = 0), which a caller with several pairs
        /// computes for all of them in one vector call.
        func upperTail(_ h: Double, _ k: Double, independent: Double) -> Double {
            guard !nodes.isEmpty else { return BivariateNormal.upperTail(h, k, correlation) }
            let hk = h * k, hs = 0.5 * (h * h + k * k)
            // The nodes' exponentials in one vector math call: they were most of the time.
            let n = nodes.count
            let sum = withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { scratch in
                let x = scratch.baseAddress!
                for (i, node) in nodes.enumerated() { x[i] = (node.sine * hk - hs) * node.secant2 }
                VectorMath.exp(x, x, n)
                var sum = 0.0
                for (i, node) in nodes.enumerated() { sum += node.weight * x[i] }
                return sum
            }
            return sum * arcsine / (4 * Double.pi) + independent
        }
    }

    /// P(X > h, Y > k).
    static func upperTail(_ h: Double, _ kIn: Double, _ r: Double) -> Double {
        if abs(r) < 0.925 { return FixedCorrelation(r).upperTail(h, kIn) }
        let rule = rule(r)
        var k = kIn
        var hk = h * k
        var result = 0.0
        if r < 0 { k = -k; hk = -hk }
        if abs(r) < 1 {
            let ass = (1 - r) * (1 + r)
            var a = ass.squareRoot()
            let bs = (h - k) * (h - k)
            let c = (4 - hk) / 8, d = (12 - hk) / 16
            result = a * exp(-0.5 * (bs / ass + hk)) * (1 - c * (bs - ass) * (1 - d * bs / 5) / 3 + c * d * ass * ass / 5)
            if hk > -160 {
                let b = bs.squareRoot()
                result -= exp(-0.5 * hk) * (2 * Double.pi).squareRoot() * Normal.cdf(-b / a) * b * (1 - c * bs * (1 - d * bs / 5) / 3)
            }
            a *= 0.5
            for (x, w) in zip(rule.nodes, rule.weights) {
                let xs = (a * (x + 1)) * (a * (x + 1))
                let rs = (1 - xs).squareRoot()
                let exponent = -0.5 * (bs / xs + hk)
                if exponent > -100 {
                    result += a * w * exp(exponent) * (exp(-hk * (1 - rs) / (2 * (1 + rs))) / rs - (1 + c * xs * (1 + d * xs)))
                }
            }
            result = -result / (2 * Double.pi)
        }
        if r > 0 { return result + Normal.cdf(-max(h, k)) }
        result = -result
        if k > h { result += Normal.cdf(k) - Normal.cdf(h) }
        return result
    }
}
