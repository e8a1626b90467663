import Bus
import Foundation
import HTTPTypes
import Hummingbird
import Messages
import NIOCore

/// The HTTP API: reads come from the recorder's named queries (over req/rep, so SQLite keeps
/// one writer and one owner) and from what `BusWatch` heard; writes go to risk and execution.
/// Every failure is a JSON `{"error": ...}`: 400 for a request the caller must fix, 503 when the
/// service that answers it is not on the bus, 502 when it failed.
struct DashboardAPI: Sendable {
    let bus: Bus
    let watch: BusWatch
    let events: EventFanout
    let alerts: AlertCenter
    let marketWatch: MarketWatch
    let timeout: Duration

    /// A caller's mistake (400), or a refusal with its own status (404 unknown, 409 not now).
    struct Invalid: Error {
        let message: String
        var status: HTTPResponse.Status = .badRequest
    }

    func register(on router: Router<DashboardContext>) {
        router.get("/health") { _, _ in
            APIResponse.json(.object([("status", .string("ok")), ("processes_heard", .integer(Int64(watch.instances.count))),
                                      ("event_clients", .integer(Int64(events.clientCount)))]))
        }
        router.get("/metrics") { _, _ in
            APIResponse.text(PrometheusText.render(watch.metrics), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/api/positions") { r, _ in await answer { try await positions(r) } }
        router.get("/api/positions/greeks") { r, _ in await answer { try await greeks(r) } }
        router.get("/api/positions/risk") { r, _ in await answer { try await risk(r) } }
        router.get("/api/trades") { r, _ in await trades(r) }
        router.get("/api/orders") { r, _ in await answer { try await orders(r) } }
        router.get("/api/strategies") { r, _ in await answer { try await strategies(r) } }
        router.get("/api/strategies/parameters") { r, _ in await answer { try await strategyParameters(r) } }
        router.post("/api/strategies/parameters") { r, _ in await answer { try await editParameter(r) } }
        router.get("/api/pnl") { r, _ in await answer { try await pnl(r) } }
        router.get("/api/pnl/history") { r, _ in await answer { try await pnlHistory(r) } }
        router.get("/api/status") { r, _ in await answer { try await status(r) } }
        router.get("/api/alerts") { r, _ in await answer {
            _ = try parameters(r, allowed: [])
            return .object([("alerts", .array(alerts.recent.map(\.json)))])
        } }
        router.post("/api/killswitch") { r, _ in await answer { try await killSwitch(r) } }
        router.post("/api/trade/trigger") { r, _ in await answer { try await trigger(r) } }
        router.post("/api/flatten") { r, _ in await answer { try await flatten(r) } }
        router.get("/api/intents/pending") { r, _ in await answer { try await pendingIntents(r) } }
        router.post("/api/intents/confirm") { r, _ in await answer { try await decide(r, veto: false) } }
        router.post("/api/intents/veto") { r, _ in await answer { try await decide(r, veto: true) } }
        router.post("/api/mode") { r, _ in await answer { try await setMode(r) } }
        router.get("/api/summary/day") { r, _ in await answer { try await daySummaries(r) } }
        router.post("/api/summary/day") { r, _ in await answer { try await makeDaySummary(r) } }
        router.get("/api/market") { r, _ in await answer { try await market(r) } }
        router.get("/api/market/chain") { r, _ in await answer { try await chain(r) } }
        router.get("/api/events") { _, _ in eventStream() }
    }

    // MARK: Reads

    func positions(_ r: Request) async throws -> JSONValue {
        let p = try parameters(r, allowed: ["account"])
        return .object([("positions", .array(try await query("open_positions", p).jsonRows))])
    }

    func greeks(_ r: Request) async throws -> JSONValue {
        let p = try parameters(r, allowed: ["account"])
        let byUnderlying = try await query("greeks_by_underlying", p).jsonRows
        func total(_ key: String) -> JSONValue { .number(byUnderlying.reduce(0) { $0 + ($1[key]?.double ?? 0) }) }
        return .object([
            ("net", .object([("delta", total("delta")), ("gamma", total("gamma")), ("theta", total("theta")), ("vega", total("vega"))])),
            ("by_underlying", .array(byUnderlying)),
            ("beta_weighted", watch.risk.map(DashboardJSON.betaWeighted) ?? .array([])),
            ("units", .string("delta and gamma in shares; theta in currency per day; vega in currency per volatility point")),
        ])
    }

    func risk(_ r: Request) async throws -> JSONValue {
        _ = try parameters(r, allowed: [])
        async let metrics = query("risk_metrics", [:])
        async let accounts = query("pnl", [:])
        let rows = try await accounts.jsonRows.map { row -> JSONValue in
            let margin = row["margin"]?.double, buyingPower = row["buying_power"]?.double, netLiq = row["net_liquidation"]?.double
            return .object([("account", row["account"] ?? .null), ("net_liquidation", .number(netLiq)), ("margin", .number(margin)),
                            ("buying_power", .number(buyingPower)),
                            ("margin_used_pct", .number(margin.flatMap { m in netLiq.flatMap { $0 > 0 ? 100 * m / $0 : nil } }))])
        }
        let state = watch.risk
        return .object([
            ("metrics", try await metrics.jsonRows.first ?? .object([])),
            ("accounts", .array(rows)),
            ("kill_switch", state.map { .string($0.killSwitch) } ?? .null),
            ("limits", state.map(DashboardJSON.limits) ?? .array([])),
        ])
    }

    /// `?format=csv` downloads the rows as a file.
    func trades(_ r: Request) async -> Response {
        do {
            var p = try parameters(r, allowed: ["from", "to", "status", "strategy", "account", "format"])
            let format = p.removeValue(forKey: "format") ?? "json"
            guard format == "json" || format == "csv" else { throw Invalid(message: "format must be json or csv, got '\(format)'") }
            let table = try await query("trades", p, csv: format == "csv", limit: 100_000)
            if format == "csv" {
                return APIResponse.text(table.csv, contentType: "text/csv; charset=utf-8",
                                        extra: [HTTPField.Name("Content-Disposition")!: "attachment; filename=\"volta-trades.csv\""])
            }
            return APIResponse.json(.object([("trades", .array(table.jsonRows))]))
        } catch {
            return failure(error)
        }
    }

    func orders(_ r: Request) async throws -> JSONValue {
        _ = try parameters(r, allowed: [])
        return .object([("pending", .array(try await query("pending_orders", [:]).jsonRows))])
    }

    func strategies(_ r: Request) async throws -> JSONValue {
        _ = try parameters(r, allowed: [])
        return .object([("summary", .array(try await query("strategy_summary", [:]).jsonRows)),
                        ("states", .array(try await query("strategy_states", [:]).jsonRows)),
                        ("parameters", DashboardJSON.strategyParameters(watch.statuses))])
    }

    func pnl(_ r: Request) async throws -> JSONValue {
        _ = try parameters(r, allowed: [])
        let rows = try await query("pnl", [:]).jsonRows
        func sum(_ key: String) -> Double { rows.reduce(0) { $0 + ($1[key]?.double ?? 0) } }
        let realized = sum("realized"), unrealized = sum("unrealized")
        return .object([("realized", .number(realized)), ("unrealized", .number(unrealized)), ("total", .number(realized + unrealized)),
                        ("realized_today", .number(sum("realized_today"))), ("accounts", .array(rows))])
    }

    /// The equity curve: every account's points summed per snapshot time.
    func pnlHistory(_ r: Request) async throws -> JSONValue {
        let p = try parameters(r, allowed: ["range", "account"])
        let rows = try await query("pnl_history", p, limit: 100_000).jsonRows
        var points: [(Int64, Double, Double, Double)] = []
        for row in rows {
            guard case .integer(let ts) = row["ts_ns"] ?? .null else { continue }
            let (re, un, to) = (row["realized"]?.double ?? 0, row["unrealized"]?.double ?? 0, row["total"]?.double ?? 0)
            if let last = points.last, last.0 == ts {
                points[points.count - 1] = (ts, last.1 + re, last.2 + un, last.3 + to)
            } else {
                points.append((ts, re, un, to))
            }
        }
        return .object([
            ("range", .string(p["range"] ?? "month")),
            ("points", .array(points.map { .object([("ts_ns", .integer($0.0)), ("realized", .number($0.1)), ("unrealized", .number($0.2)),
                                                   ("total", .number($0.3))]) })),
        ])
    }

    func status(_ r: Request) async throws -> JSONValue {
        _ = try parameters(r, allowed: [])
        let next = await nextScheduledTrade()
        let now = bus.clock.now()
        let instances = watch.instances, alive = watch.alive(now: now)
        var services: [String: Int] = [:]
        for i in instances where alive.contains(i.heartbeat.source.instance) { services[i.heartbeat.source.service, default: 0] += 1 }
        return .object([
            ("processes", DashboardJSON.health(instances, statuses: watch.statuses, alive: alive, now: now)),
            ("alive_by_service", .object(services.keys.sorted().map { ($0, .integer(Int64(services[$0]!))) })),
            ("trading", watch.risk.map(DashboardJSON.riskSummary) ?? .null),
            ("trading_enabled", watch.risk.map { .bool($0.killSwitch == "ACTIVE") } ?? .null),
            ("next_scheduled_trade", next.map { .integer($0.atNs) } ?? .null),
            ("next_scheduled", next.map { t in .object([("strategy", .string(t.strategy)), ("timer", .string(t.timerID)), ("at_ns", .integer(t.atNs))]) } ?? .null),
            ("schedule", .string(next.map { "\($0.strategy) (\($0.timerID))" }
                                 ?? "no strategy has a scheduled trade; the stop manager acts when an underlying crosses a stop")),
            ("strategy_parameters", DashboardJSON.strategyParameters(watch.statuses)),
            ("now_ns", .integer(now)),
        ])
    }

    // MARK: Writes

    /// `{"state": "ACTIVE" | "REDUCING" | "HALTED"}`, or `{"emergency_stop": "<reason>"}` to
    /// cancel every working order and halt.
    func killSwitch(_ r: Request) async throws -> JSONValue {
        let body = try await jsonObject(r)
        var request = Volta_V1_RiskRequest()
        if body["emergency_stop"] != nil && body["state"] != nil {
            throw Invalid(message: "give either 'state' or 'emergency_stop', not both")
        }
        if let reason = body["emergency_stop"] as? String {
            guard !reason.isEmpty else { throw Invalid(message: "emergency_stop needs a reason") }
            request.emergencyStop = reason
        } else if let state = (body["state"] as? String)?.uppercased() {
            guard ["ACTIVE", "REDUCING", "HALTED"].contains(state) else {
                throw Invalid(message: "state must be ACTIVE, REDUCING or HALTED, got '\(state)'")
            }
            request.setKillSwitch = state
        } else {
            throw Invalid(message: "the body needs 'state' (ACTIVE, REDUCING, HALTED) or 'emergency_stop' (a reason)")
        }
        let reply = try await bus.request(service: Topics.Service.risk, request, as: Volta_V1_RiskReply.self, timeout: timeout, retries: 1)
        watch.adopt(reply.state)
        return DashboardJSON.riskSummary(reply.state)
    }

    /// `{"reason": "...", "key": "..."}`: cancel every working order, then close every position
    /// at smart limits. `key` names the click, as for manual trades: the same key again answers
    /// the same closes.
    func flatten(_ r: Request) async throws -> JSONValue {
        let body = try await jsonObject(r)
        guard let key = body["key"] as? String, ManualTrade.isValidKey(key) else {
            throw Invalid(message: "flatten needs 'key': 8 to 64 letters, digits, '-' or '_' naming this click")
        }
        if let reason = body["reason"], !(reason is String) { throw Invalid(message: "reason must be text") }
        let reason = body["reason"] as? String ?? "flatten from the dashboard"
        var request = Volta_V1_ExecutionRequest()
        request.flatten = Volta_V1_Flatten.with { $0.reason = reason; $0.flattenID = key }
        // Execution waits up to 5 s for the cancels before it closes: a longer timeout, and
        // retries under the same request id reach the same flatten.
        let reply = try await bus.request(service: Topics.Service.execution, request, as: Volta_V1_ExecutionReply.self,
                                          timeout: .seconds(15), retries: 1, requestID: "flatten-\(key)")
        return .object([("intents", .array(reply.executions.map { e in
            .object([("intent_id", .string(e.intentID)), ("instrument", .string(e.instrument)), ("quantity", .integer(e.quantity)),
                     ("stage", .string("\(e.stage)")), ("account", .string(e.account))])
        }))])
    }

    func trigger(_ r: Request) async throws -> JSONValue {
        let data = try await body(r)
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let strategy = object["strategy"] {
            return try await runNow(strategy, force: object["force"])
        }
        let trade: ManualTrade
        do { trade = try ManualTrade.parse(data) } catch let e as ManualTrade.Invalid { throw Invalid(message: e.description) }
        let intent: Volta_V1_OrderIntent
        do {
            switch trade.action.lowercased() {
            case "close":
                guard let name = trade.instrument, !name.isEmpty else { throw ManualTrade.Invalid("close needs 'instrument'") }
                let held = try await query("open_positions", ["account": trade.account]).jsonRows.first { $0["instrument"]?.string == name }
                guard let held else { throw ManualTrade.Invalid("no open position in '\(name)' for account \(trade.account)") }
                intent = try trade.closeIntent(position: held, now: bus.clock.now())
            case "open":
                intent = try trade.openIntent(now: bus.clock.now())
            default:
                throw ManualTrade.Invalid("action must be close or open, got '\(trade.action)'")
            }
        } catch let e as ManualTrade.Invalid {
            throw Invalid(message: e.description)
        }
        var request = Volta_V1_ExecutionRequest()
        request.submit = intent
        // The intent id is the idempotency key end to end: the retries here and a second click
        // with the same key reach the one order execution keeps for it.
        let reply = try await bus.request(service: Topics.Service.execution, request, as: Volta_V1_ExecutionReply.self,
                                          timeout: timeout, retries: 2, requestID: intent.intentID)
        let e = reply.executions.first
        return .object([("intent_id", .string(intent.intentID)), ("stage", .string(e.map { "\($0.stage)" } ?? "unknown")),
                        ("order_id", .string(e?.orderID ?? "")), ("reason", .string(e?.reason ?? "")),
                        ("risk_reason_code", .string(e?.riskReasonCode ?? ""))])
    }

    // MARK: Events

    func eventStream() -> Response {
        let stream = events.connect()
        var hello: [(String, JSONValue)] = [("now_ns", .integer(bus.clock.now()))]
        if let risk = watch.risk { hello.append(("risk", DashboardJSON.riskSummary(risk))) }
        let first = "retry: 2000\nevent: hello\ndata: \(JSONValue.object(hello).text)\n\n"
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
                        body: ResponseBody { writer in
            try await writer.write(ByteBuffer(string: first))
            for await frame in stream { try await writer.write(ByteBuffer(string: frame)) }
            try await writer.finish(nil)
        })
    }

    // MARK: Plumbing

    func query(_ name: String, _ parameters: [String: String], csv: Bool = false, limit: Int32 = 0) async throws -> Volta_V1_RecorderTable {
        var q = Volta_V1_RecorderQuery()
        q.name = name
        q.parameters = parameters
        q.csv = csv
        q.limit = limit
        return try await bus.request(service: Topics.Service.recorder, q, as: Volta_V1_RecorderTable.self, timeout: timeout, retries: 1)
    }

    /// The query string, refusing names the endpoint does not take (a typo would otherwise
    /// silently return everything).
    func parameters(_ r: Request, allowed: Set<String>) throws -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in r.uri.queryParameters {
            let key = String(k)
            guard allowed.contains(key) else {
                throw Invalid(message: "unknown parameter '\(key)'" + (allowed.isEmpty ? "; this endpoint takes none" : "; known: \(allowed.sorted().joined(separator: ", "))"))
            }
            // An empty value is a mistake too: the recorder would read it as no filter at all.
            guard !v.isEmpty else { throw Invalid(message: "parameter '\(key)' is empty; leave it out for no filter") }
            out[key] = String(v)
        }
        return out
    }

    func body(_ r: Request) async throws -> Data {
        do { return Data(try await r.body.collect(upTo: 64 * 1024).readableBytesView) } catch {
            throw Invalid(message: "the body must be at most 64 KiB of JSON")
        }
    }

    func jsonObject(_ r: Request) async throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: try await body(r)) as? [String: Any] else {
            throw Invalid(message: "the body must be a JSON object")
        }
        return object
    }

    func answer(_ work: () async throws -> JSONValue) async -> Response {
        do { return APIResponse.json(try await work()) } catch { return failure(error) }
    }

    func failure(_ error: any Error) -> Response {
        switch error {
        case let e as Invalid: APIResponse.error(e.status, e.message)
        case BusError.remote(_, .badRequest, let message): APIResponse.error(.badRequest, message)
        case BusError.noSuchService(let s): APIResponse.error(.serviceUnavailable, "the \(s) service is not running")
        case BusError.timeout(let s, _): APIResponse.error(.serviceUnavailable, "no answer from the \(s) service")
        default: APIResponse.error(.badGateway, "\(error)")
        }
    }
}
