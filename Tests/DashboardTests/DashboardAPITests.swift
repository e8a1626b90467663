import Bus
import DashboardService
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Messages
import Testing

/// The HTTP API against a seeded database: every endpoint's answer, its refusals (a clear 400,
/// never a 500), and who may write.
@Suite("Dashboard API", .serialized, .timeLimit(.minutes(2)))
struct DashboardAPITests {
    /// A harness with the seed recorded and one position snapshot taken.
    static func seeded(openReads: Bool = false, token: String = DashboardHarness.token) async throws -> DashboardHarness {
        let h = try DashboardHarness(token: token, openReads: openReads)
        try await h.start()
        try await Task.sleep(for: .milliseconds(100))
        let expected = DashboardSeed.publish(on: h.client)
        try await wait { h.recorder.committed.load(ordering: .relaxed) >= expected }
        try await wait { (try await h.get("/api/pnl/history?range=all").object["points"] as? [Any])?.isEmpty == false }
        return h
    }

    /// Polls for up to 20 s: on a machine doing other work, an event stream's first bytes have
    /// taken over 5.
    static func wait(_ condition: () async throws -> Bool) async throws {
        for _ in 0..<400 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("condition not met in 20 s")
    }

    @Test func readsAnswerFromTheRecordedBook() async throws {
        let h = try await Self.seeded()
        defer { Task { await h.stop() } }

        let positions = try await h.get("/api/positions")
        #expect(positions.status == 200 && positions.headers["content-type"]?.hasPrefix("application/json") == true)
        let rows = try #require(positions.object["positions"] as? [[String: Any]])
        #expect(rows.count == 1)
        let call = try #require(rows.first)
        #expect(call["instrument"] as? String == "SPY 2026-12-18 C 600")
        #expect(call["quantity"] as? Int == 2 && call["stop_level"] as? Double == 590 && call["stop_status"] as? String == "armed")
        #expect(abs((call["unrealized_pnl"] as? Double ?? 0) - 200) < 1e-9, "(6.00 − 5.00) × 2 × 100: \(call)")
        #expect(call["days_to_expiry"] is Int)

        let greeks = try await h.get("/api/positions/greeks").object
        let net = try #require(greeks["net"] as? [String: Any])
        #expect(abs((net["delta"] as? Double ?? 0) - 100) < 1e-9, "0.5 × 2 × 100 shares")
        #expect(abs((net["theta"] as? Double ?? 0) - -20) < 1e-9, "−36.5 / 365 × 200 per day")

        let risk = try await h.get("/api/positions/risk").object
        let metrics = try #require(risk["metrics"] as? [String: Any])
        #expect((metrics["max_loss"] as? Double ?? 0) > 0, "a stop 10.5 below the underlying loses money: \(metrics)")
        let account = try #require((risk["accounts"] as? [[String: Any]])?.first)
        #expect(account["margin"] as? Double == 20_000 && account["margin_used_pct"] as? Double == 20)

        let pnl = try await h.get("/api/pnl").object
        // The put's (3.00 − 1.00) × 100 − 2 × 0.65, and the call's entry commission.
        #expect(abs((pnl["realized"] as? Double ?? 0) - 198.05) < 1e-6, "\(pnl)")
        #expect(abs((pnl["total"] as? Double ?? 0) - 398.05) < 1e-6)

        let history = try await h.get("/api/pnl/history?range=day").object
        let point = try #require((history["points"] as? [[String: Any]])?.last)
        #expect(abs((point["total"] as? Double ?? 0) - (point["realized"] as? Double ?? 0) - (point["unrealized"] as? Double ?? 0)) < 1e-9)

        let orders = try await h.get("/api/orders").object
        #expect((orders["pending"] as? [[String: Any]])?.map { $0["order_id"] as? String } == ["o-4"])

        let strategies = try await h.get("/api/strategies").object
        #expect(Set((strategies["summary"] as? [[String: Any]])?.compactMap { $0["strategy"] as? String } ?? []) == ["stops", "putseller"])
    }

