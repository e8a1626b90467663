import Foundation
import TestSupport
import Testing

/// `tap` against a real bus and probe: what an operator types.
@Suite("tap", .serialized, .timeLimit(.minutes(5)))
struct TapTests {
    func tap(_ args: [String], bus: String, dir: String, name: String) async throws -> (Int32?, String) {
        try await runToExit("tap", args, name: name, dir: dir, environment: ["VOLTA_BUS": bus])
    }

    @Test func listenFilterRecordReplayAndRequest() async throws {
        let dir = temporaryDirectory("volta-tap")
        let bus = "tcp://127.0.0.1:\(freeBasePort())"
        let daemon = try ChildProcess("bus", [], name: "bus", environment: ["VOLTA_BUS": bus], logDirectory: dir)
        let probe = try ChildProcess("probe", ["serve", "--instance", "p1", "--tick-ms", "50"], name: "probe", environment: ["VOLTA_BUS": bus], logDirectory: dir)
        defer { probe.kill(); daemon.kill() }
        try await Task.sleep(for: .milliseconds(800))

        // Text lines, filtered by topic: time, topic, type, source#seq, body.
        let (s1, text) = try await tap(["--topic", "probe.tick.", "--count", "3"], bus: bus, dir: dir, name: "tap-text")
        #expect(s1 == 0)
        let lines = text.split(separator: "\n").filter { $0.contains("probe.tick.p1") }
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.contains(" ProbeTick p1#") && $0.contains("\"note\":\"p1\"") })

        // JSON, filtered by type, recorded to a file.
        let recording = "\(dir)/heartbeats.volta-rec"
        let (s2, json) = try await tap(["--type", "heartbeat", "--json", "--count", "2", "--record", recording], bus: bus, dir: dir, name: "tap-json")
        #expect(s2 == 0)
        let objects = json.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == 2)
        #expect(objects.allSatisfy { ($0["type"] as? String) == "volta.v1.Heartbeat" && ($0["seq"] as? Int ?? 0) > 0 && $0["message"] is [String: Any] })

        // Replay prints what was recorded (everything seen, not only what passed the type filter).
        let (s3, replayed) = try await tap(["replay", recording, "--json"], bus: bus, dir: dir, name: "tap-replay")
        #expect(s3 == 0)
        #expect(replayed.split(separator: "\n").filter { $0.contains("\"volta.v1.Heartbeat\"") }.count >= 2)

        // A request, and an unknown service (an error and a non-zero exit, at once).
        let (s4, reply) = try await tap(["request", "probe", "ProbeIncrement", #"{"client":"ops","n":"3"}"#, "--json"], bus: bus, dir: dir, name: "tap-request")
        #expect(s4 == 0)
        #expect(reply.contains("\"type\":\"volta.v1.ProbeCount\"") && reply.contains("\"worker\":\"p1\""))
        try await Task.sleep(for: .seconds(3))  // past the daemon's start-up grace
        let started = ContinuousClock.now
        let (s5, refused) = try await tap(["request", "nobody", "ProbeIncrement", "{}"], bus: bus, dir: dir, name: "tap-refused")
        #expect(s5 == 3)
        #expect(refused.contains("no such service: 'nobody'"))
        #expect(ContinuousClock.now - started < .seconds(3))

        // Bad input to the tool itself.
        let (s6, unknownType) = try await tap(["--type", "Nope", "--count", "1"], bus: bus, dir: dir, name: "tap-badtype")
        #expect(s6 != 0)
        #expect(unknownType.contains("unknown message type 'Nope'"))
    }
}
