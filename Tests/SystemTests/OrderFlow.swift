import Bus
import Foundation
import Messages
import TestSupport
import Testing

/// The test's order source, as a strategy is one: a new intent every period, alternately buying
/// and selling one contract at market; an intent whose submission got no answer is submitted
/// again, with the same id, until execution answers.
final class OrderFlow: @unchecked Sendable {
    let bus: Bus
    let instrument: Volta_V1_Instrument
    private var next = 0
    private var accepting = true
    /// The latest report per intent id.
    private(set) var reports: [String: Volta_V1_IntentExecution] = [:]
    private let lock = NSLock()

    init(bus: Bus, instrument: Volta_V1_Instrument) {
        self.bus = bus
        self.instrument = instrument
    }

    func side(of intentID: String) -> Volta_V1_Side {
        (Int(intentID.dropFirst("chaos-".count)) ?? 0) % 2 == 0 ? .buy : .sell
    }

    func intent(_ n: Int) -> Volta_V1_OrderIntent {
        marketIntent(id: "chaos-\(n)", strategy: "chaos", instrument, side(of: "chaos-\(n)"), quantity: 1, account: "DU1234567")
    }

    /// Submits one intent; its report, or nil when the bus or execution did not answer.
    func submit(_ n: Int) async -> Volta_V1_IntentExecution? {
        var request = Volta_V1_ExecutionRequest()
        request.submit = intent(n)
        guard let reply = try? await bus.request(service: Topics.Service.execution, request, as: Volta_V1_ExecutionReply.self,
                                                 timeout: .seconds(2), retries: 0),
              let report = reply.executions.first else { return nil }
        lock.withLock { reports["chaos-\(n)"] = report }
        return report
    }

    func run(every period: Duration) async {
        while !Task.isCancelled {
            let (n, open) = lock.withLock { () -> (Int, Bool) in
                defer { if accepting { next += 1 } }
                return (next, accepting)
            }
            if open { _ = await submit(n) }
            try? await Task.sleep(for: period)
        }
    }

    func stopNew() { lock.withLock { accepting = false } }

    /// Submits again every intent not yet done (idempotent: same ids); true when all are.
    func settle() async -> Bool {
        let count = lock.withLock { next }
        var allDone = true
        for n in 0..<count {
            let known = lock.withLock { reports["chaos-\(n)"] }
            if let known, known.stage == .stageDone || known.stage == .stageRiskRejected { continue }
            let report = await submit(n)
            if report.map({ $0.stage != .stageDone && $0.stage != .stageRiskRejected }) ?? true { allDone = false }
        }
        return allDone
    }

    var done: [String: Volta_V1_IntentExecution] { get async { lock.withLock { reports } } }
}

/// Counts the quote updates the gateway publishes.
final class QuoteCounter: @unchecked Sendable {
    private let count = Collector<Int>()
    private let task: Task<Void, Never>

    init(bus: Bus) {
        let count = self.count
        task = Task {
            for await batch in bus.subscribe(Volta_V1_QuoteBatch.self, prefix: "gw.quotes.") {
                await count.append(batch.message.options.count + batch.message.underlyings.count)
            }
        }
    }

    deinit { task.cancel() }

    func perSecond(since start: ContinuousClock.Instant) async -> Double {
        let total = await count.items.reduce(0, +)
        let elapsed = ContinuousClock.now - start
        return Double(total) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