    @Test func tradesFilterByDateAndStatusAndDownloadAsCSV() async throws {
        let h = try await Self.seeded()
        defer { Task { await h.stop() } }

        let all = try #require(try await h.get("/api/trades?from=2026-11-20&to=2026-11-20").object["trades"] as? [[String: Any]])
        #expect(all.count == 2)
        let closed = try #require(try await h.get("/api/trades?status=closed").object["trades"] as? [[String: Any]])
        #expect(closed.count == 1 && closed[0]["exit_reason"] as? String == "TAKE_PROFIT")
        let later = try #require(try await h.get("/api/trades?from=2026-11-21").object["trades"] as? [[String: Any]])
        #expect(later.isEmpty)

        let csv = try await h.get("/api/trades?format=csv&status=all")
        #expect(csv.status == 200 && csv.headers["content-type"]?.hasPrefix("text/csv") == true)
        #expect(csv.headers["content-disposition"]?.contains("volta-trades.csv") == true)
        let lines = csv.text.split(whereSeparator: \.isNewline)
        #expect(lines.count == 3 && lines[0].hasPrefix("id,account,instrument"), "\(csv.text)")
    }

    @Test func badParametersAreAClear400() async throws {
        let h = try await Self.seeded()
        defer { Task { await h.stop() } }
        let cases: [(String, String)] = [
            ("/api/trades?status=bogus", "status must be one of"),
            ("/api/trades?from=2026-02-30", "from must be a date"),
            ("/api/trades?from=2026-11-21&to=2026-11-20", "to must not be before from"),
            ("/api/trades?format=xml", "format must be json or csv"),
            ("/api/trades?stauts=open", "unknown parameter 'stauts'"),
            ("/api/pnl/history?range=year", "range must be one of"),
            ("/api/positions?colour=red", "unknown parameter 'colour'"),
            ("/api/pnl?x=1", "this endpoint takes none"),
            // Found by schemathesis: an empty value read as no filter; a year before 1678 crashed
            // the recorder (its nanoseconds overflow Int64).
            ("/api/trades?to=", "parameter 'to' is empty"),
            ("/api/trades?to=0326-05-10", "to must be a date"),
            ("/api/summary/day?date=0896-02-18", "date must be a date"),
        ]
        for (path, message) in cases {
            let r = try await h.get(path)
            #expect(r.status == 400, "\(path): \(r.status) \(r.text)")
            #expect(r.error.contains(message), "\(path): \(r.text)")
        }
        #expect(try await h.get("/api/nothing").status == 404)
    }

    @Test func statusHealthAndMetricsComeFromTheBus() async throws {
        let h = try await Self.seeded()
        defer { Task { await h.stop() } }
        var hb = Volta_V1_Heartbeat()
        hb.source.service = "gateway"
        hb.source.instance = "gateway-1"
        hb.state = .running
        hb.intervalMs = 1_000
        hb.uptimeMs = 5_000
        h.client.publish(hb)
        var metrics = Volta_V1_MetricsSnapshot()
        metrics.source = hb.source
        var m = Volta_V1_Metric()
        m.name = "gateway_orders"
        m.kind = .counter
        m.value = 7
        m.labels = ["adapter": "sim"]
        metrics.metrics = [m]
        var t = Volta_V1_Metric()
        t.name = "place latency"
        t.kind = .timer
        t.count = 2
        t.sum = 3_000_000
        t.min = 1_000_000
        t.max = 2_000_000
        metrics.metrics.append(t)
        h.client.publish(metrics)
        var risk = Volta_V1_RiskState()
        risk.killSwitch = "REDUCING"
        risk.mode = "window"
        h.client.publish(risk)

        try await Self.wait { (try await h.get("/api/status").object["trading"] as? [String: Any])?["kill_switch"] as? String == "REDUCING" }
        let status = try await h.get("/api/status").object
        let processes = try #require(status["processes"] as? [[String: Any]])
        let gateway = try #require(processes.first { $0["instance"] as? String == "gateway-1" })
        #expect(gateway["alive"] as? Bool == true && gateway["state"] as? String == "RUNNING")
        #expect(status["trading_enabled"] as? Bool == false)
        #expect((status["next_scheduled_trade"] as? NSNumber)?.int64Value == DashboardHarness.nextRoutineNs)
        #expect((status["next_scheduled"] as? [String: Any])?["strategy"] as? String == "putseller")

        let text = try await h.get("/metrics")
        #expect(text.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        #expect(text.text.contains("# TYPE volta_gateway_orders_total counter\nvolta_gateway_orders_total{service=\"gateway\",instance=\"gateway-1\",adapter=\"sim\"} 7"))
        #expect(text.text.contains("# TYPE volta_place_latency_seconds summary"))
        #expect(text.text.contains("volta_place_latency_seconds_sum{service=\"gateway\",instance=\"gateway-1\"} 0.003"))

        let health = try await h.get("/health")
        #expect(health.status == 200 && health.object["status"] as? String == "ok")
    }

