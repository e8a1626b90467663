#if canImport(Glibc)
import Glibc
#endif

/// Bjerksund and Stensland's closed-form approximations for American options. Each values the
/// option under an exercise rule that is close to optimal (so each is a lower bound): the 1993
/// version uses one flat boundary until expiry; the 2002 one ("Closed Form Valuation of American
/// Options", NHH discussion paper 2002) a flat boundary on each of two intervals split at
/// t1 = (√5 − 1)/2·T, which brings in the bivariate normal and is the more accurate. Puts by the
/// put-call transformation P(S, K, r, q) = C(K, S, q, r).
///
/// QuantLib's BjerksundStenslandApproximationEngine (1.44) is the 1993 version, so `version1993`
/// is there to be checked against it.
public enum BjerksundStensland {
    public enum Version: Sendable { case version1993, version2002 }

    public static func price(_ o: OptionInputs) throws -> Double { try price(o, version: .version2002) }

    public static func price(_ o: OptionInputs, version: Version) throws -> Double {
        try o.validate()
        let (S, K, r, q) = o.kind == .call ? (o.spot, o.strike, o.rate, o.dividend) : (o.strike, o.spot, o.dividend, o.rate)
        if q <= 0 { return try o.blackScholes().price }  // a call on an asset that costs nothing to hold is never exercised early
        let european = try o.blackScholes().price
        let approximation = switch version {
        case .version1993: call1993(S: S, X: K, T: o.time, r: r, b: r - q, sigma: o.volatility)
        case .version2002: call(S: S, X: K, T: o.time, r: r, b: r - q, sigma: o.volatility)
        }
        // The approximation, holding to expiry and exercising now are all values of feasible
        // exercise rules, so the largest is the best lower bound (at high volatility the flat
        // boundary loses to holding; near the boundary, to exercising now).
        return max(approximation, european, max(o.kind.sign * (o.spot - o.strike), 0))
    }

    public static func greeks(_ o: OptionInputs, version: Version = .version2002) throws -> Greeks {
        try FiniteDifferenceGreeks.greeks(o) { try price($0, version: version) }
    }

    /// β, the perpetual boundary B∞ and the boundary's floor B0, shared by both versions.
    static func boundaries(X: Double, r: Double, b: Double, v2: Double) -> (beta: Double, bInfinity: Double, b0: Double) {
        let beta = (0.5 - b / v2) + ((b / v2 - 0.5) * (b / v2 - 0.5) + 2 * r / v2).squareRoot()
        return (beta, beta / (beta - 1) * X, r == b ? X : max(X, r / (r - b) * X))
    }

    static func call1993(S: Double, X: Double, T: Double, r: Double, b: Double, sigma v: Double) -> Double {
        let (beta, bInfinity, b0) = boundaries(X: X, r: r, b: b, v2: v * v)
        let h = -(b * T + 2 * v * T.squareRoot()) * b0 / (bInfinity - b0)
        let i = b0 + (bInfinity - b0) * (1 - exp(h))
        if S >= i { return S - X }
        let m = Model(S: S, r: r, b: b, v: v, t1: T, T: T)
        // α·S^β with α = (I − X)·I^{−β}, kept as (I − X)·(S/I)^β in logs: S^β alone overflows at low vol.
        // (When the boundary formula puts I below X, as it can when the carry is negative, the
        // coefficient is negative; its sign is carried apart from its logarithm.)
        let lnI = log(i), lnX = log(X)
        let alpha = log(abs(i - X)) + beta * (m.lnS - lnI), sign = i >= X ? 1.0 : -1.0
        return sign * exp(alpha) + m.phiSum([
            .init(weight: -sign, t: T, gamma: beta, lnH: lnI, lnI: lnI, logScale: alpha),
            .init(weight: 1, t: T, gamma: 1, lnH: lnI, lnI: lnI, logScale: m.lnS),
            .init(weight: -1, t: T, gamma: 1, lnH: lnX, lnI: lnI, logScale: m.lnS),
            .init(weight: -1, t: T, gamma: 0, lnH: lnI, lnI: lnI, logScale: lnX),
            .init(weight: 1, t: T, gamma: 0, lnH: lnX, lnI: lnI, logScale: lnX),
        ])
    }

