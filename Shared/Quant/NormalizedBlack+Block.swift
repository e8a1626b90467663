#if canImport(Glibc)
import Glibc
#endif

extension NormalizedBlack {
    /// Below this h the small-t series is left to the scalar path: its `a = 1 + hY(h)` cancels
    /// like 1/h², which would magnify the vector functions' few-ulp errors (libm's are 1 ulp).
    static let vectorSmallTLimit = -4.0

    /// b at s_c = √(2|x|) for `n` items, where the guess starts. There h = −t = −√(|x|/2), so the
    /// erfc form's first erfc is erfc(0) = 1 and its second erfc(√|x|), and the series'
    /// exponential e^{−(h²+t²)/2} is e^{x/2} itself: one vector call where ``callAndVega`` makes
    /// three (the vega at s_c needs none: it is e^{x/2}/√(2π)).
    static func callAtCentre(x: UnsafePointer<Double>, bMax: UnsafePointer<Double>, b: UnsafeMutablePointer<Double>, count n: Int) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * n) { buffer in
            let y2 = buffer.baseAddress!, z = y2 + n, z2 = y2 + 2 * n
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * n) { lanes in
                let plainItems = lanes.baseAddress!, seriesItems = plainItems + n, scalarItems = plainItems + 2 * n
                var plain = 0, series = 0, scalar = 0
                for i in 0..<n {
                    let t = (0.5 * abs(x[i])).squareRoot()
                    if x[i] == 0 {
                        b[i] = 0  // s_c = 0
                    } else if t < smallT {
                        z[series] = Normal.oneOverSqrtTwo * t
                        z2[series] = z[series] * z[series]
                        seriesItems[series] = i
                        series += 1
                    } else if abs(x[i]) < 676 {  // √|x| < 26, and x > −700
                        y2[plain] = abs(x[i]).squareRoot()
                        plainItems[plain] = i
                        plain += 1
                    } else {
                        scalarItems[scalar] = i
                        scalar += 1
                    }
                }
                VectorMath.erfc(y2, y2, plain)
                VectorMath.erfc(z, z, series)
                VectorMath.exp(z2, z2, series)
                for l in 0..<plain {
                    let i = plainItems[l]
                    b[i] = max(0.5 * (bMax[i] - y2[l] / bMax[i]), 0)
                }
                for l in 0..<series {
                    let i = seriesItems[l], t = (0.5 * abs(x[i])).squareRoot()
                    let erfcx = Normal.erfcx(Normal.oneOverSqrtTwo * t, erfc: z[l], expSquare: z2[l])
                    let a = 1 - t * (0.5 * Normal.sqrtTwoPi) * erfcx
                    b[i] = max(Normal.oneOverSqrtTwoPi * bMax[i] * smallTSeries(h: -t, t: t, a: a), 0)
                }
                for l in 0..<scalar {
                    let i = scalarItems[l]
                    b[i] = call(x: x[i], s: (2 * abs(x[i])).squareRoot(), bMax: bMax[i])
                }
            }
        }
    }

    /// b(x, s) and ∂b/∂s for `n` items (x ≤ 0, `bMax` = e^{x/2}), their transcendentals through
    /// vector math: five calls over compacted runs instead of two or three libm calls per item.
    ///
    /// The erfc form and the small-t series (for h ≥ ``vectorSmallTLimit``) are vectorized; the
    /// rarer regions (the asymptotic series, underflow) take the scalar ``call(x:s:bMax:)``. The
    /// small-t series and the vega share one exponential, e^{−(h²+t²)/2}.
    static func callAndVega(x: UnsafePointer<Double>, s: UnsafePointer<Double>, bMax: UnsafePointer<Double>,
                            b: UnsafeMutablePointer<Double>, vega: UnsafeMutablePointer<Double>, count n: Int) {
        // Per item: h and the vega's exponent. Per region, compacted: the erfc form's two erfc
        // arguments, the series' erfc argument and e^{z²} argument; and which item each lane is.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 6 * n) { buffer in
            let hs = buffer.baseAddress!, gauss = hs + n
            let y1 = hs + 2 * n, y2 = hs + 3 * n, z = hs + 4 * n, z2 = hs + 5 * n
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * n) { lanes in
                let plainItems = lanes.baseAddress!, seriesItems = plainItems + n, scalarItems = plainItems + 2 * n
                var plain = 0, series = 0, scalar = 0
                // Branch-free first, so the divisions pipeline; then the regions.
                for i in 0..<n {
                    let h = x[i] / s[i], t = 0.5 * s[i]
                    hs[i] = h
                    gauss[i] = -0.5 * (h * h + t * t)
                }
                for i in 0..<n {
                    let h = hs[i], t = 0.5 * s[i]
                    if s[i] <= -x[i] * .leastNormalMagnitude || (h < asymptoticThreshold && h + t < asymptoticThreshold + smallT) {
                        scalarItems[scalar] = i
                        scalar += 1
                    } else if t < smallT {
                        guard h >= vectorSmallTLimit else {
                            scalarItems[scalar] = i
                            scalar += 1
                            continue
                        }
                        z[series] = -Normal.oneOverSqrtTwo * h
                        z2[series] = z[series] * z[series]
                        seriesItems[series] = i
                        series += 1
                    } else {
                        let a = -Normal.oneOverSqrtTwo * (h + t), c = -Normal.oneOverSqrtTwo * (h - t)
                        guard c < 26 && x[i] > -700 else {
                            scalarItems[scalar] = i
                            scalar += 1
                            continue
                        }
                        (y1[plain], y2[plain]) = (a, c)
                        plainItems[plain] = i
                        plain += 1
                    }
                }
                VectorMath.erfc(y1, y1, plain)
                VectorMath.erfc(y2, y2, plain)
                VectorMath.erfc(z, z, series)
                VectorMath.exp(z2, z2, series)
                VectorMath.exp(gauss, gauss, n)
                for l in 0..<plain {
                    let i = plainItems[l]
                    b[i] = max(0.5 * (y1[l] * bMax[i] - y2[l] / bMax[i]), 0)
                    vega[i] = Normal.oneOverSqrtTwoPi * gauss[i]
                }
                for l in 0..<series {
                    let i = seriesItems[l], h = hs[i]
                    vega[i] = Normal.oneOverSqrtTwoPi * gauss[i]
                    let erfcx = Normal.erfcx(-Normal.oneOverSqrtTwo * h, erfc: z[l], expSquare: z2[l])
                    let a = 1 + h * (0.5 * Normal.sqrtTwoPi) * erfcx
                    b[i] = max(vega[i] * smallTSeries(h: h, t: 0.5 * s[i], a: a), 0)
                }
                // The rest: the asymptotic series, underflow, the scaled form, the series far out.
                for l in 0..<scalar {
                    let i = scalarItems[l]
                    b[i] = call(x: x[i], s: s[i], bMax: bMax[i])
                    vega[i] = NormalizedBlack.vega(x: x[i], s: s[i])
                }
            }
        }
    }
}
