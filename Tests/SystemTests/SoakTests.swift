import Bus
import Foundation
import Messages
import TestSupport
import Testing

let soakSeconds = Int(ProcessInfo.processInfo.environment["VOLTA_SOAK_SECONDS"] ?? "") ?? 0

/// The soak: the chaos stack under the same load (≈1,000 quote updates/s, an order intent every
/// 700 ms) for `VOLTA_SOAK_SECONDS` without kills, sampling every process's resident memory each
/// minute and every process's drop counters from `sys.metrics`. A leak shows as growth after the
/// warm-up; an overrun as publish drops (a publisher's HWM) or missed sequence numbers (any HWM on
/// the way, the bus daemon's included). Too long for CI: it runs only when asked
/// (`VOLTA_SOAK_SECONDS=1800`); results go in docs/reliability.md.
@Suite("Soak", .serialized, .enabled(if: soakSeconds > 0, "VOLTA_SOAK_SECONDS is not set"))
struct SoakTests {
    static let seconds = soakSeconds
    /// Memory before this is start-up and cache filling, not growth.
    static let warmUp = Duration.seconds(120)
    static let sampleEvery = Duration.seconds(60)

    @Test(.timeLimit(.minutes(Self.seconds / 60 + 8)))
    func steadyLoadNeitherGrowsNorDrops() async throws {
        let stack = try await ChaosStack()
        defer { stack.stop() }
        let everyone = Set(ChaosStack.victims)
        try await until(timeout: .seconds(60)) { await stack.running().isSuperset(of: everyone) }
        let pids = everyone.reduce(into: [String: Int32]()) { $0[$1] = stack.pid($1) }
        let option = try await Reconciliation.tradedOption(stack.bus)
        let flow = OrderFlow(bus: stack.bus, instrument: option)
        let quotes = QuoteCounter(bus: stack.bus)
        let metrics = MetricsWatch(bus: stack.bus)

        let start = ContinuousClock.now
        let flowing = Task { await flow.run(every: .milliseconds(700)) }
        var samples: [(minute: Int, rss: [String: Int])] = []
        while ContinuousClock.now - start < .seconds(Self.seconds) {
            try await Task.sleep(for: Self.sampleEvery)
            samples.append((Int((ContinuousClock.now - start).components.seconds / 60), stack.residentKB()))
        }
        flow.stopNew()
        let rate = await quotes.perSecond(since: start)
        try await until(timeout: .seconds(120)) { await flow.settle() }
        flowing.cancel()
        let settled = try await Reconciliation.check(stack, flow, option)
        let restarted = everyone.filter { stack.pid($0) != pids[$0] }
        #expect(restarted.isEmpty, "processes that died and were restarted during the soak: \(restarted.sorted())")

        let growth = MemoryGrowth(samples: samples.filter { .seconds($0.minute * 60) >= Self.warmUp })
        let counters = metrics.totals(["bus_publish_dropped_total", "bus_missed_total", "bus_gaps_total", "bus_malformed_total"])
        let recorderGaps = try stack.sql("SELECT COUNT(*) FROM gaps").first?.first ?? "?"
        let report = """
            soak: \(Self.seconds) s without kills; quotes \(Int(rate))/s; \(settled); recorder gaps \(recorderGaps)
            drops and gaps over all processes: \(counters.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", "))
            per process: \(metrics.nonZero(["bus_publish_dropped_total", "bus_missed_total"]))
            resident memory after the warm-up (kB: first, last, max; growth per hour):
            \(growth.table)
            samples (minute: kB per process): \(samples.map { "\($0.minute): \($0.rss.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))" }.joined(separator: "; "))
            """
        print(report)
        try report.write(toFile: "\(stack.run)/soak-report.txt", atomically: true, encoding: .utf8)
        #expect(rate >= 500, "the market ran at \(Int(rate)) quote updates/s")
        #expect(counters["bus_malformed_total", default: 0] == 0)
        // A bounded process levels off; 64 MB an hour would be 1.5 GB a day.
        for (program, perHour) in growth.perHourKB where perHour > 64 * 1024 {
            Issue.record("\(program) grew \(perHour / 1024) MB an hour after the warm-up")
        }
    }
}

/// Resident memory over minutes, per process: where it started, ended and peaked, and the slope
/// of a least-squares line through the samples (one late spike is not a leak).
struct MemoryGrowth {
    let samples: [(minute: Int, rss: [String: Int])]

    var programs: [String] { Set(samples.flatMap(\.rss.keys)).sorted() }

    func series(_ program: String) -> [(x: Double, y: Double)] {
        samples.compactMap { s in s.rss[program].map { (Double(s.minute), Double($0)) } }
    }

    var perHourKB: [String: Int] {
        programs.reduce(into: [:]) { out, program in
            let points = series(program)
            guard points.count >= 2 else { return }
            let mx = points.map(\.x).reduce(0, +) / Double(points.count)
            let my = points.map(\.y).reduce(0, +) / Double(points.count)
            let sxx = points.reduce(0) { $0 + ($1.x - mx) * ($1.x - mx) }
            let sxy = points.reduce(0) { $0 + ($1.x - mx) * ($1.y - my) }
            out[program] = sxx > 0 ? Int(sxy / sxx * 60) : 0
        }
    }

    var table: String {
        let slopes = perHourKB
        return programs.map { program in
            let ys = series(program).map { Int($0.y) }
            return "  \(program): \(ys.first ?? 0), \(ys.last ?? 0), \(ys.max() ?? 0); \(slopes[program] ?? 0) kB/h"
        }.joined(separator: "\n")
    }
}
