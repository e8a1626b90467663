import Bus
import Foundation
import Messages
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Chaos on the simulated market: the stack under supervisord trades an option through twsim
/// while a random Volta process, the bus included, is SIGKILLed every few seconds. Afterwards
/// every process is back, the broker received each intended order exactly once, positions agree
/// with the broker's fills, and the recorder holds every fill, applied once.
/// `VOLTA_CHAOS_SECONDS` (default 150) sets the length; the 30-minute soak is the same test with
/// 1800, and reports memory growth and HWM drops (docs/reliability.md).
@Suite("Chaos", .serialized)
struct ChaosTests {
    static let seconds = Int(ProcessInfo.processInfo.environment["VOLTA_CHAOS_SECONDS"] ?? "") ?? 150

    @Test(.timeLimit(.minutes(Self.seconds / 60 + 8)))
    func randomKillsLoseAndDuplicateNothing() async throws {
        let stack = try await ChaosStack()
        defer { stack.stop() }
        let everyone = Set(ChaosStack.victims)
        try await until(timeout: .seconds(60)) { await stack.running().isSuperset(of: everyone) }
        let option = try await tradedOption(stack.bus)
        let flow = OrderFlow(bus: stack.bus, instrument: option)
        let quotes = QuoteCounter(bus: stack.bus)
        let memoryBefore = stack.residentKB()

        // Chaos: a victim every 2–5 s, while the flow submits an intent every 700 ms. Victims come
        // in shuffled rounds, so that every process, the bus included, dies several times.
        var kills: [String] = []
        var round: [String] = []
        let start = ContinuousClock.now
        let flowing = Task { await flow.run(every: .milliseconds(700)) }
        while ContinuousClock.now - start < .seconds(Self.seconds) {
            try await Task.sleep(for: .milliseconds(Int.random(in: 2_000...5_000)))
            if round.isEmpty { round = ChaosStack.victims.shuffled() }
            let victim = round.removeLast()
            if let pid = stack.pid(victim) {
                kill(pid, SIGKILL)
                kills.append(victim)
            }
        }
        flow.stopNew()
        let rate = await quotes.perSecond(since: start)

        // Every process is back, and every intent is acknowledged and done.
        try await until(timeout: .seconds(90)) { await stack.running().isSuperset(of: everyone) }
        try await until(timeout: .seconds(120)) { await flow.settle() }
        flowing.cancel()
        let intents = await flow.done
        let memoryAfter = stack.residentKB()

        // The broker's side: one order per intent, never two; nothing it did not get from an intent.
        let events = try stack.brokerEvents()
        let orders = events.filter { $0["event"] as? String == "order" }
        let refs = orders.compactMap { $0["ref"] as? String }
        let duplicates = Dictionary(grouping: refs, by: { $0 }).filter { $0.value.count > 1 }.keys
        #expect(duplicates.isEmpty, "intents placed more than once at the broker: \(duplicates.sorted())")
        let intended = Set(intents.keys.map { "ex-\($0)" })
        #expect(Set(refs).isSubset(of: intended), "orders nobody intended: \(Set(refs).subtracting(intended).sorted())")
        let filled = intents.filter { $0.value.orderState == .filled }
        #expect(Set(filled.keys.map { "ex-\($0)" }).isSubset(of: Set(refs)))
        #expect(filled.count >= intents.count * 8 / 10, "only \(filled.count) of \(intents.count) intents filled")

        // Positions: the broker's fills, execution's reports and the gateway's position agree.
        let fills = events.filter { $0["event"] as? String == "fill" }
        let brokerPosition = fills.reduce(0) { $0 + ($1["side"] as? String == "BOT" ? 1 : -1) * ($1["quantity"] as? Int ?? 0) }
        let reported = filled.values.reduce(0) { $0 + (flow.side(of: $1.intentID) == .buy ? 1 : -1) * Int($1.filledQuantity) }
        #expect(brokerPosition == reported, "broker \(brokerPosition), execution \(reported)")
        do {
            try await until(timeout: .seconds(30)) { await gatewayPosition(stack.bus, option) == Int64(brokerPosition) }
        } catch {
            Issue.record("the gateway's position \(String(describing: await gatewayPosition(stack.bus, option))) of \(option.displayName), the broker's \(brokerPosition); fills \(fills)")
        }

        // The record: every broker fill, and the position they make, so none was applied twice.
        try await until(timeout: .seconds(30)) {
            let recorded = Set(((try? stack.sql("SELECT fill_id FROM executions")) ?? []).compactMap(\.first))
            return Set(fills.compactMap { $0["exec"] as? String }).isSubset(of: recorded)
        }
        let recordedPosition = try stack.sql("SELECT quantity FROM positions WHERE instrument = '\(option.displayName)'").first?.first
        #expect(recordedPosition.flatMap { Int($0) } == brokerPosition, "the recorder's position \(recordedPosition ?? "none")")

        let drops = try stack.sql("SELECT COUNT(*) FROM gaps").first?.first ?? "?"
        let report = """
            chaos: \(Self.seconds) s, \(kills.count) kills (\(Dictionary(grouping: kills, by: { $0 }).mapValues(\.count).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))); \
            quotes \(Int(rate))/s; intents \(intents.count), filled \(filled.count), broker orders \(orders.count), fills \(fills.count); \
            position \(brokerPosition); recorder gaps \(drops); RSS kB before \(memoryBefore.sorted { $0.key < $1.key }) after \(memoryAfter.sorted { $0.key < $1.key })
            """
        print(report)
        try report.write(toFile: "\(stack.run)/chaos-report.txt", atomically: true, encoding: .utf8)
        #expect(Set(kills) == everyone, "never killed: \(everyone.subtracting(kills).sorted())")
        #expect(rate >= 500, "the market ran at \(Int(rate)) quote updates/s")
    }

    /// A near-the-money SPY call in the nearest expiry the gateway lists.
    func tradedOption(_ bus: Bus) async throws -> Volta_V1_Instrument {
        var request = Volta_V1_GatewayRequest()
        request.chainUnderlying = "SPY"
        var chain = Volta_V1_OptionChainDefinition()
        try await until(timeout: .seconds(60)) {
            guard let c = try? await bus.request(service: Topics.Service.gateway, request, as: Volta_V1_GatewayReply.self).chain,
                  !c.expiries.isEmpty else { return false }
            chain = c
            return true
        }
        let expiry = chain.expiries[min(1, chain.expiries.count - 1)]
        let strikes = expiry.strikeMicros.sorted()
        var i = Volta_V1_Instrument()
        i.symbol = "SPY"
        i.option.underlying = "SPY"
        i.option.expiry = expiry.expiry
        i.option.strikeMicros = strikes[strikes.count / 2]
        i.option.right = .call
        i.option.multiplier = 100
        return i
    }

    func gatewayPosition(_ bus: Bus, _ instrument: Volta_V1_Instrument) async -> Int64? {
        var request = Volta_V1_GatewayRequest()
        request.accountSnapshot = true
        guard let snapshot = try? await bus.request(service: Topics.Service.gateway, request, as: Volta_V1_GatewayReply.self).account else { return nil }
        let key = instrument.displayName
        return snapshot.positions.first { $0.instrument.displayName == key }?.quantity ?? 0
    }
}

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
