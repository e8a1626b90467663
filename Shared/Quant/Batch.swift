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
        for i in 0..<n where !BlackScholes.plainlyValid(S: b.spot[i], K: b.strike[i], T: b.time[i], sigma: b.volatility[i], r: b.rate[i], q: b.dividend[i]) {
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
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 7 * VectorMath.block) { scratch in
            let m = VectorMath.block
            let base = scratch.baseAddress!
            // Scratch columns: ln(S/K), e^{−qT}, e^{−rT}, σ√T, 2Φ(±d1), 2Φ(±d2), √(2π)·φ(d1).
            let lnSK = base, dq = base + m, dr = base + 2 * m, sd = base + 3 * m
            let nd1 = base + 4 * m, nd2 = base + 5 * m, pdf = base + 6 * m
            var start = 0
            while start < n {
                let count = min(m, n - start)
                let lanes = Lanes(count: count)
                let (w, S, K, T, r, q, v) = (w.baseAddress! + start, S.baseAddress! + start, K.baseAddress! + start, T.baseAddress! + start,
                                             r.baseAddress! + start, q.baseAddress! + start, v.baseAddress! + start)
                lanes.forEach { j in
                    let t = lanes.load(T, j)
                    lanes.store(lanes.load(S, j) / lanes.load(K, j), lnSK, j)
                    lanes.store(-lanes.load(q, j) * t, dq, j)
                    lanes.store(-lanes.load(r, j) * t, dr, j)
                    lanes.store(lanes.load(v, j) * t.squareRoot(), sd, j)
                }
                VectorMath.log(lnSK, lnSK, count)
                VectorMath.exp(dq, dq, count)
                VectorMath.exp(dr, dr, count)
                lanes.forEach { j in
                    let s = lanes.load(sd, j), sign = lanes.load(w, j)
                    let d1 = (lanes.load(lnSK, j) + (lanes.load(r, j) - lanes.load(q, j)) * lanes.load(T, j)) / s + 0.5 * s
                    // Φ(x) = erfc(−x/√2)/2, kept accurate deep in both tails.
                    lanes.store(-sign * d1 * Normal.oneOverSqrtTwo, nd1, j)
                    lanes.store(-sign * (d1 - s) * Normal.oneOverSqrtTwo, nd2, j)
                    lanes.store(-0.5 * d1 * d1, pdf, j)
                }
                VectorMath.erfc(nd1, nd1, count)
                VectorMath.erfc(nd2, nd2, count)
                VectorMath.exp(pdf, pdf, count)
                let (price, delta, gamma, vega, theta, rho) = (price.baseAddress! + start, delta.baseAddress! + start, gamma.baseAddress! + start,
                                                               vega.baseAddress! + start, theta.baseAddress! + start, rho.baseAddress! + start)
                lanes.forEach { j in
                    let sign = lanes.load(w, j), spot = lanes.load(S, j), strike = lanes.load(K, j), t = lanes.load(T, j)
                    let rate = lanes.load(r, j), div = lanes.load(q, j), e_q = lanes.load(dq, j), e_r = lanes.load(dr, j)
                    let n1 = 0.5 * lanes.load(nd1, j), n2 = 0.5 * lanes.load(nd2, j), phi = Normal.oneOverSqrtTwoPi * lanes.load(pdf, j)
                    let spotPart = spot * e_q, strikePart = strike * e_r, sqrtT = t.squareRoot()
                    lanes.store(sign * (spotPart * n1 - strikePart * n2), price, j)
                    lanes.store(sign * e_q * n1, delta, j)
                    lanes.store(e_q * phi / (spot * lanes.load(sd, j)), gamma, j)
                    lanes.store(spotPart * phi * sqrtT, vega, j)
                    lanes.store(-spotPart * phi * lanes.load(v, j) / (2 * sqrtT) + sign * (div * spotPart * n1 - rate * strikePart * n2), theta, j)
                    lanes.store(sign * strike * t * e_r * n2, rho, j)
                }
                start += count
            }
        } } } } } } } } } } } } } }
        for i in out.errors.keys {
            out.price[i] = .nan; out.delta[i] = .nan; out.gamma[i] = .nan
            out.vega[i] = .nan; out.theta[i] = .nan; out.rho[i] = .nan
        }
    }

    /// Implied volatilities from prices (Black-Scholes-Merton); NaN and an error where none exists.
    /// The forwards, discount factors and log-moneyness of a block come from vector math calls.
    public static func impliedVolatility(prices: [Double], _ b: OptionBatch) -> (volatility: [Double], errors: [Int: QuantError]) {
        var result = [Double](repeating: .nan, count: b.count)
        var errors: [Int: QuantError] = [:]
        let m = VectorMath.block
        let block = ImpliedVolatilityBlock(capacity: m)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * m) { scratch in
            let forward = scratch.baseAddress!, discount = forward + m, x = forward + 2 * m
            var start = 0
            while start < b.count {
                let count = min(m, b.count - start)
                for j in 0..<count {
                    let i = start + j
                    forward[j] = (b.rate[i] - b.dividend[i]) * b.time[i]
                    discount[j] = -b.rate[i] * b.time[i]
                }
                VectorMath.exp(forward, forward, count)
                VectorMath.exp(discount, discount, count)
                for j in 0..<count {
                    forward[j] *= b.spot[start + j]
                    x[j] = forward[j] / b.strike[start + j]
                }
                VectorMath.log(x, x, count)
                for j in 0..<count {
                    let i = start + j
                    do {
                        // The checks `ImpliedVolatility.bsm` makes, in its order, on this block's forward.
                        try ImpliedVolatility.validateSpot(b.spot[i], dividend: b.dividend[i])
                        try ImpliedVolatility.validate(price: prices[i], forward: forward[j], strike: b.strike[i], time: b.time[i], rate: b.rate[i])
                        let (beta, otm) = try ImpliedVolatility.normalized(sign: b.sign[i], price: prices[i], forward: forward[j],
                                                                            strike: b.strike[i], logMoneyness: x[j], discount: discount[j])
                        block.add(item: i, beta: beta, x: otm)
                    } catch {
                        errors[i] = error as? QuantError ?? .noConvergence("\(error)")
                    }
                }
                block.solve({ item, s in result[item] = s / b.time[item].squareRoot() }, failed: { item, error in errors[item] = error })
                start += count
            }
        }
        return (result, errors)
    }
}

