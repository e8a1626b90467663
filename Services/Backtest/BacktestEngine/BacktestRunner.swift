import Bus
import Foundation
import GatewayService
import Market
import TradingKernel

/// Runs a plan: the kernel from the first session's open to the last one's close, a bar at a
/// time through each session (execution's traffic drained and recorded after every bar, while the
/// venue still shows the market of the fills) and in one jump through each night.
public struct BacktestRunner {
    public let plan: BacktestPlan

    public init(plan: BacktestPlan) { self.plan = plan }

    /// Progress after each session: sessions done, of how many, the session's date, jobs run so far.
    public typealias Progress = (_ done: Int, _ total: Int, _ date: String, _ jobs: Int) -> Void

    public func run(progress: Progress = { _, _, _, _ in }) throws -> BacktestResult {
        let kernel = try TradingKernel(plan.kernel, strategies: plan.strategies)
        var record = BacktestRecord()
        var jobs = 0
        let step = plan.step.nanoseconds
        kernel.start()
        var exposedDays = 0
        for (i, segment) in plan.segments.enumerated() {
            let (open, close) = (segment.open, segment.close)
            if kernel.clock.now() < open {
                // The night: nothing trades, so nothing wakes before the open.
                kernel.clock.hold(until: open)
                jobs += kernel.run(for: .nanoseconds(open - kernel.clock.now()))
                kernel.clock.hold(until: 0)
                record.absorb(kernel.drainEventLog(), venue: kernel.venue)
            }
            // Through the close's bar and one more, so that the close's expiries are settled.
            while kernel.clock.now() < close + step {
                jobs += kernel.run(for: .nanoseconds(min(step, close + step - kernel.clock.now())))
                record.absorb(kernel.drainEventLog(), venue: kernel.venue)
            }
            let ledger = kernel.venue.ledger()
            if !ledger.positions.isEmpty { exposedDays += 1 }
            record.close(segment.label, ledger: ledger, benchmark: kernel.venue.price(of: plan.benchmark) ?? 0)
            progress(i + 1, plan.segments.count, segment.label, jobs)
        }
        let ledger = kernel.venue.ledger()
        kernel.stop()
        let marks = Dictionary(ledger.positions.map { ($0.instrument.displayName, $0.mark) }, uniquingKeysWith: { a, _ in a })
        return BacktestResult(record: record, finalLedger: ledger, exposedDays: exposedDays, jobs: jobs, marketEvents: kernel.venue.quotesPublished,
                              trips: record.journal.trips(mark: { marks[$0.displayName] }, now: ledger.now))
    }
}

/// A finished run, ready to be written.
public struct BacktestResult: Sendable {
    public var record: BacktestRecord
    public var finalLedger: VenueLedger
    public var exposedDays: Int
    public var jobs: Int
    /// Quote updates the venue published (underlyings and options).
    public var marketEvents: Int
    /// Closed trips, then those still open marked at the last close.
    public var trips: [RoundTrip]
}
