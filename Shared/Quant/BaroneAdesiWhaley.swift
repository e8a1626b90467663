#if canImport(Glibc)
import Glibc
#endif

/// Barone-Adesi and Whaley's quadratic approximation for American options (1987): the European
/// value plus an early-exercise premium `A·(S/S*)^q`, with the critical price S* found by Newton's
/// method on the value-matching condition. Same formulation as QuantLib's
/// BaroneAdesiWhaleyApproximationEngine, solved to a tighter tolerance (1e-12 of the strike).
public enum BaroneAdesiWhaley {
    public static func price(_ o: OptionInputs) throws -> Double {
        try o.validate()
        let T = o.time, K = o.strike, S = o.spot
        let variance = o.volatility * o.volatility * T
        let riskFreeDiscount = exp(-o.rate * T), dividendDiscount = exp(-o.dividend * T)
        let european = try BlackScholes.greeks(o.kind, spot: S, strike: K, time: T, rate: o.rate,
                                               dividend: o.dividend, volatility: o.volatility).price
        if o.kind == .call && dividendDiscount >= 1 { return european }  // never exercised early
        guard riskFreeDiscount <= 1 else {
            throw QuantError.invalid(field: "r", value: o.rate, requirement: "≥ 0 for Barone-Adesi-Whaley (the approximation breaks down for negative rates)")
        }
        let w = o.kind.sign
        let n = 2 * log(dividendDiscount / riskFreeDiscount) / variance
        let m = abs(1 - riskFreeDiscount) < 1e-13 ? 2 / variance : -2 * log(riskFreeDiscount) / (variance * (1 - riskFreeDiscount))
        let q = (-(n - 1) + w * ((n - 1) * (n - 1) + 4 * m).squareRoot()) / 2
        let critical = criticalPrice(o, q: q, n: n, variance: variance, rfD: riskFreeDiscount, dD: dividendDiscount)
        if w * (S - critical) >= 0 { return w * (S - K) }
        let d1 = (log(critical * dividendDiscount / riskFreeDiscount / K) + 0.5 * variance) / variance.squareRoot()
        let a = w * (critical / q) * (1 - dividendDiscount * Normal.cdf(w * d1))
        return european + a * pow(S / critical, q)
    }

    public static func greeks(_ o: OptionInputs) throws -> Greeks {
        try FiniteDifferenceGreeks.greeks(o, price: price)
    }

    /// S* with `w(S* − K) = European(S*) + w(1 − e^{−qT}Φ(w d1(S*)))·S*/q`, by Newton from the
    /// authors' seed.
    static func criticalPrice(_ o: OptionInputs, q: Double, n: Double, variance: Double, rfD: Double, dD: Double) -> Double {
        let K = o.strike, w = o.kind.sign
        let bT = log(dD / rfD), sd = variance.squareRoot()
        // Seed: interpolate between K and the perpetual critical price.
        let m0 = -2 * log(rfD) / variance
        let qInfinity = (-(n - 1) + w * ((n - 1) * (n - 1) + 4 * m0).squareRoot()) / 2
        let perpetual = K / (1 - 1 / qInfinity)
        var s: Double
        if o.kind == .call {
            let h = -(bT + 2 * sd) * K / (perpetual - K)
            s = K + (perpetual - K) * (1 - exp(h))
        } else {
            let h = (bT - 2 * sd) * K / (K - perpetual)
            s = perpetual + (K - perpetual) * exp(h)
        }
        for _ in 0..<200 {
            let d1 = (log(s * dD / rfD / K) + 0.5 * variance) / sd
            let european = rfD * blackUndiscounted(w, forward: s * dD / rfD, strike: K, sd: sd)
            let exercise = w * (s - K)
            // Value matching, and b, the slope of its right side in S (Newton as a fixed point).
            let rhs: Double, slope: Double
            if o.kind == .call {
                rhs = european + (1 - dD * Normal.cdf(d1)) * s / q
                slope = dD * Normal.cdf(d1) * (1 - 1 / q) + (1 - dD * Normal.pdf(d1) / sd) / q
            } else {
                rhs = european - (1 - dD * Normal.cdf(-d1)) * s / q
                slope = -dD * Normal.cdf(-d1) * (1 - 1 / q) - (1 + dD * Normal.pdf(d1) / sd) / q
            }
            guard abs(exercise - rhs) / K > 1e-12 else { break }
            s = o.kind == .call ? (K + rhs - slope * s) / (1 - slope) : (K - rhs + slope * s) / (1 + slope)
        }
        return s
    }

    /// The Black formula without `BlackScholes`' input checks: Newton's iterates may leave the
    /// domain (an infinite S*), which the loop's own stopping test handles.
    static func blackUndiscounted(_ w: Double, forward F: Double, strike K: Double, sd: Double) -> Double {
        let d1 = log(F / K) / sd + 0.5 * sd
        return w * (F * Normal.cdf(w * d1) - K * Normal.cdf(w * (d1 - sd)))
    }
}
