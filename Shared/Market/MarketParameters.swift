/// Everything that shapes the simulated market; a scenario file overrides any part of it.
public struct MarketParameters: Sendable, Equatable {
    /// `always`: prices move around the clock (the default, so a demo on a Saturday still moves);
    /// `nyse`: nothing trades outside the exchange's sessions and time skips to the next open.
    public enum Hours: String, Codable, Sendable { case always, nyse }

    public var index = IndexParameters()
    public var underlyings = UnderlyingParameters.defaults
    public var listing = OptionListing()
    public var quoter = SmileQuoter()
    public var hours = Hours.always
    /// The longest step of the price paths, in seconds: quotes may be computed less often.
    public var stepSeconds = 1.0
    public var seed: UInt64 = 1

    public init() {}

    public var volatilityIndexSymbol: String { "VIX" }
}
