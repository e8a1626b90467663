import ServiceKit

/// The `gateway.ibkr.*` keys: where TWS or IB Gateway listens, what to stream, how fast to ask.
public enum IBKRSettings {
    public static let host = Setting<String>.text(
        "gateway.ibkr.host", default: "127.0.0.1", accepted: "a host name or address",
        help: "Where TWS or IB Gateway listens.", isValid: { !$0.isEmpty })
    public static let port = Setting<Int>.integer(
        "gateway.ibkr.port", default: 7497, in: 1...65_535,
        help: "TWS's API port: 7497 paper and 7496 live (IB Gateway: 4002 and 4001).")
    public static let clientId = Setting<Int>.integer(
        "gateway.ibkr.client_id", default: 1, in: 0...999_999, help: "The API client id; one connection per id.")
    public static let tradingMode = Setting<String>.choice(
        "gateway.ibkr.trading_mode", default: "paper", of: ["paper", "live"],
        help: "paper refuses any account that is not a paper account (DU…); live needs gateway.ibkr.live_account too.")
    public static let liveAccount = Setting<String>.text(
        "gateway.ibkr.live_account", default: "", accepted: "the live account id, exactly as TWS lists it",
        help: "The one live account the gateway may trade, when trading_mode is live.", isValid: { _ in true })
    public static let marketDataType = Setting<String>.choice(
        "gateway.ibkr.market_data", default: "live", of: ["live", "frozen", "delayed", "delayed_frozen"],
        help: "IB's market data type; delayed needs no subscription.")
    public static let symbols = Setting<String>.text(
        "gateway.ibkr.symbols", default: "SPY,SPX,VIX", accepted: "comma-separated symbols such as SPY,QQQ,SPX",
        help: "The underlyings whose quotes and nearby options the gateway always streams (strategies' symbols and positions are streamed as they need); SPX and the VIX size the stops.",
        isValid: { text in !text.isEmpty && text.split(separator: ",").allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0 == "." } } })
    public static let maxLines = Setting<Int>.integer(
        "gateway.ibkr.max_lines", default: 95, in: 1...10_000,
        help: "Market data lines the gateway may hold (IB's default allowance is 100).")
    public static let snapshotLines = Setting<Int>.integer(
        "gateway.ibkr.snapshot_lines", default: 10, in: 0...1_000,
        help: "Lines the options near the money leave free for chain snapshots (what is held and asked for may take them).")
    public static let strikes = Setting<Int>.integer(
        "gateway.ibkr.strikes", default: 5, in: 0...100, help: "Strikes streamed on each side of the money, per expiry.")
    public static let expiries = Setting<Int>.integer(
        "gateway.ibkr.expiries", default: 2, in: 0...24, help: "Nearest expiries streamed per underlying.")
    public static let pacing = Setting<Int>.integer(
        "gateway.ibkr.pacing", default: 45, in: 1...50, help: "Requests per second at most (IB disconnects above 50).")
    public static let flushMilliseconds = Setting<Int>.integer(
        "gateway.ibkr.flush_ms", default: 100, in: 10...5_000, help: "How often collected ticks go out as quote bursts.")

    public static let all: [any AnySetting] = [host, port, clientId, tradingMode, liveAccount, marketDataType, symbols,
                                               maxLines, snapshotLines, strikes, expiries, pacing, flushMilliseconds]

    /// The adapter's settings, checked together: live trading without its account is a
    /// configuration error naming the key.
    public static func configuration(_ context: ServiceContext) throws -> IBKRConfiguration {
        let mode = try context.value(tradingMode)
        let account = try context.value(liveAccount)
        if mode == "live" && account.isEmpty {
            throw ConfigurationError(key: liveAccount.key, value: account, origin: "the configuration",
                                     accepted: "the live account id (trading_mode is live)")
        }
        let types = ["live": 1, "frozen": 2, "delayed": 3, "delayed_frozen": 4]
        var c = IBKRConfiguration()
        c.host = try context.value(host)
        c.port = try context.value(port)
        c.clientId = try context.value(clientId)
        c.liveAccount = mode == "live" ? account : nil
        c.marketDataType = types[try context.value(marketDataType)] ?? 1
        c.symbols = try context.value(symbols).split(separator: ",").map(String.init)
        c.maxLines = try context.value(maxLines)
        c.snapshotLines = try context.value(snapshotLines)
        c.strikesEachSide = try context.value(strikes)
        c.expiries = try context.value(expiries)
        c.requestsPerSecond = try context.value(pacing)
        c.flush = .milliseconds(try context.value(flushMilliseconds))
        return c
    }
}

/// What the `ibkr` adapter needs, settled.
public struct IBKRConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 7497
    public var clientId = 1
    /// The live account allowed, or nil for paper accounts only.
    public var liveAccount: String?
    /// 1 live, 2 frozen, 3 delayed, 4 delayed frozen.
    public var marketDataType = 1
    /// SPX and the VIX by default: the stop rules size every stop from them.
    public var symbols = ["SPY", "SPX", "VIX"]
    public var maxLines = 95
    /// Lines the window near the money leaves free for chain snapshots.
    public var snapshotLines = 10
    public var strikesEachSide = 5
    public var expiries = 2
    public var requestsPerSecond = 45
    public var flush = Duration.milliseconds(100)
    /// How often the lines are planned again with nothing else due (a lease lapsed, the window
    /// following the price).
    public var replan = Duration.seconds(30)
    /// How long a request waits for its answer.
    public var replyTimeout = Duration.seconds(10)

    public init() {}

    /// Paper accounts are `DU…` (or `DF…` for advisors' paper masters).
    public static func isPaper(_ account: String) -> Bool { account.hasPrefix("DU") || account.hasPrefix("DF") }

    /// The account to trade among those TWS manages, or why none may be.
    public func account(among managed: [String]) throws -> String {
        if let live = liveAccount {
            guard managed.contains(live) else {
                throw BrokerError.unavailable("the live account \(live) is not among this login's accounts \(managed)")
            }
            return live
        }
        guard let paper = managed.first(where: Self.isPaper) else {
            throw BrokerError.unavailable("no paper account among \(managed); live trading needs gateway.ibkr.trading_mode=live and gateway.ibkr.live_account")
        }
        return paper
    }
}
