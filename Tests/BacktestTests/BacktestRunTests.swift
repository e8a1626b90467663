import BacktestEngine
import Foundation
import Testing

/// `backtest run` end to end on three sessions of October 2018 (real S&P 500 and VIX bars in
/// Fixtures): the monthly 30-delta call bought through risk and execution, the stop manager
/// arming its stop, the files written, and the same run twice writing the same bytes.
@Suite(.serialized) struct BacktestRunTests {
    static let config = Bundle.module.path(forResource: "monthly-calls-2018", ofType: "json", inDirectory: "Fixtures")!

    static func run(into folder: String) async throws -> BacktestResult {
        let plan = try await BacktestPlan.load(config: config, from: nil, to: nil, seed: nil)
        let result = try BacktestRunner(plan: plan).run()
        try BacktestOutput(plan: plan, result: result).write(to: folder)
        return result
    }

    @Test(.timeLimit(.minutes(5))) func aRunWritesItsFilesAndTwoRunsAreByteIdentical() async throws {
        let base = NSTemporaryDirectory() + "volta-backtest-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let first = try await Self.run(into: base + "/a")
        _ = try await Self.run(into: base + "/b")
        for name in ["equity.csv", "trades.csv", "orders.csv", "metrics.json", "report.html"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: "\(base)/a/\(name)"))
            let b = try Data(contentsOf: URL(fileURLWithPath: "\(base)/b/\(name)"))
            #expect(a == b, "\(name) differs between two runs")
        }
        let equity = try String(contentsOfFile: base + "/a/equity.csv", encoding: .utf8).split(separator: "\n")
        #expect(equity.count == 4 && equity[1].hasPrefix("2018-10-01,") && equity[3].hasPrefix("2018-10-03,"))
        // October's entry: one SPY call near 30 delta, bought on the first session, still open.
        #expect(first.trips.count == 1)
        let trip = try #require(first.trips.first)
        #expect(trip.strategy == "timed-bracket" && trip.instrument.option.right == .call && trip.quantity == 1)
        #expect(abs(trip.deltaAtEntry - 0.3) < 0.08 && trip.ivAtEntry > 0.05 && trip.underlyingAtEntry > 280)
        #expect(first.record.reports.values.contains { $0.strategy == "timed-bracket" && $0.orderState == .filled })
        #expect(first.record.malformed == 0)
        let report = try String(contentsOfFile: base + "/a/report.html", encoding: .utf8)
        #expect(report.contains("Option chains are model-priced") && report.contains("<svg") && !report.contains("http"))
    }

    @Test func aBadConfigNamesTheKey() async throws {
        await #expect(throws: (any Error).self) {
            _ = try await BacktestPlan.load(config: Self.config, overrides: ["backtest.fill_k=2"], from: nil, to: nil, seed: nil)
        }
        do {
            _ = try await BacktestPlan.load(config: Self.config, from: "2018-13-01", to: nil, seed: nil)
            Issue.record("a bad date was accepted")
        } catch {
            #expect("\(error)".contains("backtest.from"))
        }
        do {
            _ = try await BacktestPlan.load(config: Self.config, overrides: ["marketdata.stale_after_ms=5"], from: nil, to: nil, seed: nil)
            Issue.record("a stale age below marketdata's range was accepted")
        } catch {
            #expect("\(error)".contains("marketdata.stale_after_ms"))
        }
    }

    /// Marketdata's stale age and betas come from the config as live; the stale age never falls
    /// below three bars (between two bars nothing moves, and that is not stale).
    @Test func marketdataKeysReachTheKernel() async throws {
        let plan = try await BacktestPlan.load(config: Self.config, overrides: ["marketdata.stale_after_ms=3600000", "marketdata.betas=SPY=1.1"],
                                               from: nil, to: nil, seed: nil)
        #expect(plan.kernel.marketdata.staleAfterNs == 3_600_000_000_000)
        #expect(plan.kernel.marketdata.betas == ["SPY": 1.1])
        let short = try await BacktestPlan.load(config: Self.config, overrides: ["marketdata.stale_after_ms=100"], from: nil, to: nil, seed: nil)
        #expect(short.kernel.marketdata.staleAfterNs == plan.step.nanoseconds * 3)
    }
}

/// The put seller on the kernel over two sessions of October 2018: each morning a put near
/// 15 delta sold at the mid through risk and execution, and once it fills, its take profit at
/// 40% and its stop loss at 300% of the sale, on the tick, in one OCA group.
@Suite(.serialized) struct PutSellerBacktestTests {
    @Test(.timeLimit(.minutes(5))) func itSellsEachMorningAndItsExitsFollowTheFill() async throws {
        let config = Bundle.module.path(forResource: "put-seller-2018", ofType: "json", inDirectory: "Fixtures")!
        let plan = try await BacktestPlan.load(config: config, from: nil, to: nil, seed: nil)
        let result = try BacktestRunner(plan: plan).run()
        let reports = result.record.reports.values
        let entries = reports.filter { $0.strategy == "putseller" && $0.parentIntentID.isEmpty }.sorted { $0.intentID < $1.intentID }
        #expect(entries.map(\.intentID) == ["putseller-putseller-SPY-20181001", "putseller-putseller-SPY-20181002"])
        let sold = try #require(entries.first { $0.filledQuantity > 0 }, "\(entries.map { "\($0.intentID) \($0.orderState) \($0.reason)" })")
        let intent = try #require(result.record.intents[sold.intentID])
        #expect(intent.legs[0].side == .sell && intent.legs[0].instrument.option.right == .put && intent.algo == "adaptive")
        let children = reports.filter { $0.parentIntentID == sold.intentID }
        let tp = try #require(children.first { $0.role == "take_profit" })
        #expect(children.contains { $0.role == "stop_loss" })
        let fill = Double(sold.avgFillPriceMicros) / 1e6
        #expect(abs(Double(tp.limitPriceMicros) / 1e6 - 0.4 * fill) <= 0.0100001, "take profit \(tp.limitPriceMicros) for a sale at \(fill)")
        let trip = try #require(result.trips.first { $0.strategy == "putseller" })
        #expect(trip.quantity < 0 && abs(abs(trip.deltaAtEntry) - 0.15) < 0.08)
    }
}
