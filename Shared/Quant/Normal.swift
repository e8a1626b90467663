#if canImport(Glibc)
import Glibc
#endif

/// The standard normal distribution, to full double precision in both tails.
///
/// `Φ(x) = erfc(−x/√2)/2`: libm's `erfc` keeps its relative accuracy far into the tails, where
/// `1 − Φ(−x)` would lose every digit.
public enum Normal {
    static let oneOverSqrtTwoPi = 0.398_942_280_401_432_677_94
    static let sqrtTwoPi = 2.506_628_274_631_000_502_4
    static let oneOverSqrtTwo = 0.707_106_781_186_547_524_4

    @inline(__always)
    public static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x * oneOverSqrtTwo) }

    @inline(__always)
    public static func pdf(_ x: Double) -> Double { oneOverSqrtTwoPi * exp(-0.5 * x * x) }

    /// Φ⁻¹(p) to full precision for p in (0, 1): Acklam's rational approximation (relative error
    /// 1.2e-9) polished by one Halley step on `erfc`, which triples the digits.
    public static func inverseCDF(_ p: Double) -> Double {
        guard p > 0 else { return -.infinity }
        guard p < 1 else { return .infinity }
        let x = acklam(p)
        // Halley on Φ(x) − p, with the ratio (Φ(x) − p)/φ(x) formed in logs so that neither factor
        // overflows or underflows for p down to the smallest double.
        let phi = cdf(x)
        let e = phi - p
        guard e != 0 else { return x }
        let u = e.sign == .minus
            ? -exp(log(-e) + 0.5 * x * x + log(sqrtTwoPi))
            : exp(log(e) + 0.5 * x * x + log(sqrtTwoPi))
        return x - u / (1 + 0.5 * x * u)
    }

    /// P. J. Acklam's algorithm for the normal quantile (2003), before refinement.
    static func acklam(_ p: Double) -> Double {
        let low = 0.024_25
        if p < low || p > 1 - low {
            let q = p < low ? (-2 * log(p)).squareRoot() : (-2 * log1p(-p)).squareRoot()
            let num = (((((-7.784_894_002_430_293e-03 * q - 3.223_964_580_411_365e-01) * q - 2.400_758_277_161_838e+00) * q
                - 2.549_732_539_343_734e+00) * q + 4.374_664_141_464_968e+00) * q + 2.938_163_982_698_783e+00)
            let den = ((((7.784_695_709_041_462e-03 * q + 3.224_671_290_700_398e-01) * q + 2.445_134_137_142_996e+00) * q
                + 3.754_408_661_907_416e+00) * q + 1)
            return p < low ? num / den : -num / den
        }
        let q = p - 0.5
        let r = q * q
        let num = (((((-3.969_683_028_665_376e+01 * r + 2.209_460_984_245_205e+02) * r - 2.759_285_104_469_687e+02) * r
            + 1.383_577_518_672_690e+02) * r - 3.066_479_806_614_716e+01) * r + 2.506_628_277_459_239e+00) * q
        let den = (((((-5.447_609_879_822_406e+01 * r + 1.615_858_368_580_409e+02) * r - 1.556_989_798_598_866e+02) * r
            + 6.680_131_188_771_972e+01) * r - 1.328_068_155_288_572e+01) * r + 1)
        return num / den
    }

    /// The scaled complementary error function `erfcx(y) = e^{y²}·erfc(y)`.
    ///
    /// For y < 26 it multiplies libm's `erfc` by `e^{y²}`, taking y² as a rounded square plus its
    /// exact error (by fused multiply-add) so the exponential does not amplify the rounding of y²;
    /// beyond, where `erfc` underflows, the asymptotic series `1/(y√π)·Σ (−1)ᵏ(2k−1)!!/(2y²)ᵏ`.
    public static func erfcx(_ y: Double) -> Double {
        if y < 26 {
            return erfcx(y, erfc: erfc(y), expSquare: exp(y * y))
        }
        let inverse = 1 / (2 * y * y)
        var term = 1.0, sum = 1.0
        for k in 1...12 {
            term *= -Double(2 * k - 1) * inverse
            sum += term
        }
        return sum / (y * 1.772_453_850_905_516_027_3)
    }

    /// erfcx(y) from erfc(y) and e^{y²} already computed (the batch computes them a block at a
    /// time): their product, with y² corrected for its rounding, since e^{y²} magnifies it.
    @inline(__always)
    static func erfcx(_ y: Double, erfc erfcY: Double, expSquare: Double) -> Double {
        erfcY * expSquare * (1 + fma(y, y, -(y * y)))
    }
}

extension Normal {
    /// ln Φ(x), finite far into the lower tail where Φ itself underflows: there
    /// `Φ(x) = erfcx(−x/√2)/2·e^{−x²/2}`.
    public static func logCDF(_ x: Double) -> Double {
        if x > -5 { return x > 0 ? log1p(-cdf(-x)) : log(cdf(x)) }
        return log(0.5 * erfcx(-x * oneOverSqrtTwo)) - 0.5 * x * x
    }
}
