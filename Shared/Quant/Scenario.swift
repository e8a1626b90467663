#if canImport(Glibc)
import Glibc
#endif

/// Repricing under shocks, with any model: the pricer's price-at and scenario requests, and the
/// theo of an option at a stop level of its underlying.
public enum Scenario {
    /// A model's price of an option; `OptionInputs.volatility` is the model's volatility input.
    public typealias Model = @Sendable (OptionInputs) throws -> Double

    public static let blackScholes: Model = { try $0.blackScholes().price }

    /// The option's value if the underlying were at `spot` now, everything else unchanged (sticky
    /// strike: the same volatility at the same strike), or with the volatility a surface gives at
    /// the new moneyness when one is passed.
    public static func price(_ o: OptionInputs, atSpot spot: Double, surface: VolatilitySurface? = nil,
                             model: Model = blackScholes) throws -> Double {
        try Validate.positive(spot, "spot")
        var moved = o
        moved.spot = spot
        if let surface {
            moved.volatility = surface.impliedVolatility(k: log(o.strike / moved.forward), time: o.time)
        }
        return try model(moved)
    }

    /// One cell of a scenario grid.
    public struct Shock: Sendable, Equatable {
        /// Relative spot move (−0.1 is down 10%).
        public var spot: Double
        /// Absolute volatility move (0.05 is five points up).
        public var volatility: Double
        /// Calendar days that pass.
        public var days: Double
        public init(spot: Double, volatility: Double, days: Double) { (self.spot, self.volatility, self.days) = (spot, volatility, days) }
    }

    /// The profit or loss of one unit of the option under each shock; an option that expires
    /// within the shock is worth its intrinsic value at the shocked spot.
    public static func profitAndLoss(_ o: OptionInputs, shocks: [Shock], model: Model = blackScholes) throws -> [Double] {
        let base = try model(o)
        return try shocks.map { shock in
            var moved = o
            moved.spot = o.spot * (1 + shock.spot)
            moved.volatility = max(o.volatility + shock.volatility, 1e-4)
            moved.time = o.time - shock.days / 365
            try Validate.positive(moved.spot, "spot after the shock")
            guard moved.time > 0 else { return max(o.kind.sign * (moved.spot - o.strike), 0) - base }
            return try model(moved) - base
        }
    }

    /// The usual grid: spot moves × volatility moves at a horizon.
    public static func grid(spot: [Double], volatility: [Double], days: Double) -> [Shock] {
        spot.flatMap { s in volatility.map { Shock(spot: s, volatility: $0, days: days) } }
    }
}
