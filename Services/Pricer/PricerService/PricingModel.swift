import Quant

/// The model the service prices chains with. Equity options are American, so `baw` or `bjs2002`
/// give the truer IVs for puts and for calls on dividend payers; `bs` is the fastest and exact for
/// European index options. Trees, Merton and Heston stay in `pricer price`: their cost per option
/// is too high to reprice a chain on every tick.
public enum PricingModel: String, Sendable, CaseIterable {
    case bs, baw, bjs2002

    public func price(_ o: OptionInputs) throws -> Double {
        switch self {
        case .bs: try o.blackScholes().price
        case .baw: try BaroneAdesiWhaley.price(o)
        case .bjs2002: try BjerksundStensland.price(o)
        }
    }

    public func greeks(_ o: OptionInputs) throws -> Greeks {
        switch self {
        case .bs: try o.blackScholes()
        case .baw: try BaroneAdesiWhaley.greeks(o)
        case .bjs2002: try BjerksundStensland.greeks(o)
        }
    }

    /// The volatility that prices `o` at `price`; `o.volatility` is ignored.
    public func impliedVolatility(price: Double, _ o: OptionInputs) throws -> Double {
        switch self {
        case .bs:
            try ImpliedVolatility.bsm(o.kind, price: price, spot: o.spot, strike: o.strike, time: o.time, rate: o.rate, dividend: o.dividend)
        case .baw, .bjs2002:
            try AmericanImpliedVolatility.solve(price: price, o, model: self.price)
        }
    }
}
