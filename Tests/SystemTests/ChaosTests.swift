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
/// `VOLTA_CHAOS_SECONDS` (default 150) sets the length. The soak (SoakTests) is the same stack
/// under the same load without the kills.
@Suite("Chaos", .serialized)
struct ChaosTests {
    static let seconds = Int(ProcessInfo.processInfo.environment["VOLTA_CHAOS_SECONDS"] ?? "") ?? 150

    @Test(.timeLimit(.minutes(Self.seconds / 60 + 8)))
    func randomKillsLoseAndDuplicateNothing() async throws {
        var rng = TestRandom("ChaosTests.randomKills")
        let stack = try await ChaosStack()
        defer { stack.stop() }
        let everyone = Set(ChaosStack.victims)
        try await until(timeout: .seconds(60)) { await stack.running().isSuperset(of: everyone) }
        let option = try await Reconciliation.tradedOption(stack.bus)
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
            try await Task.sleep(for: .milliseconds(Int.random(in: 2_000...5_000, using: &rng)))
            if round.isEmpty { round = ChaosStack.victims.shuffled(using: &rng) }
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
        let memoryAfter = stack.residentKB()

        let settled = try await Reconciliation.check(stack, flow, option)

        let drops = try stack.sql("SELECT COUNT(*) FROM gaps").first?.first ?? "?"
        let report = """
            chaos: \(Self.seconds) s, \(kills.count) kills (\(Dictionary(grouping: kills, by: { $0 }).mapValues(\.count).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))); \
            quotes \(Int(rate))/s; \(settled); recorder gaps \(drops); RSS kB before \(memoryBefore.sorted { $0.key < $1.key }) after \(memoryAfter.sorted { $0.key < $1.key })
            """
        print(report)
        try report.write(toFile: "\(stack.run)/chaos-report.txt", atomically: true, encoding: .utf8)
        #expect(Set(kills) == everyone, "never killed: \(everyone.subtracting(kills).sorted())")
        #expect(rate >= 500, "the market ran at \(Int(rate)) quote updates/s")
    }
}
