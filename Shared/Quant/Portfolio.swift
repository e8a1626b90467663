/// One option (or share) position with its per-unit greeks, for aggregation.
public struct Holding: Sendable {
    public var underlying: String
    /// Contracts (negative when short).
    public var quantity: Double
    /// Shares per contract (100 for US equity options; 1 for shares themselves).
    public var multiplier: Double
    /// Price and greeks of one unit of the instrument, in the Quant library's units.
    public var greeks: Greeks
    /// The underlying's price.
    public var spot: Double
    /// The underlying's beta to the benchmark.
    public var beta: Double

    public init(underlying: String, quantity: Double, multiplier: Double, greeks: Greeks, spot: Double, beta: Double = 1) {
        (self.underlying, self.quantity, self.multiplier, self.greeks, self.spot, self.beta) = (underlying, quantity, multiplier, greeks, spot, beta)
    }

    /// A share position: delta one, nothing else.
    public static func shares(_ underlying: String, quantity: Double, spot: Double, beta: Double = 1) -> Holding {
        Holding(underlying: underlying, quantity: quantity, multiplier: 1,
                greeks: Greeks(price: spot, delta: 1, gamma: 0, vega: 0, theta: 0, rho: 0), spot: spot, beta: beta)
    }
}

/// What a book is exposed to, in money a trader reads: delta in shares of the underlying (or of
/// the benchmark once beta-weighted), gamma in shares per 1.00 move, vega per 1.00 of volatility,
/// theta per year, rho per 1.00 of rate, all multiplied out by quantity and multiplier.
public struct Exposure: Sendable, Equatable {
    public var value = 0.0
    public var delta = 0.0
    public var gamma = 0.0
    public var vega = 0.0
    public var theta = 0.0
    public var rho = 0.0
    /// Delta times the underlying's price: the money the book makes per 1% move, times 100.
    public var dollarDelta = 0.0

    public init() {}
}

public enum Portfolio {
    /// Exposures per underlying.
    public static func byUnderlying(_ holdings: [Holding]) -> [String: Exposure] {
        var result: [String: Exposure] = [:]
        for h in holdings {
            let n = h.quantity * h.multiplier
            var e = result[h.underlying] ?? Exposure()
            e.value += n * h.greeks.price
            e.delta += n * h.greeks.delta
            e.gamma += n * h.greeks.gamma
            e.vega += n * h.greeks.vega
            e.theta += n * h.greeks.theta
            e.rho += n * h.greeks.rho
            e.dollarDelta += n * h.greeks.delta * h.spot
            result[h.underlying] = e
        }
        return result
    }

    /// The whole book in benchmark (SPX) terms: each delta becomes benchmark shares
    /// `Δ·β·S/S_benchmark` (a 1% benchmark move is a β% move of the stock), each gamma
    /// `Γ·(β·S/S_benchmark)²`; vega, theta and rho simply add.
    public static func betaWeighted(_ holdings: [Holding], benchmarkPrice: Double) throws -> Exposure {
        try Validate.positive(benchmarkPrice, "benchmarkPrice")
        var e = Exposure()
        for h in holdings {
            let n = h.quantity * h.multiplier
            let ratio = h.beta * h.spot / benchmarkPrice
            e.value += n * h.greeks.price
            e.delta += n * h.greeks.delta * ratio
            e.gamma += n * h.greeks.gamma * ratio * ratio
            e.vega += n * h.greeks.vega
            e.theta += n * h.greeks.theta
            e.rho += n * h.greeks.rho
            e.dollarDelta += n * h.greeks.delta * ratio * benchmarkPrice
        }
        return e
    }
}
