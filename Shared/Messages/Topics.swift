/// Every topic and service name on the bus, in one namespace.
///
/// Topics read `domain.kind.key`; subscribers filter by prefix, so the most general part comes
/// first. Keys are sanitized so that a symbol such as `BRK.B` cannot add a level.
/// The table of topics is in docs/topics.md.
public enum Topics {
    public static func heartbeat(service: String, instance: String) -> String {
        "sys.heartbeat.\(key(service)).\(key(instance))"
    }
    public static func status(service: String, instance: String) -> String {
        "sys.status.\(key(service)).\(key(instance))"
    }
    public static func metrics(service: String, instance: String) -> String {
        "sys.metrics.\(key(service)).\(key(instance))"
    }
    /// A service's error report.
    public static func error(service: String) -> String { "sys.error.\(key(service))" }
    public static func underlyingQuote(_ symbol: String) -> String { "md.quote.\(key(symbol))" }
    public static func optionQuote(_ contract: Volta_V1_OptionContract) -> String {
        "md.option.\(key(contract.underlying)).\(contract.expiry).\(contractKey(contract))"
    }
    /// A burst of raw broker quotes for one underlying and its options (gateway → marketdata).
    public static func quoteBatch(_ underlying: String) -> String { "gw.quotes.\(key(underlying))" }
    public static func accountSnapshot(_ account: String) -> String { "gw.account.\(key(account))" }
    public static func brokerConnection(instance: String) -> String { "\(Prefix.brokerConnections)\(key(instance))" }
    public static func marketDataInterest(owner: String) -> String { "\(Prefix.marketDataInterests)\(key(owner))" }
    public static func underlyingStats(_ symbol: String) -> String { "md.stats.\(key(symbol))" }
    public static func chainSnapshot(_ underlying: String) -> String { "md.chain.\(key(underlying))" }
    /// The pricer's analytics of one option; subscribe to `optionAnalytics(underlying:)` for a chain.
    public static func optionAnalytics(_ contract: Volta_V1_OptionContract) -> String {
        "\(optionAnalytics(underlying: contract.underlying)).\(contract.expiry).\(contractKey(contract))"
    }
    public static func optionAnalytics(underlying: String) -> String { "px.greeks.\(key(underlying))" }
    public static func volSurface(_ underlying: String) -> String { "\(Prefix.volSurfaces)\(key(underlying))" }
    public static func intent(strategy: String) -> String { "strategy.intent.\(key(strategy))" }
    public static func order(_ id: String) -> String { "exec.order.\(key(id))" }
    public static func orderStatus(_ id: String) -> String { "exec.status.\(key(id))" }
    public static func fill(_ orderID: String) -> String { "exec.fill.\(key(orderID))" }
    public static func position(account: String, instrument: Volta_V1_Instrument) -> String {
        "acct.position.\(key(account)).\(instrumentKey(instrument))"
    }
    public static func accountValue(account: String, key name: String) -> String {
        "acct.value.\(key(account)).\(key(name))"
    }
    public static func riskDecision(_ intentID: String) -> String { "risk.decision.\(key(intentID))" }
    public static let riskState = "risk.state"
    /// What the recorder has committed (RecorderAck).
    public static let recorderAck = "rec.ack"
    /// An operator's command to risk (kill switch, mode, confirm, veto), broadcast by the worker
    /// that answered it so every risk worker applies it.
    public static let riskControl = "risk.control"
    /// One strategy's state for one key: `key` is a topic path the strategy builds (its levels
    /// made with ``key(_:)`` or ``instrumentPath(_:)``). Subscribe to `strategyStates(strategy)`.
    public static func strategyState(strategy: String, key path: String) -> String { "\(strategyStates(strategy)).\(path)" }
    public static func strategyStates(_ strategy: String) -> String { "strategy.state.\(key(strategy))" }
    public static func strategyAlert(_ strategy: String) -> String { "strategy.alert.\(key(strategy))" }
    public static func strategyTrigger(_ strategy: String) -> String { "\(Prefix.strategyTriggers)\(key(strategy))" }
    /// The end-of-day summary of one session (`2026-12-07`).
    public static func daySummary(_ date: String) -> String { "summary.day.\(key(date))" }
    /// An operator's edit of a strategy parameter (`strategy.putseller.target_delta` keeps its dots).
    public static func parameterChange(_ settingKey: String) -> String { "\(Prefix.parameterChanges)\(settingKey)" }
    /// An instrument as topic levels: `SPY.2026-12-18.C600` for an option, `SPY.stock` for shares.
    public static func instrumentPath(_ instrument: Volta_V1_Instrument) -> String {
        instrument.hasOption ? instrumentKey(instrument) : "\(key(instrument.symbol)).stock"
    }
    public static func intentExecution(_ intentID: String) -> String { "exec.intent.\(key(intentID))" }
    public static func probeTick(_ instance: String) -> String { "probe.tick.\(key(instance))" }

