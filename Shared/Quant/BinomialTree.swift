#if canImport(Glibc)
import Glibc
#endif

/// A cash dividend paid at `time` (years from now).
public struct CashDividend: Sendable, Equatable {
    public var time: Double
    public var amount: Double
    public init(time: Double, amount: Double) { self.time = time; self.amount = amount }
}

/// American (or European) options on a recombining binomial tree: Cox-Ross-Rubinstein, or
/// Leisen-Reimer, whose Peizer-Pratt probabilities converge like 1/n² instead of CRR's oscillating
/// 1/n. Discrete cash dividends follow the escrowed model: the tree carries the spot less the
/// present value of the dividends still to come before expiry, and every node adds them back
/// before comparing with the exercise value, so the tree stays recombining.
public enum BinomialTree {
    public enum Method: String, Sendable { case coxRossRubinstein = "crr", leisenReimer = "lr" }

    /// Price and greeks: delta and gamma from the tree's first steps, theta from the
    /// Black-Scholes equation at the root (as QuantLib's binomial engines), vega and rho by
    /// rebuilding the tree with bumped inputs.
    public static func greeks(_ o: OptionInputs, steps: Int, method: Method, dividends: [CashDividend] = [],
                              american: Bool = true) throws -> Greeks {
        let root = try solve(o, steps: steps, method: method, dividends: dividends, american: american)
        func price(_ moved: OptionInputs) throws -> Double {
            try solve(moved, steps: steps, method: method, dividends: dividends, american: american).price
        }
        let vega = try FiniteDifferenceGreeks.vega(o, price: price)
        let rho = try FiniteDifferenceGreeks.rho(o, price: price)
        let S = o.spot, sigma = o.volatility
        let theta = o.rate * root.price - (o.rate - o.dividend) * S * root.delta - 0.5 * sigma * sigma * S * S * root.gamma
        return Greeks(price: root.price, delta: root.delta, gamma: root.gamma, vega: vega, theta: theta, rho: rho)
    }

    public static func price(_ o: OptionInputs, steps: Int, method: Method, dividends: [CashDividend] = [],
                             american: Bool = true) throws -> Double {
        try solve(o, steps: steps, method: method, dividends: dividends, american: american).price
    }

    struct Root { var price, delta, gamma: Double }

    static func solve(_ o: OptionInputs, steps requested: Int, method: Method, dividends: [CashDividend], american: Bool) throws -> Root {
        try o.validate()
        guard requested >= 3, requested <= 100_000 else {
            throw QuantError.invalid(field: "steps", value: Double(requested), requirement: "an integer from 3 to 100000")
        }
        for d in dividends {
            try Validate.finite(d.time, "dividends.time")
            guard d.amount.isFinite, d.amount >= 0 else {
                throw QuantError.invalid(field: "dividends.amount", value: d.amount, requirement: "a non-negative finite number")
            }
        }
        // Leisen-Reimer needs an odd number of steps so that the strike sits on the middle node.
        let n = method == .leisenReimer && requested % 2 == 0 ? requested + 1 : requested
        let T = o.time, dt = T / Double(n), r = o.rate, K = o.strike, w = o.kind.sign
        let payable = dividends.filter { $0.time > 0 && $0.time <= T && $0.amount > 0 }
        /// Present value at time t of the dividends paid after t, up to expiry.
        func escrow(at t: Double) -> Double {
            payable.reduce(0) { $0 + ($1.time > t ? $1.amount * exp(-r * ($1.time - t)) : 0) }
        }
        let spot = o.spot - escrow(at: 0)
        guard spot > 0 else {
            throw QuantError.invalid(field: "dividends", value: o.spot - spot, requirement: "worth less than the spot")
        }
        let growth = exp((r - o.dividend) * dt), discount = exp(-r * dt)
        let (u, d, p) = try factors(method, n: n, o: o, spot: spot, growth: growth)
        guard p > 0, p < 1 else {
            throw QuantError.invalid(field: "steps", value: Double(n), requirement: "enough for a probability in (0, 1) (p = \(p))")
        }
        let pu = discount * p, pd = discount * (1 - p)
        let ratio = u / d
        var values = [Double](repeating: 0, count: n + 1)
        var s = spot * pow(d, Double(n))
        for j in 0...n {
            values[j] = max(w * (s - K), 0)  // no dividend is left to add at expiry
            s *= ratio
        }
        var level1 = (v0: 0.0, v1: 0.0, s0: 0.0, s1: 0.0)
        var level2 = (v0: 0.0, v1: 0.0, v2: 0.0, s0: 0.0, s1: 0.0, s2: 0.0)
        for i in stride(from: n - 1, through: 0, by: -1) {
            let t = Double(i) * dt
            let added = payable.isEmpty ? 0 : escrow(at: t)
            var node = spot * pow(d, Double(i))
            for j in 0...i {
                var v = pu * values[j + 1] + pd * values[j]
                if american { v = max(v, w * (node + added - K)) }
                values[j] = v
                node *= ratio
            }
            if i == 2 {
                let s0 = spot * d * d + added
                level2 = (values[0], values[1], values[2], s0, spot * u * d + added, spot * u * u + added)
            } else if i == 1 {
                level1 = (values[0], values[1], spot * d + added, spot * u + added)
            }
        }
        let delta = (level1.v1 - level1.v0) / (level1.s1 - level1.s0)
        let upper = (level2.v2 - level2.v1) / (level2.s2 - level2.s1), lower = (level2.v1 - level2.v0) / (level2.s1 - level2.s0)
        let gamma = (upper - lower) / (0.5 * (level2.s2 - level2.s0))
        return Root(price: values[0], delta: delta, gamma: gamma)
    }

    /// Up and down factors and the up probability per step.
    static func factors(_ method: Method, n: Int, o: OptionInputs, spot: Double, growth: Double) throws -> (Double, Double, Double) {
        let dt = o.time / Double(n), sigma = o.volatility
        switch method {
        case .coxRossRubinstein:
            let u = exp(sigma * dt.squareRoot()), d = 1 / u
            return (u, d, (growth - d) / (u - d))
        case .leisenReimer:
            let sd = sigma * o.time.squareRoot()
            let d1 = (log(spot / o.strike) + (o.rate - o.dividend) * o.time) / sd + 0.5 * sd
            let d2 = d1 - sd
            let p = peizerPratt(d2, n), pPrime = peizerPratt(d1, n)
            let u = growth * pPrime / p
            let d = (growth - p * u) / (1 - p)
            return (u, d, p)
        }
    }

    /// Peizer-Pratt method 2 inversion of the normal distribution for n (odd) steps.
    static func peizerPratt(_ z: Double, _ n: Int) -> Double {
        let m = Double(n)
        let a = z / (m + 1.0 / 3 + 0.1 / (m + 1))
        let root = (1 - exp(-a * a * (m + 1.0 / 6))).squareRoot()
        return z >= 0 ? 0.5 + 0.5 * root : 0.5 - 0.5 * root
    }
}
