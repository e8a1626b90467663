import Bus
import CoreMetrics
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Messages
import Synchronization

/// The notifier: hears the bus, turns what an operator should know into alerts (AlertRules), and
/// sends each to its sinks: the log, the page (an `alert` event and `/api/alerts`), and, when
/// configured, an HTTP webhook taking Slack's JSON (`{"text": ...}`) at or above a level. A
/// webhook that fails is retried (three attempts, 1 s then 2 s apart), then counted and logged;
/// it never holds up the other sinks.
public final class AlertCenter: Sendable {
    public struct Settings: Sendable {
        public var webhookURL: URL?
        public var webhookLevel: OperatorAlert.Level = .info
        public var keep = 200
        public init() {}
    }

    struct State {
        var rules = AlertRules()
        var recent: [OperatorAlert] = []
    }

    let bus: Bus
    let events: EventFanout
    let watch: BusWatch
    /// The underlyings' prices, for the rule that a held position's underlying is quoted.
    let market: MarketWatch?
    let settings: Settings
    let logger: Logger
    let state = Mutex(State())
    let webhookFailures = Counter(label: "dashboard_webhook_failures")
    let webhookSent = Counter(label: "dashboard_webhook_sent")

    init(bus: Bus, events: EventFanout, watch: BusWatch, market: MarketWatch? = nil, settings: Settings, logger: Logger) {
        self.bus = bus
        self.events = events
        self.watch = watch
        self.market = market
        self.settings = settings
        self.logger = logger
    }

    /// The latest alerts, newest last.
    var recent: [OperatorAlert] { state.withLock { $0.recent } }

    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.follow(Volta_V1_Fill.self, Topics.Prefix.fills) { r, m, now in [r.fill(m, now: now)] } }
            group.addTask { await self.follow(Volta_V1_RiskDecision.self, Topics.Prefix.riskDecisions) { r, m, now in r.decision(m, now: now).map { [$0] } ?? [] } }
            group.addTask { await self.follow(Volta_V1_StrategyAlert.self, Topics.Prefix.strategyAlerts) { r, m, now in [r.strategy(m, now: now)] } }
            group.addTask { await self.follow(Volta_V1_RiskState.self, Topics.riskState) { r, m, now in r.risk(m, now: now) } }
            group.addTask { await self.follow(Volta_V1_BrokerConnection.self, Topics.Prefix.brokerConnections) { r, m, now in r.broker(m, now: now) } }
            group.addTask { await self.watchGateways() }
            group.addTask { await self.follow(Volta_V1_Position.self, Topics.Prefix.positions) { r, m, now in r.position(m, now: now) } }
        }
    }

    /// One kind of bus event through its rule, under the one lock around the rules' memory.
    func follow<M: BusMessage>(_ type: M.Type, _ prefix: String,
                               _ rule: @escaping @Sendable (inout AlertRules, M, Int64) -> [OperatorAlert]) async {
        for await m in bus.subscribe(type, prefix: prefix) {
            let now = bus.clock.now()
            for a in state.withLock({ rule(&$0.rules, m.message, now) }) { raise(a) }
        }
    }

    /// Every second: which gateways heartbeat (the watchdog's liveness rule), and whether every
    /// held position's underlying is quoted.
    func watchGateways() async {
        while !Task.isCancelled {
            let now = bus.clock.now()
            let alive = watch.alive(now: now)
            let gateways = Set(watch.instances.filter { $0.heartbeat.source.service == Topics.Service.gateway && alive.contains($0.heartbeat.source.instance) }
                .map(\.heartbeat.source.instance))
            for a in state.withLock({ $0.rules.gateways(alive: gateways, now: now) }) { raise(a) }
            if let market {
                for a in state.withLock({ $0.rules.underlyingQuotes(now: now, lastHeard: market.lastHeard) }) { raise(a) }
            }
            do { try await bus.clock.sleep(for: .seconds(1)) } catch { return }
        }
    }

    func raise(_ alert: OperatorAlert) {
        state.withLock { s in
            s.recent.append(alert)
            if s.recent.count > settings.keep { s.recent.removeFirst(s.recent.count - settings.keep) }
        }
        let level: Logger.Level = switch alert.level { case .info: .info; case .warning: .warning; case .critical: .critical }
        logger.log(level: level, "alert", metadata: ["kind": "\(alert.kind)", "text": "\(alert.text)"])
        events.send("alert", alert.json)
        if let url = settings.webhookURL, alert.level >= settings.webhookLevel {
            Task { await self.post(alert, to: url) }
        }
    }

    /// Slack's incoming-webhook body: one `text`, with the level up front.
    static func webhookBody(_ alert: OperatorAlert) -> Data {
        JSONValue.object([("text", .string("[\(alert.level.name.uppercased())] \(alert.text)")),
                          ("kind", .string(alert.kind)), ("level", .string(alert.level.name)), ("time_ns", .integer(alert.timeNs))]).data
    }

    func post(_ alert: OperatorAlert, to url: URL) async {
        var request = URLRequest(url: url, timeoutInterval: 5)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Self.webhookBody(alert)
        var lastError = ""
        for attempt in 0..<3 {
            if attempt > 0 {
                do { try await bus.clock.sleep(for: .seconds(attempt)) } catch { return }
            }
            do {
                let (_, response) = try await URLSession.shared.data(for: request)
                let code = (response as? HTTPURLResponse)?.statusCode ?? 0
                if (200..<300).contains(code) { webhookSent.increment(); return }
                lastError = "HTTP \(code)"
            } catch {
                lastError = "\(error)"
            }
        }
        webhookFailures.increment()
        logger.error("alert webhook failed after 3 attempts", metadata: ["kind": "\(alert.kind)", "error": "\(lastError)"])
    }
}
