import Messages

/// A broker behind the gateway: the simulated market (`sim`) or Interactive Brokers (`ibkr`).
/// The gateway owns connection and publication; an adapter only speaks to its broker.
public protocol BrokerAdapter: Sendable {
    var name: String { get }
    /// Connects and returns the broker's events until the connection drops (the stream ends).
    /// - Throws: ``BrokerError/unavailable(_:)`` when the broker cannot be reached.
    func connect() async throws -> AsyncStream<BrokerEvent>
    func place(_ order: Volta_V1_Order) async throws -> Volta_V1_OrderStatus
    func cancel(orderID: String) async throws -> Volta_V1_OrderStatus
    func modify(_ order: Volta_V1_Order) async throws -> Volta_V1_OrderStatus
    func contract(_ instrument: Volta_V1_Instrument) async throws -> Volta_V1_ContractDetails
    func chain(underlying: String) async throws -> Volta_V1_OptionChainDefinition
    func history(symbol: String, days: Int) async throws -> Volta_V1_History
    func accountSnapshot() async throws -> Volta_V1_AccountSnapshot
    /// Every current quote, one batch per underlying: the gateway's snapshot for late joiners.
    func currentQuotes() async -> [Volta_V1_QuoteBatch]
    /// One expiry's quotes now (``ChainSnapshotWindow`` says which contracts), streamed or not.
    func chainSnapshot(_ request: Volta_V1_ChainSnapshotRequest, now: Int64) async throws -> Volta_V1_OptionChainSnapshot
    /// The market data lines in use and allowed, and what was left without one; nil for a broker
    /// with no allowance (the simulated market quotes everything).
    func marketDataLines() -> (used: Int, max: Int, unquoted: [String])?
    /// A consumer's quotes wanted (`gw.interest.`), renewed while it runs: a broker with an
    /// allowance streams them while their lease holds; one that quotes everything ignores them.
    func want(_ interest: Volta_V1_MarketDataInterest)
    /// What the broker says is broken behind a live connection (a data farm down), or "".
    func degraded() -> String
}

extension BrokerAdapter {
    public func marketDataLines() -> (used: Int, max: Int, unquoted: [String])? { nil }
    public func want(_ interest: Volta_V1_MarketDataInterest) {}
    public func degraded() -> String { "" }
}

public enum BrokerEvent: Sendable {
    case quotes(Volta_V1_QuoteBatch)
    case status(Volta_V1_OrderStatus)
    case fill(Volta_V1_Fill)
    case position(Volta_V1_Position)
    case accountValue(Volta_V1_AccountValue)
}

public enum BrokerError: Error, CustomStringConvertible, Equatable {
    case unavailable(String)
    case notConnected

    public var description: String {
        switch self {
        case .unavailable(let why): "broker unavailable: \(why)"
        case .notConnected: "the gateway is not connected to its broker"
        }
    }
}
