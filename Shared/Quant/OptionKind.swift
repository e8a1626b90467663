/// Call or put. `sign` is +1 for a call and −1 for a put, which turns every put formula into the
/// call formula's mirror without a second copy.
public enum OptionKind: String, Sendable, CaseIterable {
    case call
    case put

    @inline(__always)
    public var sign: Double { self == .call ? 1 : -1 }
}

/// A price and its sensitivities, in plain mathematical units: vega per 1.00 of volatility,
/// theta per year of calendar time (the change in value as time passes, so usually negative),
/// rho per 1.00 of rate.
public struct Greeks: Sendable, Equatable {
    public var price: Double
    public var delta: Double
    public var gamma: Double
    public var vega: Double
    public var theta: Double
    public var rho: Double

    public init(price: Double, delta: Double, gamma: Double, vega: Double, theta: Double, rho: Double) {
        self.price = price
        self.delta = delta
        self.gamma = gamma
        self.vega = vega
        self.theta = theta
        self.rho = rho
    }
}

/// Why an input cannot be priced. Each names the offending field, for the pricer's error lines.
public enum QuantError: Error, Equatable, CustomStringConvertible {
    case invalid(field: String, value: Double, requirement: String)
    case priceBelowIntrinsic(price: Double, intrinsic: Double)
    case priceAboveBound(price: Double, bound: Double)
    case priceBelowModelMinimum(price: Double, minimum: Double)
    case noConvergence(String)

    public var description: String {
        switch self {
        case let .invalid(field, value, requirement): "\(field) = \(value): must be \(requirement)"
        case let .priceBelowIntrinsic(price, intrinsic): "price \(price) is below the intrinsic value \(intrinsic): no volatility gives it"
        case let .priceAboveBound(price, bound): "price \(price) is at or above the upper bound \(bound): no volatility gives it"
        case let .priceBelowModelMinimum(price, minimum): "price \(price) is below \(minimum), the least this model gives at any volatility (the option is worth exercising at once, or nearly)"
        case let .noConvergence(detail): "no convergence: \(detail)"
        }
    }
}

/// Checks shared by every model.
enum Validate {
    static func positive(_ value: Double, _ field: String) throws {
        guard value.isFinite, value > 0 else { throw QuantError.invalid(field: field, value: value, requirement: "a positive finite number") }
    }

    static func finite(_ value: Double, _ field: String) throws {
        guard value.isFinite else { throw QuantError.invalid(field: field, value: value, requirement: "finite") }
    }
}
