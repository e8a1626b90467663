import Bus
import Foundation
import Synchronization
import Messages
import TestSupport
import Testing

/// The recorder as a real process at 50,000 events/s, SIGKILLed mid-run and restarted on the
/// same database: every event it acknowledged before the kill is stored exactly once, and it
/// records again after the restart.
@Suite("Recorder process", .serialized, .timeLimit(.minutes(5)))
struct RecorderProcessTests {
    @Test func acknowledgedEventsSurviveASIGKILLExactlyOnce() async throws {
        let dir = temporaryDirectory("volta-recorder")
        let env = ["VOLTA_BUS": "tcp://127.0.0.1:\(freeBasePort())"]
        let bus = try ChildProcess("bus", ["--instance", "bus", "--set", "bus.heartbeat_ms=200"], name: "bus", environment: env, logDirectory: dir)
        defer { bus.kill() }
        func recorder(_ name: String) throws -> ChildProcess {
            try ChildProcess("recorder", ["--instance", "recorder", "--set", "bus.heartbeat_ms=200", "--set", "heartbeat.interval_ms=200",
                                          "--set", "recorder.path=\(dir)/volta.sqlite"], name: name, environment: env, logDirectory: dir)
        }
        var rec = try recorder("recorder-1")
        defer { rec.kill() }
        let client = try systemClient(env["VOLTA_BUS"]!, instance: "rec-load")
        defer { client.shutdown() }
        var tick = Volta_V1_ProbeTick()
        tick.note = "rec-load"
        let topic = tick.topic
        let beforeKill = Collector<Volta_V1_AckRange>(), afterRestart = Collector<Volta_V1_AckRange>()
        let killed = Counter()
        let acks = Task {
            for await a in client.subscribe(Volta_V1_RecorderAck.self, prefix: "rec.ack") {
                for r in a.message.ranges where r.topic == topic {
                    if killed.value.load(ordering: .relaxed) == 0 { await beforeKill.append(r) } else { await afterRestart.append(r) }
                }
            }
        }
        defer { acks.cancel() }
        // The recorder is live once it acknowledges.
        try await until(timeout: .seconds(30)) {
            client.publish(tick)
            try? await Task.sleep(for: .milliseconds(50))
            return await !beforeKill.items.isEmpty
        }

        func publish(for duration: Duration) async {
            // 50 events a millisecond: 50,000/s.
            let end = ContinuousClock.now + duration
            var next = ContinuousClock.now
            while ContinuousClock.now < end {
                for _ in 0..<50 { tick.n += 1; client.publish(tick) }
                next += .milliseconds(1)
                try? await Task.sleep(until: next, clock: .continuous)
            }
        }
        await publish(for: .milliseconds(1_500))
        rec.kill()
        _ = await rec.waitForExit()
        killed.value.store(1, ordering: .relaxed)
        await publish(for: .milliseconds(500))
        rec = try recorder("recorder-2")
        try await until(timeout: .seconds(30)) {
            await publish(for: .milliseconds(100))
            return await !afterRestart.items.isEmpty
        }
        await publish(for: .milliseconds(1_000))

        let acknowledged = await beforeKill.items
        let total = acknowledged.reduce(0) { $0 + Int($1.lastSequence - $1.firstSequence + 1) }
        #expect(total > 10_000, "only \(total) events acknowledged before the kill")
        for r in Self.merged(acknowledged) {
            let counts = try await count(client, instance: "rec-load", topic: topic, first: r.lowerBound, last: r.upperBound)
            #expect(counts.events == r.count && counts.sequences == r.count, "\(r): \(counts)")
        }
        // Nothing is stored twice, anywhere in the stream, and the restarted recorder records.
        let all = try await count(client, instance: "rec-load", topic: topic, first: nil, last: nil)
        #expect(all.events == all.sequences && all.events > total, "\(all)")
        #expect(rec.log.contains("snapshot recorded") || rec.isRunning)
    }

    static func merged(_ ranges: [Volta_V1_AckRange]) -> [ClosedRange<UInt64>] {
        var out: [ClosedRange<UInt64>] = []
        for r in ranges.map({ $0.firstSequence...$0.lastSequence }).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = out.last, r.lowerBound <= last.upperBound + 1 {
                out[out.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }

    func count(_ bus: Bus, instance: String, topic: String, first: UInt64?, last: UInt64?) async throws -> (events: Int, sequences: Int) {
        var q = Volta_V1_RecorderQuery()
        q.name = "event_count"
        q.parameters = ["instance": instance, "topic": topic]
        if let first { q.parameters["first"] = "\(first)" }
        if let last { q.parameters["last"] = "\(last)" }
        let table = try await bus.request(service: Topics.Service.recorder, q, as: Volta_V1_RecorderTable.self, timeout: .seconds(10), retries: 2)
        let row = try #require(table.rows.first)
        return (Int(row.cells[0].integer), Int(row.cells[1].integer))
    }
}

