/// Delbourgo and Gregory's shape-preserving rational cubic ("Shape preserving piecewise rational
/// interpolation", SIAM J. Sci. Stat. Comput. 1985), the interpolant behind the initial guesses of
/// "Let's Be Rational": on one interval it matches values and slopes at both ends, and its control
/// parameter r chooses between a cubic (r = 3) and a straight line (r → ∞), which lets it match a
/// second derivative at one end while staying convex or monotone when the data are.
struct RationalCubic {
    let xl, xr, yl, yr, dl, dr: Double
    let r: Double

    static let minimumR = -(1 - Double.ulpOfOne.squareRoot())
    static let maximumR = 2 / (Double.ulpOfOne * Double.ulpOfOne)

    /// The interpolant whose second derivative at the left (or right) end is `second`, with r raised
    /// as far as needed to keep the data's convexity and monotonicity.
    init(xl: Double, xr: Double, yl: Double, yr: Double, dl: Double, dr: Double,
         secondDerivative second: Double, atLeft: Bool, preferShape: Bool) {
        (self.xl, self.xr, self.yl, self.yr, self.dl, self.dr) = (xl, xr, yl, yr, dl, dr)
        let h = xr - xl
        let slope = (yr - yl) / h
        // From R''(end) = second solved for r (equations (2.4)–(2.5) differentiated twice).
        let numerator = 0.5 * h * second + (dr - dl)
        let denominator = atLeft ? slope - dl : dr - slope
        let fitted: Double
        if abs(numerator) < .leastNormalMagnitude {
            fitted = 0
        } else if abs(denominator) < .leastNormalMagnitude {
            fitted = numerator > 0 ? Self.maximumR : Self.minimumR
        } else {
            fitted = numerator / denominator
        }
        r = max(fitted, Self.shapePreservingMinimum(dl: dl, dr: dr, slope: slope, preferShape: preferShape))
    }

    func callAsFunction(_ x: Double) -> Double {
        let h = xr - xl
        guard abs(h) > 0 else { return 0.5 * (yl + yr) }
        let t = (x - xl) / h
        guard r < Self.maximumR else { return yr * t + yl * (1 - t) }
        let u = 1 - t
        return (yr * t * t * t + (r * yr - h * dr) * t * t * u + (r * yl + h * dl) * t * u * u + yl * u * u * u)
            / (1 + (r - 3) * t * u)
    }

    /// The smallest r that keeps a monotone interval monotone (condition (3.8)) and a convex or
    /// concave one so (condition (3.18)).
    static func shapePreservingMinimum(dl: Double, dr: Double, slope s: Double, preferShape: Bool) -> Double {
        let monotone = dl * s >= 0 && dr * s >= 0
        let convex = dl <= s && s <= dr
        let concave = dl >= s && s >= dr
        guard monotone || convex || concave else { return minimumR }
        var r1 = -Double.greatestFiniteMagnitude, r2 = r1
        if monotone {
            if abs(s) >= .leastNormalMagnitude { r1 = (dr + dl) / s } else if preferShape { r1 = maximumR }
        }
        if convex || concave {
            let left = s - dl, right = dr - s
            if abs(left) >= .leastNormalMagnitude && abs(right) >= .leastNormalMagnitude {
                r2 = max(abs((dr - dl) / right), abs((dr - dl) / left))
            } else if preferShape {
                r2 = maximumR
            }
        } else if monotone && preferShape {
            r2 = maximumR
        }
        return max(minimumR, r1, r2)
    }
}
