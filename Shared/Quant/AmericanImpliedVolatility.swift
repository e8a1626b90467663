/// Implied volatility under a model with no inverse of its own (the American approximations,
/// trees): a bracketed root search on σ, since every such price rises monotonically with σ.
public enum AmericanImpliedVolatility {
    public static func solve(price target: Double, _ o: OptionInputs, model: (OptionInputs) throws -> Double,
                             tolerance: Double = 1e-12) throws -> Double {
        try Validate.finite(target, "price")
        var inputs = o
        inputs.volatility = 1
        try inputs.validate()
        let intrinsic = max(o.kind.sign * (o.spot - o.strike), 0)
        guard target > intrinsic else { throw QuantError.priceBelowIntrinsic(price: target, intrinsic: intrinsic) }
        func value(_ sigma: Double) throws -> Double {
            inputs.volatility = sigma
            return try model(inputs) - target
        }
        var lo = 1e-4, hi = 5.0
        var fLo = try value(lo), fHi = try value(hi)
        while fHi < 0 && hi < 100 { lo = hi; fLo = fHi; hi *= 2; fHi = try value(hi) }
        guard fHi >= 0 else { throw QuantError.priceAboveBound(price: target, bound: target + fHi) }
        guard fLo <= 0 else { throw QuantError.priceBelowModelMinimum(price: target, minimum: target + fLo) }
        // The Illinois variant of regula falsi: superlinear, and never leaves the bracket.
        var side = 0
        for _ in 0..<200 {
            let x = lo - fLo * (hi - lo) / (fHi - fLo)
            let f = try value(x)
            if f == 0 || hi - lo <= tolerance * x { return x }
            if f < 0 {
                lo = x; fLo = f
                if side < 0 { fHi *= 0.5 }
                side = -1
            } else {
                hi = x; fHi = f
                if side > 0 { fLo *= 0.5 }
                side = 1
            }
            if hi - lo <= tolerance * x { return 0.5 * (lo + hi) }
        }
        throw QuantError.noConvergence("implied volatility under the American model after 200 steps")
    }
}
