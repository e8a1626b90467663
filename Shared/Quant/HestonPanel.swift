import ComplexModule

extension Heston {
    /// C(u − i/2), D(u − i/2) of the little-trap characteristic function of ln(S_T/F), and
    /// φ = exp(C + D·v0), at `n` nodes at once: the complex arithmetic per node in plain loops,
    /// the exp, log, sin, cos and atan2 of all nodes through ``VectorMath``, where a node at a
    /// time spent most of its time. With z = u − i/2: β = κ − ρξ·iz, d = √(β² + ξ²(iz + z²)),
    /// g = (β − d)/(β + d), C = κθ/ξ²·((β − d)T − 2 ln((1 − g e^{−dT})/(1 − g))),
    /// D = (β − d)/ξ² · (1 − e^{−dT})/(1 − g e^{−dT}); on Im u = −½, iz + z² = u² + ¼ is real.
    static func exponents(u: UnsafePointer<Double>, count n: Int, time T: Double, _ p: Parameters,
                          c: UnsafeMutablePointer<Complex<Double>>, d: UnsafeMutablePointer<Complex<Double>>,
                          phi: UnsafeMutablePointer<Complex<Double>>) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 8 * n) { scratch in
            let s = scratch.baseAddress!
            let dRe = s, dIm = s + n, a = s + 2 * n, b = s + 3 * n, e = s + 4 * n, cosine = s + 5 * n, sine = s + 6 * n, angle = s + 7 * n
            let xi2 = p.xi * p.xi, betaRe = p.kappa - 0.5 * p.rho * p.xi
            // d = √(β² + ξ²(u² + ¼)), principal branch, with β = κ − ρξ·i·z.
            for j in 0..<n {
                let betaIm = -p.rho * p.xi * u[j]
                let re = betaRe * betaRe - betaIm * betaIm + xi2 * (u[j] * u[j] + 0.25), im = 2 * betaRe * betaIm
                let modulus = (re * re + im * im).squareRoot()
                if re >= 0 {
                    let r = (0.5 * (modulus + re)).squareRoot()
                    (dRe[j], dIm[j]) = (r, r > 0 ? im / (2 * r) : 0)
                } else {
                    let i = (0.5 * (modulus - re)).squareRoot()
                    let signed = im < 0 ? -i : i
                    (dRe[j], dIm[j]) = (im / (2 * signed), signed)
                }
                a[j] = -dRe[j] * T
                b[j] = -dIm[j] * T
            }
            // e^{−dT}
            VectorMath.exp(a, e, n)
            VectorMath.cos(b, cosine, n)
            VectorMath.sin(b, sine, n)
            // g = (β − d)/(β + d); ratio = (1 − g·e^{−dT})/(1 − g), whose log needs |ratio|² and its angle.
            for j in 0..<n {
                let betaIm = -p.rho * p.xi * u[j]
                let minus = Complex(betaRe - dRe[j], betaIm - dIm[j]), plus = Complex(betaRe + dRe[j], betaIm + dIm[j])
                let g = minus / plus
                let expD = Complex(e[j] * cosine[j], e[j] * sine[j])
                let numerator = Complex(1) - g * expD
                let ratio = numerator / (Complex(1) - g)
                a[j] = ratio.real * ratio.real + ratio.imaginary * ratio.imaginary
                b[j] = ratio.imaginary
                angle[j] = ratio.real
                d[j] = minus.divided(by: xi2) * (Complex(1) - expD) / numerator
                // C without its log term yet: (β − d)·T·κθ/ξ².
                c[j] = minus.multiplied(by: T * p.kappa * p.theta / xi2)
            }
            VectorMath.log(a, a, n)
            VectorMath.atan2(b, angle, angle, n)
            let scale = 2 * p.kappa * p.theta / xi2
            for j in 0..<n {
                c[j] = c[j] - Complex(0.5 * a[j], angle[j]).multiplied(by: scale)
                let x = c[j] + d[j].multiplied(by: p.v0)
                a[j] = x.real
                b[j] = x.imaginary
            }
            VectorMath.exp(a, e, n)
            VectorMath.cos(b, cosine, n)
            VectorMath.sin(b, sine, n)
            for j in 0..<n { phi[j] = Complex(e[j] * cosine[j], e[j] * sine[j]) }
        }
    }
}