    /// Subscription prefixes: every stream of one kind. Services subscribe with these, never
    /// with a literal, so a topic's shape changes in one place.
    public enum Prefix {
        public static let marketdata = "md."
        public static let underlyingQuotes = "md.quote."
        public static let optionQuotes = "md.option."
        public static func optionQuotes(underlying: String) -> String { "\(optionQuotes)\(key(underlying))." }
        public static let stats = "md.stats."
        public static let chains = "md.chain."
        public static let pricer = "px."
        public static let volSurfaces = "px.surface."
        public static let quoteBatches = "gw.quotes."
        public static let accountSnapshots = "gw.account."
        public static let execution = "exec."
        public static let orderStatuses = "exec.status."
        public static let fills = "exec.fill."
        public static let intentExecutions = "exec.intent."
        public static let orders = "exec.order."
        public static let positions = "acct.position."
        public static let accountValues = "acct.value."
        public static let riskDecisions = "risk.decision."
        public static let strategyStates = "strategy.state."
        public static let strategyIntents = "strategy.intent."
        public static let strategyAlerts = "strategy.alert."
        public static let strategyTriggers = "strategy.trigger."
        public static let parameterChanges = "strategy.parameter."
        public static let brokerConnections = "gw.connection."
        public static let marketDataInterests = "gw.interest."
        public static let heartbeats = "sys.heartbeat."
        public static let statuses = "sys.status."
        public static let metrics = "sys.metrics."
        public static let probeTicks = "probe.tick."
    }

    /// The topics of request and reply payloads (they travel by request, not pub/sub; the
    /// names label them in recordings and `tap`).
    public enum Payload {
        public static let pricerRequest = "px.request"
        public static let pricerReply = "px.reply"
        public static let gatewayRequest = "gw.request"
        public static let gatewayReply = "gw.reply"
        public static let riskReply = "risk.reply"
        public static let executionRequest = "exec.request"
        public static let executionReply = "exec.reply"
        public static let strategyRequest = "strategy.request"
        public static let strategyReply = "strategy.reply"
    }

    /// The service names that answer requests through the broker.
    public enum Service {
        public static let gateway = "gateway"
        public static let marketdata = "marketdata"
        public static let pricer = "pricer"
        public static let risk = "risk"
        public static let execution = "execution"
        public static let recorder = "recorder"
        public static let strategy = "strategy"
        public static let probe = "probe"
        /// Processes that serve no requests, named here for their heartbeats and logs.
        public static let bus = "bus"
        public static let dashboard = "dashboard"

        /// The Clone-pattern snapshot endpoint of a stateful stream.
        public static func snapshot(of stream: String) -> String { "\(stream).snapshot" }
    }

    /// A topic level: dots and whitespace would add or break levels, so they become `_`.
    public static func key(_ raw: String) -> String {
        // Hot path (every publish): plain ASCII with nothing to replace is returned as it is,
        // without walking grapheme clusters.
        if raw.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: ".") }) { return raw }
        return String(raw.map { $0 == "." || $0.isWhitespace ? "_" : $0 })
    }

    /// `C450_5` for the 450.5 call: right, then the strike without trailing zeros.
    static func contractKey(_ c: Volta_V1_OptionContract) -> String {
        let right = c.right == .put ? "P" : "C"
        let whole = c.strikeMicros / 1_000_000
        var frac = String(abs(c.strikeMicros % 1_000_000))
        if frac != "0" {
            frac = String(repeating: "0", count: 6 - frac.count) + frac
            while frac.hasSuffix("0") { frac.removeLast() }
            return "\(right)\(whole)_\(frac)"
        }
        return "\(right)\(whole)"
    }

    static func instrumentKey(_ i: Volta_V1_Instrument) -> String {
        guard i.hasOption else { return key(i.symbol) }
        return "\(key(i.option.underlying)).\(i.option.expiry).\(contractKey(i.option))"
    }
}
