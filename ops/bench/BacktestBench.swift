import ArgumentParser
import BacktestEngine
import Bus
import Foundation
import GatewayService
import Market

/// `bench backtest`: market events per second through `backtest run`'s whole path (the kernel with
/// the strategies of a backtest config, bars, the nightly hold, the record), against the bare
/// simulated venue stepped through the same bars with no services, in the same run.
struct BacktestBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backtest", abstract: "Market events per second through the backtester.")

    @Option(help: "A backtest config.") var config = "ops/backtest/monthly-calls.json"
    @Option(help: "The first session.") var from = "2014-01-02"
    @Option(help: "The last session.") var to = "2014-01-31"
    @Option(help: "The bar, seconds (60: the issue's one-minute steps).") var step = 60

    func run() async throws {
        warnIfDebugBuild()
        let plan = try await BacktestPlan.load(config: config, overrides: ["backtest.step_s=\(step)"], from: from, to: to, seed: nil)
        let t0 = monotonicSeconds()
        let result = try BacktestRunner(plan: plan).run()
        let wall = monotonicSeconds() - t0
        let bare = try bareRun(plan)
        let rate = Double(result.marketEvents) / wall
        print(Result(name: "backtest_market_events", value: rate, unit: "events/s", reference: bare,
                     referenceName: "the bare simulated venue stepped through the same bars, no services",
                     extra: ["sessions": "\(plan.sessions.count)", "step_s": "\(step)", "events": "\(result.marketEvents)",
                             "wall_s": String(format: "%.1f", wall), "sessions_per_s": String(format: "%.2f", Double(plan.sessions.count) / wall),
                             "goal": ">= 1000000 events/s and ratio >= 0.333"]).json)
    }

    /// The venue alone through the sessions' bars: quote updates per wall second.
    func bareRun(_ plan: BacktestPlan) throws -> Double {
        let clock = ManualClock(start: plan.kernel.start)
        let venue = try SimAdapter(scenario: plan.kernel.scenario, tick: plan.step, clock: clock)
        let step = plan.step.nanoseconds
        let t0 = monotonicSeconds()
        for s in plan.segments {
            let (open, close) = (s.open, s.close)
            var t = max(open, clock.now())
            while t <= close + step {
                _ = venue.advance(wallNow: t)
                t += step
            }
        }
        return Double(venue.quotesPublished) / (monotonicSeconds() - t0)
    }
}
