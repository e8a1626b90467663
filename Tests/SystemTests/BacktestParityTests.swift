import Bus
import Foundation
import Messages
import TestSupport
import Testing

/// The backtester's promise: the strategies that run live run in the backtest unchanged. The same
/// config (the example plug-in entering every 10 s with a bracket) runs through the live stack
/// (real processes over ZeroMQ on the simulated market, on the wall clock) and then through
/// `backtest run` over the same span of bus time: the same intents (ids, contract, side,
/// quantity, type, bracket) and, for each, an order with the same legs and its take-profit and
/// stop-loss children. Prices differ (the simulated path steps differently live), so they are
/// not compared; docs/backtest.md says so.
@Suite("Backtest parity", .serialized, .timeLimit(.minutes(5)))
struct BacktestParityTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../BacktestTests/Fixtures").standardized.path

    struct Seen: Equatable, CustomStringConvertible {
        var intentID: String
        var legs: String
        var quantity: Int64
        var type: String
        var bracket: String
        var description: String { "\(intentID) \(legs) ×\(quantity) \(type) \(bracket)" }

        init(_ i: Volta_V1_OrderIntent) {
            intentID = i.intentID
            legs = i.legs.map { "\($0.side) \($0.ratio) \($0.instrument.displayName)" }.joined(separator: " ")
            quantity = i.quantity
            type = "\(i.orderType)"
            bracket = i.hasBracket ? "tp \(i.bracket.takeProfitRatio) sl \(i.bracket.stopLossRatio)" : ""
        }
    }

    @Test func theLiveStackAndTheBacktestSendTheSameIntentsAndOrders() async throws {
        let config = "\(Self.fixtures)/parity.json"
        let dir = temporaryDirectory("volta-parity")
        let env = ["VOLTA_BUS": "tcp://127.0.0.1:\(freeBasePort())"]
        // Whole seconds: the backtest starts at the same instant, a little before the strategy's first timer.
        let start = (WallClock().now() / 1_000_000_000) * 1_000_000_000
        let client = try systemClient(env["VOLTA_BUS"]!, instance: "parity-test")
        let intents = Collector<Volta_V1_OrderIntent>()
        let reports = Collector<Volta_V1_IntentExecution>()
        let watching = [
            Task { for await i in client.subscribe(Volta_V1_OrderIntent.self, prefix: Topics.Prefix.strategyIntents) { await intents.append(i.message) } },
            Task { for await r in client.subscribe(Volta_V1_IntentExecution.self, prefix: Topics.Prefix.intentExecutions) { await reports.append(r.message) } },
        ]
        var processes: [ChildProcess] = []
        defer {
            for t in watching { t.cancel() }
            for p in processes { p.kill() }
        }
        func launch(_ executable: String, _ args: [String]) throws {
            processes.append(try ChildProcess(executable, ["--instance", executable, "--set", "heartbeat.interval_ms=200", "--set", "bus.heartbeat_ms=200"] + args,
                                              name: executable, environment: env, logDirectory: dir))
        }
        try launch("bus", [])
        try launch("gateway", ["--set", "gateway.scenario=\(Self.fixtures)/parity.yaml", "--set", "gateway.tick_ms=100"])
        // Stale quotes off, as in parity.json: the quiet market requotes an at-the-money option
        // rarely, and one flagged stale after 30 s unchanged was skipped by one side and not by
        // the other, whose steps had requoted it (live 590, backtest 588 on an underlying at 590).
        try launch("marketdata", ["--set", "marketdata.history_days=30", "--set", "marketdata.stale_after_ms=600000"])
        try launch("pricer", [])
        for service in ["risk", "execution", "strategy"] { try launch(service, ["--config", config]) }
        // Four entries live, each filled with both of its exits placed.
        try await until(timeout: .seconds(120)) {
            let seen = await reports.items
            let filled = Set(seen.filter { $0.parentIntentID.isEmpty && $0.orderState == .filled }.map(\.intentID))
            return filled.filter { id in Set(seen.filter { $0.parentIntentID == id }.map(\.role)).count == 2 }.count >= 4
        }
        let elapsed = Int((WallClock().now() - start) / 1_000_000_000) + 15
        let live = await intents.items
        let liveReports = await reports.items
        for p in processes { p.kill() }

        let out = "\(dir)/backtest"
        _ = try shell(["\(ChildProcess.binDirectory)/backtest", "run", "--config", config, "--out", out,
                       "--start", ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(start) / 1e9)), "--seconds", "\(elapsed)"])
        let orders = try String(contentsOfFile: "\(out)/orders.csv", encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }

        // Entries both made: every live entry whose period the backtest covered fully.
        var firstLive: [String: Seen] = [:]
        for i in live where firstLive[i.intentID] == nil { firstLive[i.intentID] = Seen(i) }
        let backtestEntries = Set(orders.filter { $0[4].isEmpty }.map { $0[0] })
        let common = firstLive.keys.filter { backtestEntries.contains($0) }.sorted()
        #expect(common.count >= 3, "live \(firstLive.keys.sorted()) backtest \(backtestEntries.sorted())")
        // Over the periods both covered, the same entries: none missing, none extra.
        let liveIDs = Set(firstLive.keys)
        if let lo = [liveIDs.min(), backtestEntries.min()].compactMap({ $0 }).max(),
           let hi = [liveIDs.max(), backtestEntries.max()].compactMap({ $0 }).min() {
            let within = { (ids: Set<String>) in ids.filter { $0 >= lo && $0 <= hi } }
            #expect(within(liveIDs) == within(backtestEntries), "live \(liveIDs.sorted()) backtest \(backtestEntries.sorted())")
        }
        var withChildren = 0
        for id in common {
            let row = try #require(orders.first { $0[0] == id })
            let seen = firstLive[id]!
            // orders.csv's legs: "+1 SPY 2026-… C 590".
            let liveLegs = seen.legs.split(separator: " ").dropFirst(2).joined(separator: " ")
            #expect(Self.sameContract(row[6], liveLegs) && row[6].hasPrefix("+1 "), "\(id): live \(seen) backtest \(row[6])")
            #expect(row[7] == "\(seen.quantity)" && row[8] == seen.type.lowercased(), "\(id): \(row)")
            // Its bracket's children: the same pair where the live stack had placed both before it
            // was stopped; where it was stopped between the two, the one it placed.
            let liveRoles = Set(liveReports.filter { $0.parentIntentID == id }.map(\.role))
            let backtestRoles = Set(orders.filter { $0[5] == id }.map { $0[4] })
            // Fills are not compared (the paths step differently): an entry the backtest had not
            // filled by the end of its span has no exits yet, whatever the live one had.
            guard row[12] == "filled" else { continue }
            if liveRoles.count == 2 {
                withChildren += 1
                #expect(backtestRoles == liveRoles, "\(id): live \(liveRoles) backtest \(backtestRoles)")
            } else {
                #expect(backtestRoles.isSuperset(of: liveRoles), "\(id): live \(liveRoles) backtest \(backtestRoles)")
            }
        }
        #expect(withChildren >= 2, "live entries with their take profit and stop loss: \(withChildren)")
    }

    /// The same contract, or its neighbour on the strike grid: the strategy picks the strike
    /// nearest the underlying at its decision, and the live market and the backtest's step the
    /// path differently (why fills are not compared), so a price near a half-dollar can land one
    /// strike apart (seen once in a loaded run: live 590, backtest 589). Underlying, expiry and
    /// right must agree.
    static func sameContract(_ backtest: String, _ live: String) -> Bool {
        let b = backtest.split(separator: " ").suffix(4).map(String.init), l = live.split(separator: " ").map(String.init)
        guard b.count == 4, l.count == 4, b[0...2] == l[0...2], let kb = Double(b[3]), let kl = Double(l[3]) else { return false }
        return abs(kb - kl) <= 1
    }
}