    /// t1/T of the 2002 version, (√5 − 1)/2.
    static let split = 0.5 * (5.0.squareRoot() - 1)
    /// ψ's bivariate normals are all at ρ = ±√(t1/T), the same for every option: their
    /// quadrature tables are built once.
    static let correlations = (BivariateNormal.FixedCorrelation(split.squareRoot()), BivariateNormal.FixedCorrelation(-split.squareRoot()))

    static func call(S: Double, X: Double, T: Double, r: Double, b: Double, sigma v: Double) -> Double {
        let (beta, bInfinity, b0) = boundaries(X: X, r: r, b: b, v2: v * v)
        let t1 = split * T
        let h1 = -(b * t1 + 2 * v * t1.squareRoot()) * X * X / ((bInfinity - b0) * b0)
        let h2 = -(b * T + 2 * v * T.squareRoot()) * X * X / ((bInfinity - b0) * b0)
        let i1 = b0 + (bInfinity - b0) * (1 - exp(h1))
        let i2 = b0 + (bInfinity - b0) * (1 - exp(h2))
        if S >= i2 { return S - X }
        let m = Model(S: S, r: r, b: b, v: v, t1: t1, T: T)
        // Every log the formulas take is of a ratio of S, X, I1 and I2: four logs, not sixty.
        let lnS = m.lnS, lnX = log(X), ln1 = log(i1), ln2 = log(i2)
        let alpha1 = log(abs(i1 - X)) + beta * (lnS - ln1), alpha2 = log(abs(i2 - X)) + beta * (lnS - ln2)
        let sign1 = i1 >= X ? 1.0 : -1.0, sign2 = i2 >= X ? 1.0 : -1.0
        return sign2 * exp(alpha2) + m.phiSum([
            .init(weight: -sign2, t: t1, gamma: beta, lnH: ln2, lnI: ln2, logScale: alpha2),
            .init(weight: 1, t: t1, gamma: 1, lnH: ln2, lnI: ln2, logScale: lnS),
            .init(weight: -1, t: t1, gamma: 1, lnH: ln1, lnI: ln2, logScale: lnS),
            .init(weight: -1, t: t1, gamma: 0, lnH: ln2, lnI: ln2, logScale: lnX),
            .init(weight: 1, t: t1, gamma: 0, lnH: ln1, lnI: ln2, logScale: lnX),
            .init(weight: sign1, t: t1, gamma: beta, lnH: ln1, lnI: ln2, logScale: alpha1),
        ])
            - sign1 * m.psi(beta, ln1, ln2, ln1, logScale: alpha1)
            + m.psi(1, ln1, ln2, ln1, logScale: lnS)
            - m.psi(1, lnX, ln2, ln1, logScale: lnS)
            - m.psi(0, ln1, ln2, ln1, logScale: lnX)
            + m.psi(0, lnX, ln2, ln1, logScale: lnX)
    }

    /// The paper's φ and ψ for one spot and market, divided by S^γ and multiplied by e^{logScale}
    /// (the coefficient in front of them), every product formed in logs: at low volatility β and
    /// κ run into the hundreds and the factors alone over- and underflow.
    struct Model {
        let r, b, v, t1, T: Double
        /// ln S: the spot enters every formula through logs of ratios.
        let lnS: Double
        /// ψ's bivariate normals, at ±√(t1/T) of the 2002 version (ψ is not in the 1993 one).
        let positive, negative: BivariateNormal.FixedCorrelation

        init(S: Double, r: Double, b: Double, v: Double, t1: Double, T: Double) {
            (self.r, self.b, self.v, self.t1, self.T) = (r, b, v, t1, T)
            lnS = log(S)
            (positive, negative) = BjerksundStensland.correlations
        }

        func lambda(_ gamma: Double) -> Double { -r + gamma * b + 0.5 * gamma * (gamma - 1) * v * v }
        func kappa(_ gamma: Double) -> Double { 2 * b / (v * v) + 2 * gamma - 1 }

        /// One φ(S, t, γ, H, I) of a price, with its sign: a claim paying S^γ at t if S stays
        /// below the flat barrier I until then (H and I as their logs).
        struct PhiTerm {
            var weight, t, gamma, lnH, lnI, logScale: Double
        }

