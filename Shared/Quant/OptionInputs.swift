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

/// Greeks of any model by central differences of its price: for the American approximations, the
/// trees, Merton's theta and Heston, whose prices have no closed-form derivatives. Bumps are
/// relative for spot and time, absolute for volatility and rate, sized to balance truncation
/// against round-off (≈ ε^{1/3} for first derivatives, ε^{1/4} for gamma). Each greek is its own
/// function so that a model with some greeks of its own borrows only the rest.
public enum FiniteDifferenceGreeks {
    public typealias Price = (OptionInputs) throws -> Double

    public static func greeks(_ inputs: OptionInputs, price: Price) throws -> Greeks {
        let base = try price(inputs)
        let (delta, gamma) = try spot(inputs, base: base, price: price)
        return Greeks(price: base, delta: delta, gamma: gamma, vega: try vega(inputs, price: price),
                      theta: try theta(inputs, price: price), rho: try rho(inputs, price: price))
    }

    /// Delta and gamma from prices at S ± 10⁻⁴S around `base`, the price at S.
    public static func spot(_ o: OptionInputs, base: Double, price: Price) throws -> (delta: Double, gamma: Double) {
        let dS = o.spot * 1e-4
        let up = try price(o.with { $0.spot += dS }), down = try price(o.with { $0.spot -= dS })
        return ((up - down) / (2 * dS), (up - 2 * base + down) / (dS * dS))
    }

    /// ∂V/∂σ: a bump of 10⁻⁴ (or half of σ, if smaller).
    public static func vega(_ o: OptionInputs, price: Price) throws -> Double {
        let dV = min(1e-4, 0.5 * o.volatility)
        return (try price(o.with { $0.volatility += dV }) - price(o.with { $0.volatility -= dV })) / (2 * dV)
    }

    /// −∂V/∂T: a bump of 10⁻⁵ of T (at least 10⁻⁵ years, at most half of T).
    public static func theta(_ o: OptionInputs, price: Price) throws -> Double {
        let dT = min(1e-5 * max(o.time, 1), 0.5 * o.time)
        return -(try price(o.with { $0.time += dT }) - price(o.with { $0.time -= dT })) / (2 * dT)
    }

    /// ∂V/∂r: a bump of 10⁻⁵.
    public static func rho(_ o: OptionInputs, price: Price) throws -> Double {
        let dR = 1e-5
        return (try price(o.with { $0.rate += dR }) - price(o.with { $0.rate -= dR })) / (2 * dR)
    }
}

extension OptionInputs {
    /// A copy with one change.
    func with(_ change: (inout OptionInputs) -> Void) -> OptionInputs {
        var copy = self
        change(&copy)
        return copy
    }
}

extension OptionInputs {
    /// Black-Scholes-Merton price and greeks.
    public func blackScholes() throws -> Greeks {
        try BlackScholes.greeks(kind, spot: spot, strike: strike, time: time, rate: rate, dividend: dividend, volatility: volatility)
    }
}
