/// What the simulated broker needs of a market: the time, each instrument's touch and the
/// underlyings' prices. The simulation provides it; rule tests provide exact touches.
public protocol MarketView {
    var now: Int64 { get }
    func touch(of instrument: InstrumentKey) -> Touch?
    func price(of symbol: String) -> Double?
    func isIndex(_ symbol: String) -> Bool
    func kind(of symbol: String) -> UnderlyingParameters.Kind
}

extension MarketSimulation: MarketView {
    public func kind(of symbol: String) -> UnderlyingParameters.Kind { underlyings[symbol]?.parameters.kind ?? .etf }
}
