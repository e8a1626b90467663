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

    /// P(X > h, Y > k).
    static func upperTail(_ h: Double, _ kIn: Double, _ r: Double) -> Double {
        let rule = abs(r) < 0.3 ? rules.six : abs(r) < 0.75 ? rules.twelve : rules.twenty
        var k = kIn
        var hk = h * k
        var result = 0.0
        if abs(r) < 0.925 {
            let hs = 0.5 * (h * h + k * k)
            let asr = asin(r)
            for (x, w) in zip(rule.nodes, rule.weights) {
                // Nodes on [−1, 1] mapped to [0, asr]: ∫₀^{asin r} exp((sinθ·hk − hs)/cos²θ) dθ.
                let sn = sin(0.5 * asr * (x + 1))
                result += w * exp((sn * hk - hs) / (1 - sn * sn))
            }
            return result * asr / (4 * Double.pi) + Normal.cdf(-h) * Normal.cdf(-k)
        }
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
