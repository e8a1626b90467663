/// Where each message family is published. Requests and replies that never travel on pub/sub
/// use the topic of their family so that `tap --record` can still file them.
extension Volta_V1_Heartbeat: BusMessage {
    public var topic: String { Topics.heartbeat(service: source.service, instance: source.instance) }
}
extension Volta_V1_ServiceStatus: BusMessage {
    public var topic: String { Topics.status(service: source.service, instance: source.instance) }
}
extension Volta_V1_MetricsSnapshot: BusMessage {
    public var topic: String { Topics.metrics(service: source.service, instance: source.instance) }
}
extension Volta_V1_UnderlyingQuote: BusMessage {
    public var topic: String { Topics.underlyingQuote(symbol) }
}
extension Volta_V1_OptionQuote: BusMessage {
    public var topic: String { Topics.optionQuote(contract) }
}
extension Volta_V1_OptionAnalytics: BusMessage {
    public var topic: String { Topics.optionAnalytics(contract) }
}
extension Volta_V1_VolSurface: BusMessage {
    public var topic: String { Topics.volSurface(underlying) }
}
extension Volta_V1_PricerRequest: BusMessage {
    public var topic: String { Topics.Payload.pricerRequest }
}
extension Volta_V1_PricerReply: BusMessage {
    public var topic: String { Topics.Payload.pricerReply }
}
extension Volta_V1_OrderIntent: BusMessage {
    public var topic: String { Topics.intent(strategy: strategy) }
}
extension Volta_V1_Order: BusMessage {
    public var topic: String { Topics.order(orderID) }
}
extension Volta_V1_OrderStatus: BusMessage {
    public var topic: String { Topics.orderStatus(orderID) }
}
extension Volta_V1_Fill: BusMessage {
    public var topic: String { Topics.fill(orderID) }
}
extension Volta_V1_Position: BusMessage {
    public var topic: String { Topics.position(account: account, instrument: instrument) }
}
extension Volta_V1_AccountValue: BusMessage {
    public var topic: String { Topics.accountValue(account: account, key: key) }
}
extension Volta_V1_RiskDecision: BusMessage {
    public var topic: String { Topics.riskDecision(intentID) }
}
extension Volta_V1_ErrorReply: BusMessage {
    public var topic: String { Topics.error(service: service) }
}
extension Volta_V1_SnapshotRequest: BusMessage {
    public var topic: String { "sys.snapshot.request" }
}
extension Volta_V1_Snapshot: BusMessage {
    public var topic: String { "sys.snapshot.reply" }
}
extension Volta_V1_ProbeTick: BusMessage {
    public var topic: String { Topics.probeTick(note.isEmpty ? "probe" : note) }
}
extension Volta_V1_ProbeIncrement: BusMessage {
    public var topic: String { "probe.increment.\(Topics.key(client))" }
}
extension Volta_V1_ProbeCount: BusMessage {
    public var topic: String { "probe.count.\(Topics.key(worker))" }
}
extension Volta_V1_QuoteBatch: BusMessage {
    public var topic: String { Topics.quoteBatch(underlying) }
}
extension Volta_V1_GatewayRequest: BusMessage {
    public var topic: String { Topics.Payload.gatewayRequest }
}
extension Volta_V1_GatewayReply: BusMessage {
    public var topic: String { Topics.Payload.gatewayReply }
}
extension Volta_V1_BrokerConnection: BusMessage {
    public var topic: String { Topics.brokerConnection(instance: instance) }
}
extension Volta_V1_MarketDataInterest: BusMessage {
    public var topic: String { Topics.marketDataInterest(owner: owner) }
}
extension Volta_V1_AccountSnapshot: BusMessage {
    public var topic: String { Topics.accountSnapshot(account) }
}
extension Volta_V1_UnderlyingStats: BusMessage {
    public var topic: String { Topics.underlyingStats(symbol) }
}
extension Volta_V1_OptionChainSnapshot: BusMessage {
    public var topic: String { Topics.chainSnapshot(underlying) }
}
extension Volta_V1_StrategyState: BusMessage {
    public var topic: String { Topics.strategyState(strategy: strategy, key: key) }
}
extension Volta_V1_StrategyAlert: BusMessage {
    public var topic: String { Topics.strategyAlert(strategy) }
}
extension Volta_V1_StrategyTrigger: BusMessage {
    public var topic: String { Topics.strategyTrigger(strategy) }
}
extension Volta_V1_DaySummary: BusMessage {
    public var topic: String { Topics.daySummary(date) }
}
extension Volta_V1_ParameterChange: BusMessage {
    public var topic: String { Topics.parameterChange(key) }
}
extension Volta_V1_StrategyRequest: BusMessage {
    public var topic: String { Topics.Payload.strategyRequest }
}
extension Volta_V1_StrategyReply: BusMessage {
    public var topic: String { Topics.Payload.strategyReply }
}
extension Volta_V1_RiskRequest: BusMessage {
    public var topic: String { Topics.riskControl }
}
extension Volta_V1_RiskReply: BusMessage {
    public var topic: String { Topics.Payload.riskReply }
}
extension Volta_V1_RiskState: BusMessage {
    public var topic: String { Topics.riskState }
}
extension Volta_V1_ExecutionRequest: BusMessage {
    public var topic: String { Topics.Payload.executionRequest }
}
extension Volta_V1_ExecutionReply: BusMessage {
    public var topic: String { Topics.Payload.executionReply }
}
extension Volta_V1_IntentExecution: BusMessage {
    public var topic: String { Topics.intentExecution(intentID) }
}
extension Volta_V1_RecorderAck: BusMessage {
    public var topic: String { Topics.recorderAck }
}
extension Volta_V1_RecorderQuery: BusMessage {
    public var topic: String { "rec.query" }
}
extension Volta_V1_RecorderTable: BusMessage {
    public var topic: String { "rec.table" }
}
