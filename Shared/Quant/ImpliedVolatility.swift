#if canImport(Glibc)
import Glibc
#endif

/// Implied volatility for Black-76 and Black-Scholes-Merton prices.
///
/// Works in normalized Black terms (x = ln(F/K), s = σ√T, b = undiscounted price / √(FK)) on the
/// out-of-the-money side: an in-the-money price is first turned into its out-of-the-money twin by
/// put-call parity, since only the time value carries information about σ. It then solves
/// ln b(s) = ln b* by Newton's method inside a bracket that only shrinks, falling back to
/// bisection whenever a step would leave it, until the step is below a few ulps of s.
///
/// - Note: an interim solver. It converges for every valid input, but takes 4–40 iterations
///   rather than the two of Jäckel's "Let's Be Rational", and in the far wings (|x| ≫ s) the
///   normalized price loses digits to cancellation. LBR replaces it (issue 3).
public enum ImpliedVolatility {
    /// σ from a Black-Scholes-Merton price.
    public static func bsm(_ kind: OptionKind, price: Double, spot S: Double, strike K: Double, time T: Double,
                           rate r: Double, dividend q: Double) throws -> Double {
        try Validate.positive(S, "S")
        try Validate.finite(q, "q")
        return try black76(kind, price: price, forward: S * exp((r - q) * T), strike: K, time: T, rate: r)
    }

    /// σ from a Black-76 price on forward `F`.
    /// - Throws: ``QuantError/priceBelowIntrinsic(price:intrinsic:)`` or
    ///   ``QuantError/priceAboveBound(price:bound:)`` for prices no volatility produces.
    public static func black76(_ kind: OptionKind, price: Double, forward F: Double, strike K: Double, time T: Double,
                               rate r: Double) throws -> Double {
        try Validate.positive(F, "S (forward)")
        try Validate.positive(K, "K")
        try Validate.positive(T, "T")
        try Validate.finite(r, "r")
        try Validate.finite(price, "price")
        let discount = exp(-r * T)
        var w = kind.sign
        var p = price / discount
        let intrinsic = max(w * (F - K), 0)
        let bound = kind == .call ? F : K
        guard p > intrinsic else { throw QuantError.priceBelowIntrinsic(price: price, intrinsic: intrinsic * discount) }
        guard p < bound else { throw QuantError.priceAboveBound(price: price, bound: bound * discount) }
        let x = log(F / K)
        if w * x > 0 {
            p -= w * (F - K)  // put-call parity: the out-of-the-money twin
            w = -w
        }
        let target = p / (F * K).squareRoot()
        let s = try solve(target: target, x: x, w: w)
        return s / T.squareRoot()
    }

    /// Normalized undiscounted Black price, out of the money (w·x ≤ 0).
    @inline(__always)
    static func normalized(x: Double, s: Double, w: Double) -> (b: Double, vega: Double) {
        let d1 = x / s + 0.5 * s
        let d2 = d1 - s
        let b = w * (exp(0.5 * x) * Normal.cdf(w * d1) - exp(-0.5 * x) * Normal.cdf(w * d2))
        return (b, exp(0.5 * x) * Normal.pdf(d1))
    }

    static func solve(target: Double, x: Double, w: Double) throws -> Double {
        let logTarget = log(target)
        var lo = 0.0
        var hi = Double.infinity
        // Start at the inflection point s = √(2|x|), where the normalized price is steepest, or
        // from the at-the-money approximation b ≈ s/√(2π).
        var s = x == 0 ? max(target * 2.506_628_274_631_000_5, 1e-8) : (2 * abs(x)).squareRoot()
        for _ in 0..<200 {
            let (b, vega) = normalized(x: x, s: s, w: w)
            if b < target { lo = s } else { hi = s }
            var next: Double
            if b > 0 && vega > 0 {
                // Newton on ln b: well behaved for small prices, where b itself is flat.
                next = s - (log(b) - logTarget) * b / vega
            } else {
                next = s * 2
            }
            if !(next > lo && next < hi) { next = hi.isFinite ? 0.5 * (lo + hi) : max(2 * s, lo * 2) }
            if abs(next - s) <= 4 * Double.ulpOfOne * s { return next }
            s = next
        }
        throw QuantError.noConvergence("implied volatility after 200 iterations (x = \(x), b = \(target))")
    }
}
