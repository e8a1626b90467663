import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Messages
import TestSupport
import Testing

/// The stack as `ops/start.sh` starts it (its default profile, ops/profiles/simulated.json, on the
/// default simulated market), as processes on 127.0.0.1: within its first minute the put seller
/// has sold a put with its Adaptive order, the fill stands with its OCA take profit and stop loss,
/// the stop manager has a stop on it, and the page shows it (headless Chromium, a screenshot).
@Suite("The default stack trades in its first minute", .serialized, .timeLimit(.minutes(5)))
struct DefaultStackTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path
    static let profile = root + "/ops/profiles/simulated.json"
    static let token = "default-stack-token-0123456789"

    @Test func thePutSellerSellsAndItsExitsStandWithinAMinute() async throws {
        let dir = temporaryDirectory("volta-default")
        let port = freeBasePort(), busPort = freeBasePort()
        let env = ["VOLTA_BUS": "tcp://127.0.0.1:\(busPort)", "VOLTA_CONFIG": Self.profile]
        var processes: [ChildProcess] = []
        defer { for p in processes { p.kill() } }
        let started = ContinuousClock.now
        for (name, args) in [("bus", []), ("gateway", []), ("marketdata", []), ("pricer", []), ("risk", []), ("execution", []),
                             ("recorder", ["--set", "recorder.path=\(dir)/volta.sqlite"]), ("strategy", []),
                             ("dashboard", ["--set", "dashboard.port=\(port)", "--set", "dashboard.token=\(Self.token)"])] {
            processes.append(try ChildProcess(name, ["--instance", name] + args, name: name, environment: env, logDirectory: dir))
        }
        let base = "http://127.0.0.1:\(port)"
        func rows(_ path: String, _ key: String) async -> [[String: Any]] {
            ((try? await getJSON(base + path))?[key] as? [[String: Any]]) ?? []
        }
        var sold: [String: Any]?
        try await until(timeout: .seconds(120)) {
            sold = await rows("/api/positions", "positions").first {
                ($0["instrument"] as? String)?.contains(" P ") == true && ($0["quantity"] as? Int ?? 0) < 0
            }
            return sold != nil
        }
        let firstFill = ContinuousClock.now - started
        let put = try #require(sold?["instrument"] as? String)
        // Its greeks, IV and underlying price follow within seconds (the recorder snapshots a new
        // position as soon as its first analytics arrive), not at the next 60-second snapshot.
        try await until(timeout: .seconds(10)) {
            let row = await rows("/api/positions", "positions").first { $0["instrument"] as? String == put }
            return row?["delta"] is Double && row?["iv"] is Double && row?["underlying_price"] is Double
        }
        let greeksShown = ContinuousClock.now - started - firstFill
        print("default stack: its greeks shown \(greeksShown) after the position")
        // The equity curve draws from the first minute.
        #expect(((try? await getJSON(base + "/api/pnl/history?range=day"))?["points"] as? [Any])?.isEmpty == false)
        // The OCA exits work at the broker, and the stop manager has a stop on the put.
        try await until(timeout: .seconds(30)) {
            let working = await rows("/api/orders", "pending").filter { $0["instrument"] as? String == put }
            let roles = Set(working.compactMap { $0["order_role"] as? String })
            let stops = await rows("/api/positions", "positions").first { $0["instrument"] as? String == put }?["stop_status"] as? String
            return roles.isSuperset(of: ["TAKE_PROFIT", "STOP_LOSS"]) && stops == "armed"
        }
        let orders = await rows("/api/orders", "pending").filter { $0["instrument"] as? String == put }
        // The book's max profit counts the take-profit order: 60% of the premium, a put's 100 shares.
        let metrics = (try? await getJSON(base + "/api/positions/risk"))?["metrics"] as? [String: Any]
        #expect((metrics?["max_profit"] as? Double ?? 0) > 0, "\(String(describing: metrics))")
        #expect(Set(orders.compactMap { $0["oca_group"] as? String }).count == 1, "one OCA group: \(orders)")
        let sale = try #require(try await getJSON(base + "/api/trades?status=open")["trades"] as? [[String: Any]])
            .first { $0["instrument"] as? String == put }
        #expect(sale?["strategy"] as? String == "putseller", "\(String(describing: sale))")
        print("default stack: the put seller's \(put) filled \(firstFill) after start")
        #expect(firstFill < .seconds(60), "the first fill came \(firstFill) after the stack started")

        // The market as the page shows it: the prices (the VIX first) and SPY's chain with its smile.
        let market = try #require(try await getJSON(base + "/api/market")["underlyings"] as? [[String: Any]])
        let symbols = market.compactMap { $0["symbol"] as? String }
        #expect(symbols.first == "VIX" && symbols.contains("SPY") && symbols.contains("SPX"), "\(symbols)")
        #expect(market.allSatisfy { $0["price"] as? Double ?? 0 > 0 }, "\(market)")
        var chain: [String: Any] = [:]
        try await until(timeout: .seconds(30)) {
            chain = (try? await getJSON(base + "/api/market/chain?underlying=SPY")) ?? [:]
            return ((chain["smile"] as? [String: Any])?["fit"] as? [Any])?.count == 60
        }
        let chainRows = chain["rows"] as? [[String: Any]] ?? []
        let priced = chainRows.filter { (($0["put"] as? [String: Any])?["iv"] as? Double ?? 0) > 0 && ($0["put"] as? [String: Any])?["delta"] is Double }
        #expect(priced.count >= 10, "SPY \(chain["expiry"] ?? "?"): \(chainRows.count) strikes, \(priced.count) puts with IV and delta")
        print("default stack: SPY \(chain["expiry"] ?? "?") shows \(chainRows.count) strikes, \(priced.count) puts priced")

        // The page shows it: the browser's view and a screenshot.
        guard DashboardBrowserTests.hasChromium || ProcessInfo.processInfo.environment["CI"] != nil else { return }
        let out = try DashboardBrowserTests.runDriver(base: base, outDir: dir, token: Self.token, extra: ["--look"])
        #expect(out["error"] == nil, "\(out["error"] ?? "")")
        let shown = out["positions"] as? [[String]] ?? []
        #expect(shown.contains { $0.first == put }, "the page lists \(put): \(shown)")
        #expect((out["orders"] as? Int ?? 0) >= 2 && (out["screenshot_bytes"] as? Int ?? 0) > 50_000, "\(out)")
        let panel = out["market"] as? [String: Any] ?? [:]
        #expect((panel["quotes"] as? [String])?.first == "VIX" && (panel["chain_rows"] as? Int ?? 0) > 10, "\(panel)")
        #expect((panel["smile_points"] as? Int ?? 0) > 3 && (panel["fit_pixels"] as? Int ?? 0) > 200, "the fitted smile's line is drawn: \(panel)")
        print("default stack: the market panel \(panel)")
    }
}
