#if canImport(Glibc)
import Glibc
#endif

/// Black-Scholes-Merton with a continuous dividend yield, and Black-76 on a forward: one formula.
///
/// Both price `e^{−rT}·[ω F Φ(ω d1) − ω K Φ(ω d2)]` with the forward `F = S e^{(r−q)T}` (BSM) or
/// `F` given (Black-76); only the greeks' variable differs (spot or forward).
public enum BlackScholes {
    /// BSM price and greeks (greeks with respect to spot `S`).
    /// - Throws: ``QuantError/invalid(field:value:requirement:)`` for S, K, T, sigma ≤ 0 or non-finite r, q.
    public static func greeks(_ kind: OptionKind, spot S: Double, strike K: Double, time T: Double,
                              rate r: Double, dividend q: Double, volatility sigma: Double) throws -> Greeks {
        try validate(S: S, K: K, T: T, sigma: sigma, r: r, q: q)
        let w = kind.sign
        let sqrtT = T.squareRoot()
        let s = sigma * sqrtT
        let d1 = (log(S / K) + (r - q) * T) / s + 0.5 * s
        let d2 = d1 - s
        let dq = exp(-q * T), dr = exp(-r * T)
        let nd1 = Normal.cdf(w * d1), nd2 = Normal.cdf(w * d2)
        let pdf = Normal.pdf(d1)
        let price = w * (S * dq * nd1 - K * dr * nd2)
        return Greeks(
            price: price,
            delta: w * dq * nd1,
            gamma: dq * pdf / (S * s),
            vega: S * dq * pdf * sqrtT,
            theta: -S * dq * pdf * sigma / (2 * sqrtT) + w * (q * S * dq * nd1 - r * K * dr * nd2),
            rho: w * K * T * dr * nd2)
    }

    /// Black-76 price and greeks on a forward or future `F` (greeks with respect to `F`; rho is
    /// the sensitivity of the discounting alone).
    public static func black76(_ kind: OptionKind, forward F: Double, strike K: Double, time T: Double,
                               rate r: Double, volatility sigma: Double) throws -> Greeks {
        try validate(S: F, K: K, T: T, sigma: sigma, r: r, q: 0, spotName: "S (forward)")
        let w = kind.sign
        let sqrtT = T.squareRoot()
        let s = sigma * sqrtT
        let d1 = log(F / K) / s + 0.5 * s
        let d2 = d1 - s
        let dr = exp(-r * T)
        let nd1 = Normal.cdf(w * d1), nd2 = Normal.cdf(w * d2)
        let pdf = Normal.pdf(d1)
        let price = dr * w * (F * nd1 - K * nd2)
        return Greeks(
            price: price,
            delta: w * dr * nd1,
            gamma: dr * pdf / (F * s),
            vega: dr * F * pdf * sqrtT,
            theta: -dr * F * pdf * sigma / (2 * sqrtT) + r * price,
            rho: -T * price)
    }

    /// The inputs `validate` accepts, tested without throwing: the batch's fast first pass.
    @inline(__always)
    static func plainlyValid(S: Double, K: Double, T: Double, sigma: Double, r: Double, q: Double) -> Bool {
        S > 0 && S < .infinity && K > 0 && K < .infinity && T > 0 && T < .infinity && sigma > 0 && sigma < .infinity
            && r.isFinite && q.isFinite
    }

    static func validate(S: Double, K: Double, T: Double, sigma: Double, r: Double, q: Double, spotName: String = "S") throws {
        try Validate.positive(S, spotName)
        try Validate.positive(K, "K")
        try Validate.positive(T, "T")
        try Validate.positive(sigma, "sigma")
        try Validate.finite(r, "r")
        try Validate.finite(q, "q")
    }
}
