#if canImport(Glibc)
import Glibc
#endif

/// The standard normal distribution, to full double precision in both tails.
///
/// `Φ(x) = erfc(−x/√2)/2`: libm's `erfc` keeps its relative accuracy far into the tails, where
/// `1 − Φ(−x)` would lose every digit.
public enum Normal {
    @inline(__always)
    public static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x * 0.707_106_781_186_547_524_4) }

    @inline(__always)
    public static func pdf(_ x: Double) -> Double { 0.398_942_280_401_432_677_94 * exp(-0.5 * x * x) }
}
