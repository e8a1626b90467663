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
        let alpha = log(abs(i - X)) + beta * log(S / i), sign = i >= X ? 1.0 : -1.0
        return sign * (exp(alpha) - m.phi(T, beta, i, i, logScale: alpha)) + m.phi(T, 1, i, i, logScale: log(S)) - m.phi(T, 1, X, i, logScale: log(S))
            - m.phi(T, 0, i, i, logScale: log(X)) + m.phi(T, 0, X, i, logScale: log(X))
    }

    static func call(S: Double, X: Double, T: Double, r: Double, b: Double, sigma v: Double) -> Double {
        let (beta, bInfinity, b0) = boundaries(X: X, r: r, b: b, v2: v * v)
        let t1 = 0.5 * (5.0.squareRoot() - 1) * T
        let h1 = -(b * t1 + 2 * v * t1.squareRoot()) * X * X / ((bInfinity - b0) * b0)
        let h2 = -(b * T + 2 * v * T.squareRoot()) * X * X / ((bInfinity - b0) * b0)
        let i1 = b0 + (bInfinity - b0) * (1 - exp(h1))
        let i2 = b0 + (bInfinity - b0) * (1 - exp(h2))
        if S >= i2 { return S - X }
        let m = Model(S: S, r: r, b: b, v: v, t1: t1, T: T)
        let alpha1 = log(abs(i1 - X)) + beta * log(S / i1), alpha2 = log(abs(i2 - X)) + beta * log(S / i2)
        let sign1 = i1 >= X ? 1.0 : -1.0, sign2 = i2 >= X ? 1.0 : -1.0
        let lnS = log(S), lnX = log(X)
        return sign2 * (exp(alpha2) - m.phi(t1, beta, i2, i2, logScale: alpha2))
            + m.phi(t1, 1, i2, i2, logScale: lnS)
            - m.phi(t1, 1, i1, i2, logScale: lnS)
            - m.phi(t1, 0, i2, i2, logScale: lnX)
            + m.phi(t1, 0, i1, i2, logScale: lnX)
            + sign1 * (m.phi(t1, beta, i1, i2, logScale: alpha1) - m.psi(beta, i1, i2, i1, logScale: alpha1))
            + m.psi(1, i1, i2, i1, logScale: lnS)
            - m.psi(1, X, i2, i1, logScale: lnS)
            - m.psi(0, i1, i2, i1, logScale: lnX)
            + m.psi(0, X, i2, i1, logScale: lnX)
    }

    /// The paper's φ and ψ for one spot and market, divided by S^γ and multiplied by e^{logScale}
    /// (the coefficient in front of them), every product formed in logs: at low volatility β and
    /// κ run into the hundreds and the factors alone over- and underflow.
    struct Model {
        let S, r, b, v, t1, T: Double
        /// ψ's bivariate normals, all at ±√(t1/T).
        let positive, negative: BivariateNormal.FixedCorrelation

        init(S: Double, r: Double, b: Double, v: Double, t1: Double, T: Double) {
            (self.S, self.r, self.b, self.v, self.t1, self.T) = (S, r, b, v, t1, T)
            let rho = (t1 / T).squareRoot()
            positive = BivariateNormal.FixedCorrelation(rho)
            negative = BivariateNormal.FixedCorrelation(-rho)
        }

        func lambda(_ gamma: Double) -> Double { -r + gamma * b + 0.5 * gamma * (gamma - 1) * v * v }
        func kappa(_ gamma: Double) -> Double { 2 * b / (v * v) + 2 * gamma - 1 }

        /// φ(S, t, γ, H, I): a claim paying S^γ at t if S stays below the flat barrier I until then.
        func phi(_ t: Double, _ gamma: Double, _ H: Double, _ I: Double, logScale: Double) -> Double {
            let sd = v * t.squareRoot()
            let d = -(log(S / H) + (b + (gamma - 0.5) * v * v) * t) / sd
            let base = logScale + lambda(gamma) * t
            return exp(base + Normal.logCDF(d)) - exp(base + kappa(gamma) * log(I / S) + Normal.logCDF(d - 2 * log(I / S) / sd))
        }

        /// ψ(S, T, γ, H, I2, I1, t1): the same with barrier I1 up to t1 and I2 from t1 to T.
        func psi(_ gamma: Double, _ H: Double, _ i2: Double, _ i1: Double, logScale: Double) -> Double {
            let drift = b + (gamma - 0.5) * v * v
            let sd1 = v * t1.squareRoot(), sd = v * T.squareRoot()
            let e1 = (log(S / i1) + drift * t1) / sd1
            let e2 = (log(i2 * i2 / (S * i1)) + drift * t1) / sd1
            let e3 = (log(S / i1) - drift * t1) / sd1
            let e4 = (log(i2 * i2 / (S * i1)) - drift * t1) / sd1
            let f1 = (log(S / H) + drift * T) / sd
            let f2 = (log(i2 * i2 / (S * H)) + drift * T) / sd
            let f3 = (log(i1 * i1 / (S * H)) + drift * T) / sd
            let f4 = (log(S * i1 * i1 / (H * i2 * i2)) + drift * T) / sd
            let k = kappa(gamma)
            let base = logScale + lambda(gamma) * T
            func term(_ logFactor: Double, _ m: Double) -> Double { m > 0 ? exp(base + logFactor + log(m)) : 0 }
            return term(0, positive.cdf(-e1, -f1))
                - term(k * log(i2 / S), positive.cdf(-e2, -f2))
                - term(k * log(i1 / S), negative.cdf(-e3, -f3))
                + term(k * log(i1 / i2), negative.cdf(-e4, -f4))
        }
    }
}
