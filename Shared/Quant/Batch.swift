#if canImport(Glibc)
import Glibc
#endif

/// A chain of options as structure of arrays: one contiguous array per field, so that one loop
/// walks each array in order and the compiler can keep the arithmetic in vector registers.
public struct OptionBatch: Sendable {
    /// +1 for a call, −1 for a put.
    public var sign: [Double]
    public var spot: [Double]
    public var strike: [Double]
    public var time: [Double]
    public var rate: [Double]
    public var dividend: [Double]
    public var volatility: [Double]

    public var count: Int { sign.count }

    public init(count: Int) {
        sign = [Double](repeating: 1, count: count)
        spot = sign; strike = sign; time = sign; rate = [Double](repeating: 0, count: count)
        dividend = rate; volatility = sign
    }

    public init(_ options: [OptionInputs]) {
        self.init(count: options.count)
        for (i, o) in options.enumerated() {
            sign[i] = o.kind.sign
            (spot[i], strike[i], time[i], rate[i], dividend[i], volatility[i]) = (o.spot, o.strike, o.time, o.rate, o.dividend, o.volatility)
        }
    }

    public func option(_ i: Int) -> OptionInputs {
        OptionInputs(sign[i] > 0 ? .call : .put, spot: spot[i], strike: strike[i], time: time[i], rate: rate[i],
                     dividend: dividend[i], volatility: volatility[i])
    }
}

/// Prices and greeks of a batch, as structure of arrays. An item that could not be priced holds
/// NaN everywhere and its reason in `errors`.
public struct GreeksBatch: Sendable {
    public var price: [Double]
    public var delta: [Double]
    public var gamma: [Double]
    public var vega: [Double]
    public var theta: [Double]
    public var rho: [Double]
    /// Index → why that item has no value.
    public var errors: [Int: QuantError] = [:]

    public init(count: Int) {
        price = [Double](repeating: .nan, count: count)
        delta = price; gamma = price; vega = price; theta = price; rho = price
    }
}

public enum BatchPricer {
    /// Black-Scholes-Merton price and greeks for every item: first a validation pass that records
    /// the bad items, then one branch-free loop over raw buffers.
    public static func blackScholes(_ b: OptionBatch, into out: inout GreeksBatch) {
        let n = b.count
        for i in 0..<n {
            do { try BlackScholes.validate(S: b.spot[i], K: b.strike[i], T: b.time[i], sigma: b.volatility[i], r: b.rate[i], q: b.dividend[i]) } catch {
                out.errors[i] = error as? QuantError ?? .noConvergence("\(error)")
            }
        }
        b.sign.withUnsafeBufferPointer { w in b.spot.withUnsafeBufferPointer { S in b.strike.withUnsafeBufferPointer { K in
        b.time.withUnsafeBufferPointer { T in b.rate.withUnsafeBufferPointer { r in b.dividend.withUnsafeBufferPointer { q in
        b.volatility.withUnsafeBufferPointer { v in
        out.price.withUnsafeMutableBufferPointer { price in out.delta.withUnsafeMutableBufferPointer { delta in
        out.gamma.withUnsafeMutableBufferPointer { gamma in out.vega.withUnsafeMutableBufferPointer { vega in
        out.theta.withUnsafeMutableBufferPointer { theta in out.rho.withUnsafeMutableBufferPointer { rho in
            for i in 0..<n {
                let sqrtT = T[i].squareRoot()
                let s = v[i] * sqrtT
                let d1 = (log(S[i] / K[i]) + (r[i] - q[i]) * T[i]) / s + 0.5 * s
                let d2 = d1 - s
                let dq = exp(-q[i] * T[i]), dr = exp(-r[i] * T[i])
                let nd1 = Normal.cdf(w[i] * d1), nd2 = Normal.cdf(w[i] * d2)
                let pdf = Normal.pdf(d1)
                let spotPart = S[i] * dq, strikePart = K[i] * dr
                price[i] = w[i] * (spotPart * nd1 - strikePart * nd2)
                delta[i] = w[i] * dq * nd1
                gamma[i] = dq * pdf / (S[i] * s)
                vega[i] = spotPart * pdf * sqrtT
                theta[i] = -spotPart * pdf * v[i] / (2 * sqrtT) + w[i] * (q[i] * spotPart * nd1 - r[i] * strikePart * nd2)
                rho[i] = w[i] * K[i] * T[i] * dr * nd2
            }
        } } } } } } } } } } } } }
        for i in out.errors.keys {
            out.price[i] = .nan; out.delta[i] = .nan; out.gamma[i] = .nan
            out.vega[i] = .nan; out.theta[i] = .nan; out.rho[i] = .nan
        }
    }

    /// Implied volatilities from prices (Black-Scholes-Merton); NaN and an error where none exists.
    public static func impliedVolatility(prices: [Double], _ b: OptionBatch) -> (volatility: [Double], errors: [Int: QuantError]) {
        var result = [Double](repeating: .nan, count: b.count)
        var errors: [Int: QuantError] = [:]
        for i in 0..<b.count {
            do {
                result[i] = try ImpliedVolatility.bsm(b.sign[i] > 0 ? .call : .put, price: prices[i], spot: b.spot[i], strike: b.strike[i],
                                                      time: b.time[i], rate: b.rate[i], dividend: b.dividend[i])
            } catch {
                errors[i] = error as? QuantError ?? .noConvergence("\(error)")
            }
        }
        return (result, errors)
    }
}
