#if canImport(Glibc)
import Glibc
#endif

/// One vanilla option and its market: what every model on a spot with a continuous yield takes.
public struct OptionInputs: Sendable, Equatable {
    public var kind: OptionKind
    public var spot: Double
    public var strike: Double
    /// Years to expiry.
    public var time: Double
    public var rate: Double
    public var dividend: Double
    public var volatility: Double

    public init(_ kind: OptionKind, spot: Double, strike: Double, time: Double, rate: Double, dividend: Double, volatility: Double) {
        self.kind = kind
        self.spot = spot
        self.strike = strike
        self.time = time
        self.rate = rate
        self.dividend = dividend
        self.volatility = volatility
    }

    /// Throws for S, K, T, sigma ≤ 0 or non-finite r, q, naming the field.
    public func validate() throws {
        try BlackScholes.validate(S: spot, K: strike, T: time, sigma: volatility, r: rate, q: dividend)
    }

    public var forward: Double { spot * exp((rate - dividend) * time) }
}

/// Greeks of any model by central differences of its price: for the American approximations and
/// the trees, whose prices have no closed-form derivatives. Bumps are relative for spot and time,
/// absolute for volatility and rate, sized to balance truncation against round-off (≈ ε^{1/3} for
/// first derivatives, ε^{1/4} for gamma).
public enum FiniteDifferenceGreeks {
    public static func greeks(_ inputs: OptionInputs, price: (OptionInputs) throws -> Double) throws -> Greeks {
        let base = try price(inputs)
        func bumped(_ change: (inout OptionInputs) -> Void) throws -> Double {
            var moved = inputs
            change(&moved)
            return try price(moved)
        }
        let dS = inputs.spot * 1e-4
        let up = try bumped { $0.spot += dS }, down = try bumped { $0.spot -= dS }
        let dV = min(1e-4, 0.5 * inputs.volatility)
        let vega = (try bumped { $0.volatility += dV } - bumped { $0.volatility -= dV }) / (2 * dV)
        let dT = min(1e-5 * max(inputs.time, 1), 0.5 * inputs.time)
        let theta = -(try bumped { $0.time += dT } - bumped { $0.time -= dT }) / (2 * dT)
        let dR = 1e-5
        let rho = (try bumped { $0.rate += dR } - bumped { $0.rate -= dR }) / (2 * dR)
        return Greeks(price: base, delta: (up - down) / (2 * dS), gamma: (up - 2 * base + down) / (dS * dS),
                      vega: vega, theta: theta, rho: rho)
    }
}

extension OptionInputs {
    /// Black-Scholes-Merton price and greeks.
    public func blackScholes() throws -> Greeks {
        try BlackScholes.greeks(kind, spot: spot, strike: strike, time: time, rate: rate, dividend: dividend, volatility: volatility)
    }
}
