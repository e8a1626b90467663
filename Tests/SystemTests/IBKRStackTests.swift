import Bus
import Foundation
import Messages
import TestSupport
import Testing

/// Issue 24's whole stack against twsim: every service as a process on 127.0.0.1, the gateway
/// with its `ibkr` adapter, twsim serving ops/scenarios/twsim-stack.yaml. The stack's clock and
/// twsim's market start at the same instant minutes before a Friday's close (`clock.offset_s`,
/// `--clock-offset-s`). Positions are opened through execution; the stop manager sizes the QQQ
/// call's stop from SPX and the VIX as TWS delivers them (a last, no market); QQQ falls through
/// it and the exit fills; at the close the short SPY put in the money is assigned and the long
/// call out of it expires, and the recorder closes each trade with its reason. Live and delayed
/// market data alike.
@Suite("The whole stack against twsim", .serialized, .timeLimit(.minutes(12)))
struct IBKRStackTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path
    static let account = "DU0000009"

    @Test(arguments: ["live", "delayed"]) func stopsAssignmentAndExpiryAsTWSDeliversThem(marketData: String) async throws {
        let dir = temporaryDirectory("volta-ibkr-stack-\(marketData)")
        let endpoint = "tcp://127.0.0.1:\(freeBasePort())", dashboardPort = freeBasePort(), twsPort = freeBasePort()
        // Friday 2026-12-11, 15:57:00 New York (20:57 UTC) as the test starts.
        let target = Int64(ISO8601DateFormatter().date(from: "2026-12-11T20:57:00Z")!.timeIntervalSince1970) * 1_000_000_000
        let offset = String(format: "%.3f", Double(target - WallClock().now()) / 1e9)
        let env = ["VOLTA_BUS": endpoint]
        let common = ["--set", "clock.offset_s=\(offset)", "--set", "heartbeat.interval_ms=500"]
        var processes: [ChildProcess] = []
        defer { for p in processes.reversed() { p.kill() } }
        processes.append(try ChildProcess("bus", ["--set", "bus.heartbeat_ms=200"], name: "bus", environment: env, logDirectory: dir))
        for (name, args) in [("marketdata", []), ("pricer", []), ("risk", []), ("execution", []),
                             ("strategy", ["--set", "strategy.enabled=stops", "--set", "strategy.stops.allow=QQQ"]),
                             ("recorder", ["--set", "recorder.path=\(dir)/volta.sqlite"]),
                             ("dashboard", ["--set", "dashboard.port=\(dashboardPort)"])] {
            processes.append(try ChildProcess(name, ["--instance", name] + common + args, name: name, environment: env, logDirectory: dir))
        }
        let base = "http://127.0.0.1:\(dashboardPort)"
        try await until(timeout: .seconds(60)) {
            let alive = (try? await getJSON(base + "/api/status"))?["alive_by_service"] as? [String: Int] ?? [:]
            return ["marketdata", "pricer", "risk", "execution", "strategy", "recorder"].allSatisfy { (alive[$0] ?? 0) > 0 }
        }
        // twsim's market starts now, at the stack's time.
        processes.append(try ChildProcess("twsim", ["--port", "\(twsPort)", "--scenario", Self.root + "/ops/scenarios/twsim-stack.yaml",
                                                    "--clock-offset-s", offset, "--account", Self.account, "--tick-ms", "100",
                                                    "--account-ms", "1000"], name: "twsim", logDirectory: dir))
        processes.append(try ChildProcess("gateway", ["--instance", "gateway"] + common + [
            "--set", "gateway.adapter=ibkr", "--set", "gateway.ibkr.port=\(twsPort)", "--set", "gateway.ibkr.client_id=4",
            "--set", "gateway.ibkr.symbols=SPY,QQQ", "--set", "gateway.ibkr.expiries=2", "--set", "gateway.ibkr.strikes=3",
            "--set", "gateway.ibkr.market_data=\(marketData)"], name: "gateway", environment: env, logDirectory: dir))

        let bus = try systemClient(endpoint, instance: "ibkr-stack-test")
        defer { bus.shutdown() }
        func rows(_ path: String, _ key: String) async -> [[String: Any]] { ((try? await getJSON(base + path))?[key] as? [[String: Any]]) ?? [] }
        func price(_ symbol: String) async -> Double? {
            guard let s = try? await fetchSnapshot(bus, stream: Topics.Service.marketdata, prefix: Topics.underlyingQuote(symbol)),
                  let e = s.entries.first(where: { $0.topic == Topics.underlyingQuote(symbol) }),
                  let q = try? Volta_V1_UnderlyingQuote(serializedBytes: e.payload), q.referencePrice > 0 else { return nil }
            return q.referencePrice
        }
        // SPX and the VIX arrive as TWS sends an index: a level, no bid or ask. The gateway is not
        // configured to stream them: the stop manager's interest (gw.interest.) asks for them.
        try await until(timeout: .seconds(60)) {
            let market = await rows("/api/market", "underlyings")
            return ["SPX", "VIX", "SPY", "QQQ"].allSatisfy { s in market.contains { $0["symbol"] as? String == s && ($0["price"] as? Double ?? 0) > 0 } }
        }
        let indexes = await rows("/api/market", "underlyings").filter { ["SPX", "VIX"].contains($0["symbol"] as? String ?? "") }
        #expect(indexes.count == 2 && indexes.allSatisfy { $0["bid"] is NSNull && $0["ask"] is NSNull }, "\(indexes)")

        // The positions: a QQQ call a week out, 5% in the money (the stop's: after the fall it
        // still has a bid to sell to); today's SPY put in the money, sold,
        // and call out of it, bought (a market sell of a call minutes from worthless finds no bid).
        let spy = try #require(await price("SPY")), qqq = try #require(await price("QQQ"))
        func option(_ symbol: String, _ expiry: String, _ right: Volta_V1_Right, near level: Double) async throws -> Volta_V1_Instrument {
            let chain = try await bus.request(service: Topics.Service.gateway, Volta_V1_GatewayRequest.with { $0.chainUnderlying = symbol },
                                              as: Volta_V1_GatewayReply.self, timeout: .seconds(5), retries: 2).chain
            let strikes = try #require(chain.expiries.first { $0.expiry == expiry }?.strikeMicros, "\(symbol) lists \(chain.expiries.map(\.expiry))")
            let strike = try #require(strikes.first { Double($0) / 1e6 >= level })
            return .with { $0.symbol = symbol; $0.option = .with { o in
                o.underlying = symbol; o.expiry = expiry; o.strikeMicros = strike; o.right = right; o.multiplier = 100 } }
        }
        let stopped = try await option("QQQ", "2026-12-18", .call, near: qqq * 0.95)
        let assigned = try await option("SPY", "2026-12-11", .put, near: spy + 3)
        let expired = try await option("SPY", "2026-12-11", .call, near: spy + 3)
        try await until(timeout: .seconds(60)) {
            let state = try? await bus.request(service: Topics.Service.risk, Volta_V1_RiskRequest.with { $0.state = true },
                                               as: Volta_V1_RiskReply.self, timeout: .seconds(2), retries: 0)
            return (state?.state.netLiquidation ?? 0) > 0
        }
        for (n, (instrument, side)) in [(stopped, Volta_V1_Side.buy), (assigned, .sell), (expired, .buy)].enumerated() {
            var request = Volta_V1_ExecutionRequest()
            request.submit = marketIntent(id: "ibkr-stack-\(marketData)-\(n)", strategy: "test", instrument, side, quantity: 1, account: Self.account)
            _ = try await bus.request(service: Topics.Service.execution, request, as: Volta_V1_ExecutionReply.self, timeout: .seconds(3), retries: 5)
        }
        func position(_ i: Volta_V1_Instrument) async -> [String: Any]? {
            await rows("/api/positions", "positions").first { $0["instrument"] as? String == i.displayName }
        }
        try await until(timeout: .seconds(60)) {
            var held = 0
            for i in [stopped, assigned, expired] where await position(i) != nil { held += 1 }
            return held == 3
        }
        // The stop on the QQQ call, sized from SPX and the VIX, before the fall two minutes in.
        try await until(timeout: .seconds(60)) { await position(stopped)?["stop_status"] as? String == "armed" }
        let level = try #require(await position(stopped)?["stop_level"] as? Double)
        #expect(level > 0 && level < qqq, "the stop \(level) below QQQ at \(qqq)")

        func trade(_ i: Volta_V1_Instrument) async -> [String: Any]? {
            await rows("/api/trades?status=closed", "trades").first { $0["instrument"] as? String == i.displayName }
        }
        try await until(timeout: .seconds(180)) { await trade(stopped) != nil }
        let stop = await trade(stopped)
        #expect(stop?["exit_reason"] as? String == "STOP_LOSS", "\(String(describing: stop))")
        // The close: TWS's assignment executions and the expiry's position change.
        try await until(timeout: .seconds(180)) {
            let (a, e) = (await trade(assigned), await trade(expired))
            return a != nil && e != nil
        }
        let (put, call) = (await trade(assigned), await trade(expired))
        #expect(put?["exit_reason"] as? String == "ASSIGNED", "\(String(describing: put))")
        #expect(call?["exit_reason"] as? String == "EXPIRED_WORTHLESS", "\(String(describing: call))")
        try await until(timeout: .seconds(30)) { (await rows("/api/positions", "positions").first { $0["instrument"] as? String == "SPY" }?["quantity"] as? Int) == 100 }
        print("ibkr stack (\(marketData)): the QQQ call's stop at \(level) fired; \(assigned.displayName) assigned, \(expired.displayName) expired")
    }
}