        /// Σ weight·φ over the terms: `e^{base}·(Φ(d) − (I/S)^κ·Φ(d − 2 ln(I/S)/σ√t))` each, in
        /// logs so that no factor over- or underflows alone; the Φ, their logs and the
        /// exponentials of all terms in one vector call each.
        func phiSum(_ terms: [PhiTerm]) -> Double {
            let n = 2 * terms.count
            return withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * n) { scratch in
                let d = scratch.baseAddress!, cdf = d + n, y = d + 2 * n
                for (i, term) in terms.enumerated() {
                    let sd = v * term.t.squareRoot()
                    d[2 * i] = -(lnS - term.lnH + (b + (term.gamma - 0.5) * v * v) * term.t) / sd
                    d[2 * i + 1] = d[2 * i] - 2 * (term.lnI - lnS) / sd
                    cdf[2 * i] = -d[2 * i] * Normal.oneOverSqrtTwo
                    cdf[2 * i + 1] = -d[2 * i + 1] * Normal.oneOverSqrtTwo
                }
                VectorMath.erfc(cdf, cdf, n)
                for j in 0..<n { cdf[j] *= 0.5 }
                VectorMath.log(cdf, y, n)
                for j in 0..<n where !(cdf[j] > 1e-300) { y[j] = Normal.logCDF(d[j]) }  // past erfc's range
                for (i, term) in terms.enumerated() {
                    let base = base(term)
                    y[2 * i] += base
                    y[2 * i + 1] += base + kappa(term.gamma) * (term.lnI - lnS)
                }
                VectorMath.exp(y, y, n)
                var sum = 0.0
                for (i, term) in terms.enumerated() { sum += term.weight * (y[2 * i] - y[2 * i + 1]) }
                return sum
            }
        }

        func base(_ term: PhiTerm) -> Double { term.logScale + lambda(term.gamma) * term.t }

        /// ψ(S, T, γ, H, I2, I1, t1): the same with barrier I1 up to t1 and I2 from t1 to T.
        func psi(_ gamma: Double, _ lnH: Double, _ ln2: Double, _ ln1: Double, logScale: Double) -> Double {
            let drift = b + (gamma - 0.5) * v * v
            let sd1 = v * t1.squareRoot(), sd = v * T.squareRoot()
            let e1 = (lnS - ln1 + drift * t1) / sd1
            let e2 = (2 * ln2 - lnS - ln1 + drift * t1) / sd1
            let e3 = (lnS - ln1 - drift * t1) / sd1
            let e4 = (2 * ln2 - lnS - ln1 - drift * t1) / sd1
            let f1 = (lnS - lnH + drift * T) / sd
            let f2 = (2 * ln2 - lnS - lnH + drift * T) / sd
            let f3 = (2 * ln1 - lnS - lnH + drift * T) / sd
            let f4 = (lnS + 2 * ln1 - lnH - 2 * ln2 + drift * T) / sd
            let k = kappa(gamma)
            let base = logScale + lambda(gamma) * T
            // e^{base + logFactor}·m, in logs only where the exponential alone would over- or underflow.
            func term(_ logFactor: Double, _ m: Double) -> Double {
                guard m > 0 else { return 0 }
                let e = base + logFactor
                return abs(e) < 700 ? exp(e) * m : exp(e + log(m))
            }
            // M(−e, −f; ρ) = P(X > e, Y > f), each needing Φ(−e)Φ(−f): the eight Φ in one call.
            return withUnsafeTemporaryAllocation(of: Double.self, capacity: 8) { scratch in
                let x = scratch.baseAddress!
                (x[0], x[1], x[2], x[3]) = (e1 * Normal.oneOverSqrtTwo, f1 * Normal.oneOverSqrtTwo, e2 * Normal.oneOverSqrtTwo, f2 * Normal.oneOverSqrtTwo)
                (x[4], x[5], x[6], x[7]) = (e3 * Normal.oneOverSqrtTwo, f3 * Normal.oneOverSqrtTwo, e4 * Normal.oneOverSqrtTwo, f4 * Normal.oneOverSqrtTwo)
                VectorMath.erfc(x, x, 8)
                func independent(_ pair: Int) -> Double { 0.25 * x[2 * pair] * x[2 * pair + 1] }
                return term(0, positive.upperTail(e1, f1, independent: independent(0)))
                    - term(k * (ln2 - lnS), positive.upperTail(e2, f2, independent: independent(1)))
                    - term(k * (ln1 - lnS), negative.upperTail(e3, f3, independent: independent(2)))
                    + term(k * (ln1 - ln2), negative.upperTail(e4, f4, independent: independent(3)))
            }
        }
    }
}