    @Test func writesNeedTheTokenAndReachRiskAndExecution() async throws {
        let h = try await Self.seeded()
        defer { Task { await h.stop() } }

        #expect(try await h.post("/api/killswitch", #"{"state":"HALTED"}"#, token: nil).status == 401)
        #expect(try await h.post("/api/killswitch", #"{"state":"HALTED"}"#, token: "wrong-token-0123456789").status == 401)
        #expect(try await h.post("/api/killswitch", #"{"state":"ACTIVE","emergency_stop":"x"}"#).error.contains("not both"), "found by schemathesis")
        #expect(await h.riskAsked.items.isEmpty)
        let bad = try await h.post("/api/killswitch", #"{"state":"PAUSED"}"#)
        #expect(bad.status == 400 && bad.error.contains("ACTIVE, REDUCING or HALTED"))
        #expect(try await h.post("/api/killswitch", "not json").status == 400)

        let halted = try await h.post("/api/killswitch", #"{"state":"halted"}"#)
        #expect(halted.status == 200 && halted.object["kill_switch"] as? String == "HALTED")
        let asked = await h.riskAsked.items
        #expect(asked.count == 1 && asked.first?.setKillSwitch == "HALTED")

        // A manual close of the open call: the whole position, selling, with the intent id from the key.
        let close = try await h.post("/api/trade/trigger",
                                     #"{"action":"close","account":"SIM1","instrument":"SPY 2026-12-18 C 600","key":"click-0001"}"#)
        #expect(close.status == 200, "\(close.text)")
        #expect(close.object["intent_id"] as? String == "manual-click-0001")
        let intent = try #require(await h.executionAsked.items.last)
        #expect(intent.purpose == .close && intent.quantity == 2 && intent.legs.first?.side == .sell)
        #expect(intent.legs.first?.instrument == DashboardSeed.call && intent.positionAvgCostMicros == 5_000_000 && intent.reason == "manual")

        let refusals: [(String, String)] = [
            (#"{"action":"close","account":"SIM1","instrument":"SPY 2026-12-18 C 600","quantity":3,"key":"click-0002"}"#, "more than the 2 held"),
            (#"{"action":"close","account":"SIM1","instrument":"QQQ","key":"click-0003"}"#, "no open position"),
            (#"{"action":"close","account":"SIM1","instrument":"SPY 2026-12-18 C 600","key":"x"}"#, "key must be 8 to 64"),
            (#"{"action":"open","account":"SIM1","underlying":"SPY","expiry":"2026-13-01","right":"P","strike":580,"side":"SELL","quantity":1,"key":"click-0004"}"#, "expiry must be a date"),
            (#"{"action":"open","account":"SIM1","underlying":"SPY","expiry":"2026-12-18","right":"P","strike":-5,"side":"SELL","quantity":1,"key":"click-0005"}"#, "strike must be a price"),
            // Found by schemathesis: each crashed the dashboard (micros overflow Int64).
            (#"{"action":"open","account":"SIM1","underlying":"SPY","expiry":"2026-12-18","right":"P","strike":5.3e16,"side":"BUY","quantity":1,"key":"click-0009"}"#, "strike must be a price"),
            (#"{"action":"open","account":"SIM1","underlying":"SPY","expiry":"2026-12-18","right":"P","strike":500,"side":"BUY","quantity":1,"limit":1.7e16,"key":"click-0010"}"#, "limit must be a price"),
            (#"{"action":"buy","account":"SIM1","key":"click-0006"}"#, "action must be close or open"),
            (#"{"account":"SIM1","key":"click-0007"}"#, "needs 'action'"),
        ]
        for (body, message) in refusals {
            let r = try await h.post("/api/trade/trigger", body)
            #expect(r.status == 400 && r.error.contains(message), "\(body): \(r.status) \(r.text)")
        }
        #expect(await h.executionAsked.items.count == 1)

        let open = try await h.post("/api/trade/trigger",
            #"{"action":"open","account":"SIM1","underlying":"SPY","expiry":"2026-12-18","right":"P","strike":570,"side":"SELL","quantity":1,"limit":2.5,"key":"click-0008"}"#)
        #expect(open.status == 200)
        let opening = try #require(await h.executionAsked.items.last)
        #expect(opening.purpose == .open && opening.legs.first?.side == .sell && opening.limitPriceMicros == 2_500_000)

        // Run now: refused while the market is closed (409) and for a strategy not enabled
        // (404), each saying why; forced, the strategy host is asked to run it.
        let closed = try await h.post("/api/trade/trigger", #"{"strategy":"putseller"}"#)
        #expect(closed.status == 409 && closed.error.contains("force"), "\(closed.text)")
        #expect(try await h.post("/api/trade/trigger", #"{"strategy":"nope"}"#).status == 404)
        #expect(try await h.post("/api/trade/trigger", #"{"strategy":"putseller","force":"yes"}"#).status == 400)
        #expect(try await h.post("/api/trade/trigger", #"{"strategy":"putseller","force":true}"#, token: nil).status == 401)
        let forced = try await h.post("/api/trade/trigger", #"{"strategy":"putseller","force":true}"#)
        #expect(forced.status == 200 && forced.object["outcome"] as? String == "triggered", "\(forced.text)")
        let triggers = await h.triggers.items
        #expect(triggers.map(\.strategy) == ["putseller"] && triggers.first?.requestedBy == "dashboard")
    }

    @Test func withoutATokenWritesAreRefusedOutright() async throws {
        let h = try DashboardHarness(token: "")
        try await h.start()
        defer { Task { await h.stop() } }
        let r = try await h.post("/api/killswitch", #"{"state":"HALTED"}"#, token: "anything-at-all-0123")
        #expect(r.status == 403 && r.error.contains("no dashboard.token"))
    }

    @Test func thePageIsServedWholeWithNothingFromOutside() async throws {
        let h = try DashboardHarness()
        try await h.start()
        defer { Task { await h.stop() } }
        let page = try await h.get("/")
        #expect(page.status == 200 && page.headers["content-type"]?.hasPrefix("text/html") == true)
        for id in ["positions", "equity", "trades", "halt", "services", "cards"] { #expect(page.text.contains("id=\"\(id)\"")) }
        #expect(!page.text.contains("http://") && !page.text.contains("https://"), "the page must not fetch from outside")
        #expect(page.headers["content-security-policy"]?.contains("default-src 'self'") == true)
    }

    @Test func theEventStreamSaysWhichViewsChanged() async throws {
        let h = try await Self.seeded()
        defer { Task { await h.stop() } }
        var request = URLRequest(url: URL(string: h.base + "/api/events")!)
        request.timeoutInterval = 10
        let lines = LinesReader(request)
        try await Self.wait { await lines.text.contains("event: hello") }
        var p = Volta_V1_Position()
        p.account = "SIM1"
        p.instrument = DashboardSeed.call
        p.quantity = 3
        p.avgCostMicros = 5_000_000
        // Events about the seed may still come (coalesced, at most four a second): the one after
        // this publish names positions among its views.
        let before = await lines.text.count
        h.client.publish(p)
        try await Self.wait {
            let after = String(await lines.text.dropFirst(before))
            return after.split(separator: "\n\n").contains { $0.contains("event: changed") && $0.contains("\"positions\"") }
        }
        lines.cancel()
    }
}