extension BatchPricer {
    /// k = ln(K/F) per option, F = S·e^{(r−q)T}: the abscissa of a volatility smile, which a
    /// surface fit needs for every strike on every tick. One vector log per block.
    public static func logMoneyness(_ b: OptionBatch) -> [Double] {
        var k = [Double](repeating: 0, count: b.count)
        for i in 0..<b.count { k[i] = b.strike[i] / b.spot[i] }
        k.withUnsafeMutableBufferPointer { VectorMath.log($0.baseAddress!, $0.baseAddress!, $0.count) }
        for i in 0..<b.count { k[i] -= (b.rate[i] - b.dividend[i]) * b.time[i] }
        return k
    }
}

/// Four items at a time through one block of a batch: the arithmetic between the vector math
/// calls in SIMD registers. The last group of a block may be partial; its missing lanes repeat
/// the last item and are never stored.
struct Lanes {
    typealias V = SIMD4<Double>
    let count: Int

    @inline(__always)
    func forEach(_ body: (Int) -> Void) {
        var j = 0
        while j < count {
            body(j)
            j += V.scalarCount
        }
    }

    @inline(__always)
    func load(_ p: UnsafePointer<Double>, _ j: Int) -> V {
        if j + V.scalarCount <= count { return UnsafeRawPointer(p + j).loadUnaligned(as: V.self) }
        var x = V(repeating: p[count - 1])
        for l in 0..<(count - j) { x[l] = p[j + l] }
        return x
    }

    @inline(__always)
    func load(_ p: UnsafeMutablePointer<Double>, _ j: Int) -> V { load(UnsafePointer(p), j) }

    @inline(__always)
    func store(_ x: V, _ p: UnsafeMutablePointer<Double>, _ j: Int) {
        if j + V.scalarCount <= count { return UnsafeMutableRawPointer(p + j).storeBytes(of: x, as: V.self) }
        for l in 0..<(count - j) { p[j + l] = x[l] }
    }
}
