/// The pre-trade limits. Money is in the account currency; fractions are of net liquidation
/// unless named otherwise. Zero turns a limit off.
public struct RiskLimits: Sendable, Equatable {
    /// Contracts (or shares) in one order that adds risk.
    public var maxOrderQuantity: Int64 = 50
    /// One underlying's delta-adjusted exposure after the order, as a share of net liquidation.
    public var maxPositionShare: Double = 0.25
    /// Loss since the day's start at which new risk stops.
    public var maxDailyLoss: Double = 5_000
    /// Distinct positions open at once.
    public var maxOpenPositions: Int = 20
    /// Gross delta-adjusted exposure against `capital`.
    public var maxGrossExposure: Double = 2.0
    public var capital: Double = 100_000
    /// Net liquidation under which new risk stops.
    public var minAccountBalance: Double = 25_000
    /// Gross exposure over net liquidation.
    public var maxLeverage: Double = 4.0
    /// VIX at or above which new risk stops.
    public var vixCircuitBreaker: Double = 40
    /// Orders per rolling minute, all purposes counted.
    public var maxOrdersPerMinute: Int = 30

    public init() {}
}

/// Why the risk service refused an intent: the codes traders see on the dashboard and in logs.
public enum RiskReason: String, Sendable, CaseIterable {
    case invalidIntent = "INVALID_INTENT"
    case killSwitchHalted = "KILL_SWITCH_HALTED"
    case killSwitchReducing = "KILL_SWITCH_REDUCING"
    case maxOrderSize = "MAX_ORDER_SIZE"
    case maxPositionShare = "MAX_POSITION_SHARE"
    case maxDailyLoss = "MAX_DAILY_LOSS"
    case maxOpenPositions = "MAX_OPEN_POSITIONS"
    case maxGrossExposure = "MAX_GROSS_EXPOSURE"
    case minAccountBalance = "MIN_ACCOUNT_BALANCE"
    case maxLeverage = "MAX_LEVERAGE"
    case vixCircuitBreaker = "VIX_CIRCUIT_BREAKER"
    case orderRateLimit = "ORDER_RATE_LIMIT"
    case vetoed = "OPERATOR_VETO"
    case noMarketData = "NO_MARKET_DATA"
    /// A "close" that would open or flip a position, or names none: not an exit, so not let through as one.
    case closeWouldOpen = "CLOSE_WOULD_OPEN"
}
