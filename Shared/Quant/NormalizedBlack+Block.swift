#if canImport(Glibc)
import Glibc
#endif

extension NormalizedBlack {
    /// Below this h the small-t series is left to the scalar path: its `a = 1 + hY(h)` cancels
    /// like 1/h², which would magnify the vector functions' few-ulp errors (libm's are 1 ulp).
    static let vectorSmallTLimit = -4.0

    /// b(x, s) and ∂b/∂s for `n` items (x ≤ 0, `bMax` = e^{x/2}), their transcendentals through
    /// vector math: four calls for the whole run instead of two or three libm calls per item.
    ///
    /// The erfc form and the small-t series (for h ≥ ``vectorSmallTLimit``) are vectorized; the
    /// rarer regions (the asymptotic series, underflow) take the scalar ``call(x:s:bMax:)``. The
    /// small-t series and the vega share one exponential, e^{−(h²+t²)/2}.
    static func callAndVega(x: UnsafePointer<Double>, s: UnsafePointer<Double>, bMax: UnsafePointer<Double>,
                            b: UnsafeMutablePointer<Double>, vega: UnsafeMutablePointer<Double>, count n: Int) {
        enum Region { case plain, smallT, scalar }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 5 * n) { buffer in
            // First erfc argument (y1, or z for the series), second (y2), exp of z², exp for the vega; h.
            let first = buffer.baseAddress!, second = first + n, square = first + 2 * n, gauss = first + 3 * n, hs = first + 4 * n
            withUnsafeTemporaryAllocation(of: Region.self, capacity: n) { regions in
                for i in 0..<n {
                    let h = x[i] / s[i], t = 0.5 * s[i]
                    hs[i] = h
                    gauss[i] = -0.5 * (h * h + t * t)
                    let region: Region
                    if s[i] <= -x[i] * .leastNormalMagnitude || (h < asymptoticThreshold && h + t < asymptoticThreshold + smallT) {
                        region = .scalar
                    } else if t < smallT {
                        region = h >= vectorSmallTLimit ? .smallT : .scalar
                        let z = -Normal.oneOverSqrtTwo * h
                        (first[i], second[i], square[i]) = (z, 0, z * z)
                    } else {
                        let y1 = -Normal.oneOverSqrtTwo * (h + t), y2 = -Normal.oneOverSqrtTwo * (h - t)
                        region = y2 < 26 && x[i] > -700 ? .plain : .scalar
                        (first[i], second[i], square[i]) = (y1, y2, 0)
                    }
                    regions[i] = region
                }
                VectorMath.erfc(first, first, n)
                VectorMath.erfc(second, second, n)
                VectorMath.exp(square, square, n)
                VectorMath.exp(gauss, gauss, n)
                for i in 0..<n {
                    let h = hs[i]
                    vega[i] = s[i] <= abs(x[i]) * Double.leastNormalMagnitude.squareRoot() && x[i] != 0 ? 0 : Normal.oneOverSqrtTwoPi * gauss[i]
                    switch regions[i] {
                    case .plain:
                        b[i] = max(0.5 * (first[i] * bMax[i] - second[i] / bMax[i]), 0)
                    case .smallT:
                        // erfcx(z) = erfc(z)·e^{z²}, with z² corrected for its rounding as Normal.erfcx does.
                        let z = -Normal.oneOverSqrtTwo * h, z2 = z * z
                        let erfcx = first[i] * square[i] * (1 + fma(z, z, -z2))
                        let a = 1 + h * (0.5 * Normal.sqrtTwoPi) * erfcx
                        b[i] = max(vega[i] * smallTSeries(h: h, t: 0.5 * s[i], a: a), 0)
                    case .scalar:
                        b[i] = call(x: x[i], s: s[i], bMax: bMax[i])
                        vega[i] = NormalizedBlack.vega(x: x[i], s: s[i])
                    }
                }
            }
        }
    }
}
