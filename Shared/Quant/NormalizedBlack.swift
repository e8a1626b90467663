#if canImport(Glibc)
import Glibc
#endif

/// The normalized Black call `b(x, s) = Φ(x/s + s/2)·e^{x/2} − Φ(x/s − s/2)·e^{−x/2}`, with
/// `x = ln(F/K)` and `s = σ√T`: the undiscounted call divided by √(FK). It is what implied
/// volatility inverts, so it must keep its relative digits where it is tiny (far out of the money,
/// tiny s), which the plain formula does not. Four regions, after "Let's Be Rational" (Jäckel,
/// 2015), with h = x/s and t = s/2, so that `b = e^{−(h²+t²)/2}/√(2π)·[Y(h+t) − Y(h−t)]` where
/// `Y = Φ/φ` is Mills' ratio turned around.
enum NormalizedBlack {
    /// Beyond this |h| (h < −10) Y's asymptotic series converges to full precision.
    static let asymptoticThreshold = -10.0
    /// Below this t the Taylor series of `Y(h+t) − Y(h−t)` in t is exact to double precision.
    /// 2·ε^{1/16}, as a literal: a computed static costs a lazy-initialization check per use.
    static let smallT = 0.21022410381342863

    /// b(x, s) for any x: in the money it is the intrinsic value plus the out-of-the-money twin.
    /// `bMax` is e^{x/2} when the caller has it (implied volatility evaluates b many times at one x).
    static func call(x: Double, s: Double, bMax knownBMax: Double? = nil) -> Double {
        if x > 0 { return intrinsic(x) + call(x: -x, s: s) }
        if s <= -x * .leastNormalMagnitude { return 0 }
        let h = x / s, t = 0.5 * s
        if h < asymptoticThreshold && h + t < asymptoticThreshold + smallT { return asymptotic(h: h, t: t) }
        if t < smallT { return smallTExpansion(h: h, t: t) }
        let c = Normal.oneOverSqrtTwo
        let y1 = -c * (h + t), y2 = -c * (h - t)
        // Since h·t = x/2, e^{−(h²+t²)/2}·erfcx(y) = erfc(y)·e^{±x/2}: where neither erfc
        // underflows (y < 26) nor e^{x/2} does, b = (erfc(y1)·e^{x/2} − erfc(y2)·e^{−x/2})/2 costs
        // two erfc and no exponential, and is as accurate as the scaled form.
        if y2 < 26 && x > -700 {
            let bMax = knownBMax ?? exp(0.5 * x)
            return max(0.5 * (erfc(y1) * bMax - erfc(y2) / bMax), 0)
        }
        return max(0.5 * exp(-0.5 * (h * h + t * t)) * (Normal.erfcx(y1) - Normal.erfcx(y2)), 0)
    }

    /// ∂b/∂s.
    @inline(__always)
    static func vega(x: Double, s: Double) -> Double {
        if x == 0 { return Normal.oneOverSqrtTwoPi * exp(-0.125 * s * s) }
        if s <= abs(x) * Double.leastNormalMagnitude.squareRoot() { return 0 }
        let h = x / s
        return Normal.oneOverSqrtTwoPi * exp(-0.5 * (h * h + 0.25 * s * s))
    }

    /// `e^{x/2} − e^{−x/2}` for x > 0, by its series near 0 where the subtraction would cancel.
    static func intrinsic(_ x: Double) -> Double {
        guard x > 0 else { return 0 }
        let x2 = x * x
        if x2 < 98 * Double.ulpOfOne.squareRoot().squareRoot() {
            return x * (1 + x2 * (1.0 / 24 + x2 * (1.0 / 1920 + x2 * (1.0 / 322_560 + x2 / 92_897_280))))
        }
        let e = exp(0.5 * x)
        return e - 1 / e
    }

    /// h < −10: `Y(z) ~ Σ (−1)ᵏ(2k−1)!!/|z|^{2k+1}`, differenced term by term. With a = |h+t| and
    /// c = |h−t| = a + 2t, each term is `a^{−(2k+1)}·(1 − (a/c)^{2k+1})`, and the bracket comes from
    /// `expm1`/`log1p` of 2t/c, so no two nearly equal numbers are ever subtracted.
    static func asymptotic(h: Double, t: Double) -> Double {
        let a = -(h + t), c = -(h - t)
        let logRatio = log1p(-2 * t / c)
        let inverseA2 = 1 / (a * a)
        var power = 1 / a   // (2k−1)!!·(−1)ᵏ / a^{2k+1}
        var sum = 0.0
        var previous = Double.infinity
        for k in 0..<60 {
            let term = power * -expm1(Double(2 * k + 1) * logRatio)
            if abs(term) >= previous { break }  // the asymptotic series has started to diverge
            sum += term
            if abs(term) <= 1e-17 * abs(sum) { break }
            previous = abs(term)
            power *= -Double(2 * k + 1) * inverseA2
        }
        return max(Normal.oneOverSqrtTwoPi * exp(-0.5 * (h * h + t * t)) * sum, 0)
    }

    /// t < τ: `Y(h+t) − Y(h−t) = 2 Σ Y^{(2k+1)}(h)·t^{2k+1}/(2k+1)!`. From `Y′ = 1 + hY` every odd
    /// derivative is a polynomial in h² and `a = 1 + hY(h)` (a from erfcx, accurate for h ≤ 0;
    /// near h = −10 a is a cancellation, so erfcx's argument and its exponential must match);
    /// the p's below are that recurrence worked out to order 13.
    static func smallTExpansion(h: Double, t: Double) -> Double {
        let a = 1 + h * (0.5 * Normal.sqrtTwoPi) * Normal.erfcx(-Normal.oneOverSqrtTwo * h)
        return max(Normal.oneOverSqrtTwoPi * exp(-0.5 * (h * h + t * t)) * smallTSeries(h: h, t: t, a: a), 0)
    }

    /// `Y(h+t) − Y(h−t)` from `a = 1 + hY(h)`: b is this times e^{−(h²+t²)/2}/√(2π).
    @inline(__always)
    static func smallTSeries(h: Double, t: Double, a: Double) -> Double {
        let w = t * t, H = h * h
        let p3 = (3 + H) * a - 1
        let p5 = (15 + H * (10 + H)) * a - (7 + H)
        let p7 = (105 + H * (105 + H * (21 + H))) * a - (57 + H * (18 + H))
        let p9 = (945 + H * (1260 + H * (378 + H * (36 + H)))) * a - (561 + H * (285 + H * (33 + H)))
        let p11 = (10395 + H * (17325 + H * (6930 + H * (990 + H * (55 + H))))) * a
            - (6555 + H * (4680 + H * (840 + H * (52 + H))))
        let p13 = (135_135 + H * (270_270 + H * (135_135 + H * (25740 + H * (2145 + H * (78 + H)))))) * a
            - (89055 + H * (82845 + H * (20370 + H * (1926 + H * (75 + H)))))
        // 1/(2k+1)!, folded by the compiler: multiplications, not a chain of divisions.
        let f3: Double = 1.0 / 6, f5: Double = 1.0 / 120, f7: Double = 1.0 / 5040
        let f9: Double = 1.0 / 362_880, f11: Double = 1.0 / 39_916_800, f13: Double = 1.0 / 6_227_020_800
        var sum: Double = p11 * f11 + w * (p13 * f13)
        sum = p9 * f9 + w * sum
        sum = p7 * f7 + w * sum
        sum = p5 * f5 + w * sum
        sum = p3 * f3 + w * sum
        sum = a + w * sum
        return 2 * t * sum
    }
}
