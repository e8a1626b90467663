extension Volta_V1_UnderlyingQuote {
    /// The price a trading service acts on: the mid of a two-sided quote, else the last trade.
    /// (Marketdata's statistics prefer the last trade: they measure closes, not touches.)
    public var referencePrice: Double { bid > 0 && ask >= bid ? (bid + ask) / 2 : last }
}

extension Volta_V1_Instrument {
    /// How traders say it: `SPY 2026-12-18 P 550` (`450.5` keeps its fraction), or the symbol.
    public var displayName: String {
        guard hasOption else { return symbol }
        let o = option
        let strike = o.strikeMicros % 1_000_000 == 0 ? "\(o.strikeMicros / 1_000_000)" : "\(Double(o.strikeMicros) / 1_000_000)"
        return "\(o.underlying) \(o.expiry) \(o.right == .put ? "P" : "C") \(strike)"
    }

    /// The underlying an instrument's risk is on: an option's underlying, else its own symbol.
    public var underlyingSymbol: String { hasOption ? option.underlying : symbol }
}

extension Volta_V1_OrderState {
    /// Filled, cancelled, rejected or expired: nothing more will happen to the order.
    public var isEnded: Bool { self == .filled || self == .cancelled || self == .rejected || self == .expired }
}

extension Sequence where Element == Volta_V1_Instrument {
    /// The option contracts among these instruments (what a quote or greeks feed follows).
    public var optionContracts: [Volta_V1_OptionContract] { filter(\.hasOption).map(\.option) }
}

extension Volta_V1_Leg {
    /// Units of the instrument one unit of the order moves the position by: its ratio (at least
    /// 1), negative for a sold leg.
    public var signedRatio: Int64 { (side == .sell ? -1 : 1) * Int64(max(ratio, 1)) }
}
