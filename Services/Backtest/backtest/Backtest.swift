import ArgumentParser
import BacktestEngine
import Foundation
import ServiceKit

/// `backtest`: the trading kernel over history. The strategies, risk and execution are the live
/// services' code; the market is the simulated venue replaying real daily bars (or simulating).
@main
struct Backtest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Backtests Volta's strategies on the trading kernel over history.",
        subcommands: [Run.self, Sweep.self, Merge.self, Walkforward.self, Metrics.self])
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "One run: equity.csv, trades.csv, orders.csv, metrics.json and report.html.")

    @Option(help: "The backtest's config (JSON: backtest.*, strategy.*, risk.*, execution.*, marketdata.stale_after_ms and .betas).") var config: String
    @Option(help: "The first session, YYYY-MM-DD (over backtest.from).") var from: String?
    @Option(help: "The last session, YYYY-MM-DD (over backtest.to).") var to: String?
    @Option(help: "The seed of every random draw (over backtest.seed).") var seed: UInt64?
    @Option(name: .customLong("set"), help: "key=value over the config (repeatable).") var overrides: [String] = []
    @Option(help: "The folder the results are written to.") var out: String
    @Option(help: "Instead of sessions: a span from this instant (ISO 8601), on the scenario's own hours.") var start: String?
    @Option(help: "The span's length, seconds (with --start).") var seconds = 60

    func run() async throws {
        let plan: BacktestPlan
        do {
            var span: (Int64, Int)?
            if let start {
                guard let date = ISO8601DateFormatter().date(from: start) else { throw fail("--start \(start): an ISO 8601 instant, e.g. 2026-12-06T15:00:00Z") }
                span = (Int64((date.timeIntervalSince1970 * 1e9).rounded()), seconds)
            }
            plan = try await BacktestPlan.load(config: config, overrides: overrides, from: from, to: to, seed: seed, span: span)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("backtest: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var bar = ProgressBar()
        let started = ContinuousClock.now
        let result = try BacktestRunner(plan: plan).run { done, total, date, jobs in
            bar.update(done: done, total: total, label: "\(date)", events: jobs)
        }
        let output = BacktestOutput(plan: plan, result: result)
        try output.write(to: out)
        let m = output.metrics
        let summary = String(format: "%d sessions (or spans), %d trades, total return %.2f%%, sharpe %.2f, max drawdown %.2f%%, %d jobs in %@ → %@\n",
                             plan.segments.count, result.trips.count, (m["total_return"] ?? 0) * 100, m["sharpe"] ?? 0,
                             (m["max_drawdown"] ?? 0) * 100, result.jobs, "\(ContinuousClock.now - started)", out)
        FileHandle.standardError.write(Data(summary.utf8))
        if result.record.malformed > 0 {
            FileHandle.standardError.write(Data("backtest: \(result.record.malformed) logged frames did not decode (counted, skipped)\n".utf8))
        }
    }
}

struct Metrics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The metrics of an equity.csv (and trades.csv), as metrics.json has them.")

    @Option(help: "equity.csv of a run (or any file with its columns).") var equity: String
    @Option(help: "trades.csv of the run, for the trade statistics.") var trades: String?

    func run() async throws {
        do {
            let m = try MetricsFromFiles.metrics(equityCSV: try String(contentsOfFile: equity, encoding: .utf8),
                                                 tradesCSV: try trades.map { try String(contentsOfFile: $0, encoding: .utf8) })
            print(BacktestOutput.json(m), terminator: "")
        } catch {
            FileHandle.standardError.write(Data("backtest metrics: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
