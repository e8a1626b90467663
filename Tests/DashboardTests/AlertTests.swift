import Bus
@testable import DashboardService
import Foundation
import Hummingbird
import Messages
import Synchronization
import TestSupport
import Testing

/// The notifier: which events become alerts and when (each transition once), and every sink:
/// the page's `/api/alerts` and a webhook on a local HTTP endpoint taking Slack's JSON, retried
/// when it fails.
@Suite("Alerts", .serialized, .timeLimit(.minutes(2)))
struct AlertTests {
    @Test func theRulesSayEachTransitionOnce() {
        var rules = AlertRules()
        func state(_ kill: String, used: Double) -> Volta_V1_RiskState {
            .with { $0.killSwitch = kill; $0.limits = [.with { l in l.name = "MAX_GROSS_EXPOSURE"; l.used = used; l.limit = 100 }] }
        }
        #expect(rules.risk(state("ACTIVE", used: 50), now: 1).isEmpty)          // the first state is no change
        #expect(rules.risk(state("ACTIVE", used: 81), now: 2).map(\.kind) == ["risk_limit"])
        #expect(rules.risk(state("ACTIVE", used: 90), now: 3).isEmpty)          // still over: said once
        #expect(rules.risk(state("ACTIVE", used: 10), now: 4).isEmpty)
        #expect(rules.risk(state("ACTIVE", used: 85), now: 5).map(\.kind) == ["risk_limit"])  // crossed again
        let halted = rules.risk(state("HALTED", used: 85), now: 6)
        #expect(halted.map(\.kind) == ["kill_switch"] && halted.first?.level == .critical && halted.first?.text == "Kill switch ACTIVE → HALTED")
        #expect(rules.gateways(alive: ["gateway-1"], now: 7).isEmpty)
        let lost = rules.gateways(alive: [], now: 8)
        #expect(lost.map(\.level) == [.critical] && lost.first?.text.contains("gateway-1") == true)
        #expect(rules.gateways(alive: ["gateway-1"], now: 9).map(\.text) == ["Gateway gateway-1 is back"])
        #expect(rules.decision(.with { $0.verdict = .riskApproved }, now: 10) == nil)
        // A floor (MIN_…) bites as the value falls to it: far above it is no alert, near it is.
        let floor = { (balance: Double) in Volta_V1_RiskState.with {
            $0.killSwitch = "HALTED"; $0.limits = [.with { l in l.name = "MIN_ACCOUNT_BALANCE"; l.used = balance; l.limit = 25_000 }]
        } }
        #expect(rules.risk(floor(999_918), now: 11).isEmpty)
        #expect(rules.risk(floor(30_000), now: 12).map(\.kind) == ["risk_limit"])
        // The broker connection of a gateway that lives: a loss is critical once, the return info.
        func link(_ up: Bool, _ detail: String = "") -> Volta_V1_BrokerConnection {
            .with { $0.instance = "gateway"; $0.adapter = "ibkr"; $0.connected = up; $0.detail = detail }
        }
        #expect(rules.broker(link(true), now: 13).isEmpty)
        let drop = rules.broker(link(false, "broker connection lost"), now: 14)
        #expect(drop.map(\.level) == [.critical] && drop.first?.kind == "broker" && drop.first?.text == "Gateway gateway (ibkr): broker connection lost")
        #expect(rules.broker(link(false, "cannot connect: refused"), now: 15).isEmpty, "still down: said once")
        #expect(rules.broker(link(true), now: 16).map(\.level) == [.info])
        // The market data allowance: instruments left without a line are a warning once, named;
        // every one quoted again is info.
        var short = link(true)
        (short.linesUsed, short.linesMax, short.unquoted) = (95, 95, ["SPY 2027-03-19 P 545", "SPY 2027-03-19 P 550"])
        let exhausted = rules.broker(short, now: 17)
        #expect(exhausted.map(\.kind) == ["market_data"] && exhausted.first?.level == .warning)
        #expect(exhausted.first?.text == "Gateway gateway (ibkr): market data lines exhausted (95 of 95 in use); 2 instruments get no quotes: "
                + "SPY 2027-03-19 P 545, SPY 2027-03-19 P 550", "\(exhausted)")
        #expect(rules.broker(short, now: 18).isEmpty, "said once")
        #expect(rules.broker(link(true), now: 19).map(\.text) == ["Gateway gateway (ibkr): every instrument wanted has a market data line again"])
        // Broken behind the connection (a data farm down): a warning naming it, once; mended, info.
        var farm = link(true)
        farm.degraded = "market data farm usfarm down (2103): quotes through it stop"
        #expect(rules.broker(farm, now: 20).map(\.text) == ["Gateway gateway (ibkr): market data farm usfarm down (2103): quotes through it stop"])
        #expect(rules.broker(farm, now: 21).isEmpty, "said once")
        let mended = rules.broker(link(true), now: 22)
        #expect(mended.map(\.kind) == ["broker_data"] && mended.first?.level == .info)
    }

    /// A held position whose underlying is never quoted (the gateway was not asked for it) is a
    /// warning after 30 s, once; a stale quote counts as none; the price back is info; a flat
    /// position is forgotten.
    @Test func aHeldPositionWithNoUnderlyingQuoteIsAWarning() {
        var rules = AlertRules()
        let s: Int64 = 1_000_000_000
        let qqqCall = Volta_V1_Position.with {
            $0.account = "DU1"; $0.quantity = 2
            $0.instrument = .with { i in i.symbol = "QQQ"; i.option = .with { o in o.underlying = "QQQ"; o.expiry = "2026-12-18"; o.strikeMicros = 505_000_000; o.right = .call } }
        }
        _ = rules.position(qqqCall, now: 0)
        var heard: [String: (ns: Int64, stale: Bool)] = [:]
        #expect(rules.underlyingQuotes(now: 10 * s) { heard[$0] }.isEmpty, "within its first 30 s")
        let missing = rules.underlyingQuotes(now: 31 * s) { heard[$0] }
        #expect(missing.map(\.kind) == ["no_quote"] && missing.first?.level == .warning)
        #expect(missing.first?.text == "No QQQ quote for 1 position (QQQ 2026-12-18 C 505): stops on it cannot be sized or fire, its risk is not marked",
                "\(missing)")
        #expect(rules.underlyingQuotes(now: 32 * s) { heard[$0] }.isEmpty, "said once")
        heard["QQQ"] = (33 * s, false)
        #expect(rules.underlyingQuotes(now: 33 * s) { heard[$0] }.map(\.text) == ["QQQ is quoted again"])
        heard["QQQ"] = (34 * s, true)
        #expect(rules.underlyingQuotes(now: 40 * s) { heard[$0] }.map(\.level) == [.warning], "a stale quote is none")
        var flat = qqqCall
        flat.quantity = 0
        _ = rules.position(flat, now: 41 * s)
        #expect(rules.underlyingQuotes(now: 42 * s) { heard[$0] }.map(\.text) == ["QQQ is quoted again"], "nothing held on it any more")
    }

    /// A local webhook endpoint: the bodies it received; it answers 500 to the first.
    final class Webhook: Sendable {
        let bodies = Mutex<[Data]>([])
        let calls = Atomic<Int>(0)
        let port = Mutex<Int?>(nil)

        func start() -> Task<Void, any Error> {
            let router = Router()
            router.post("/hook") { request, _ -> Response in
                let data = Data(try await request.body.collect(upTo: 1 << 16).readableBytesView)
                if self.calls.add(1, ordering: .relaxed).newValue == 1 { return Response(status: .internalServerError) }
                self.bodies.withLock { $0.append(data) }
                return Response(status: .ok)
            }
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                  onServerRunning: { channel in self.port.withLock { $0 = channel.localAddress?.port } })
            return Task { try await app.runService(gracefulShutdownSignals: []) }
        }
    }

    @Test func fillsRejectionsStrategyAlertsAndTheKillSwitchReachThePageAndTheWebhook() async throws {
        let hook = Webhook()
        let server = hook.start()
        defer { server.cancel() }
        let deadline = ContinuousClock.now + .seconds(10)
        while hook.port.withLock({ $0 }) == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        let port = try #require(hook.port.withLock { $0 })
        var settings = AlertCenter.Settings()
        settings.webhookURL = URL(string: "http://127.0.0.1:\(port)/hook")
        let h = try DashboardHarness(alerts: settings)
        try await h.start()
        defer { Task { await h.stop() } }
        try await Task.sleep(for: .milliseconds(200))  // the subscriptions are made

        h.client.publish(Volta_V1_Fill.with {
            $0.fillID = "F1"; $0.orderID = "ex-1"; $0.instrument = testOption(.put, strike: 540); $0.side = .sell; $0.quantity = 1
            $0.priceMicros = 3_150_000; $0.account = "SIM1"
        })
        h.client.publish(Volta_V1_RiskDecision.with { $0.intentID = "i-2"; $0.verdict = .riskRejected; $0.reasonCode = "MAX_POSITIONS"; $0.detail = "5 open" })
        h.client.publish(Volta_V1_StrategyAlert.with { $0.strategy = "putseller"; $0.level = "warning"; $0.message = "no put sold today" })
        h.client.publish(Volta_V1_RiskState.with { $0.killSwitch = "ACTIVE" })
        h.client.publish(Volta_V1_RiskState.with { $0.killSwitch = "HALTED" })

        let expected = ["fill", "rejection", "strategy", "kill_switch"]
        let until = ContinuousClock.now + .seconds(30)
        while hook.bodies.withLock({ $0.count }) < expected.count, ContinuousClock.now < until { try await Task.sleep(for: .milliseconds(20)) }
        let bodies = hook.bodies.withLock { $0 }.compactMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        #expect(Set(bodies.compactMap { $0["kind"] as? String }) == Set(expected))
        #expect(bodies.contains { ($0["text"] as? String) == "[INFO] Filled: SELL 1 SPY 2026-12-18 P 540 at 3.15 (SIM1)" })
        #expect(bodies.contains { ($0["text"] as? String) == "[CRITICAL] Kill switch ACTIVE → HALTED" })
        #expect(hook.calls.load(ordering: .relaxed) == expected.count + 1)  // the first answered 500 and was sent again

        let page = try await h.get("/api/alerts", token: DashboardHarness.token).object["alerts"] as? [[String: Any]] ?? []
        // Each topic has its own subscription: the order across them is not fixed.
        #expect(page.compactMap { $0["kind"] as? String }.sorted() == expected.sorted())
    }
}
