import Bus
import BusZeroMQ
import Foundation
import TestSupport
import Logging
import Messages
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `bus` and two `probe` workers as real processes on 127.0.0.1; SIGKILL the bus and one
/// worker mid-traffic; every request is answered exactly once, nothing runs twice except what
/// died with the killed worker, and subscribers resume and report the gap.
@Suite("Processes killed under traffic", .serialized, .timeLimit(.minutes(5)))
struct KillTests {
    @Test func killTheBusAndAWorker() async throws {
        let dir = temporaryDirectory("volta-kill")
        let base = freeBasePort()
        let bus = "tcp://127.0.0.1:\(base)"
        let common = ["--set", "bus.heartbeat_ms=200", "--set", "heartbeat.interval_ms=200"]
        let env = ["VOLTA_BUS": bus]
        let execLog = "\(dir)/exec.log"
        var daemon = try ChildProcess("bus", common, name: "bus-1", environment: env, logDirectory: dir)
        let workerA = try ChildProcess("probe", ["serve", "--instance", "probe-a", "--tick-ms", "10", "--exec-log", execLog] + common,
                                       name: "probe-a", environment: env, logDirectory: dir)
        let workerB = try ChildProcess("probe", ["serve", "--instance", "probe-b", "--tick-ms", "10", "--exec-log", execLog] + common,
                                       name: "probe-b", environment: env, logDirectory: dir)
        defer { for p in [daemon, workerA, workerB] { p.kill() } }

        let options = BusSocketOptions.testing(heartbeatMilliseconds: 200)
        let statistics = BusStatistics()
        let transport = try ZeroMQTransport(endpoints: try BusEndpoints.parse(bus), instance: "tester", options: options,
                                            statistics: statistics, logger: Logger(label: "tester"))
        let client = Bus(identity: ServiceIdentity(service: "test", instance: "tester", epoch: UInt64(WallClock().now())),
                         transport: transport, statistics: statistics)
        defer { client.shutdown() }

        // Subscriber: ticks from both workers, with the gaps the subscription reports.
        let ticks = Ticks()
        let listening = Task {
            for await t in client.subscribe(Volta_V1_ProbeTick.self, prefix: "probe.tick.") {
                await ticks.add(Tick(instance: t.envelope.source.instance, seq: t.envelope.sequence, missed: t.missedBefore, at: .now))
            }
        }
        defer { listening.cancel() }
        try await Task.sleep(for: .milliseconds(1500))

        // Requests: 8 concurrent callers, 400 requests, each with its own id.
        let total = 400
        let results = Results()
        let callers = Task {
            await withTaskGroup(of: Void.self) { group in
                for lane in 0..<8 {
                    group.addTask {
                        for k in stride(from: lane, to: total, by: 8) {
                            let id = "req-\(k)"
                            var request = Volta_V1_ProbeIncrement()
                            request.client = "tester"
                            request.n = UInt64(k)
                            do {
                                let reply = try await client.request(service: "probe", request, as: Volta_V1_ProbeCount.self,
                                                                     timeout: .milliseconds(400), retries: 40, requestID: id)
                                await results.reply(id, reply)
                            } catch {
                                await results.fail("\(id): \(error)")
                            }
                            try? await Task.sleep(for: .milliseconds(5))
                        }
                    }
                }
            }
        }

        // Every wait has a deadline: a stack that never comes up must fail the test, not hang it.
        let deadline = ContinuousClock.now + .seconds(90)
        func waitFor(_ n: Int) async throws {
            while await results.done < n {
                guard ContinuousClock.now < deadline else {
                    callers.cancel()
                    throw HarnessError("only \(await results.done) of \(n) requests done in time; logs in \(dir)")
                }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        try await waitFor(100)
        daemon.kill(SIGKILL)
        let killedBusAt = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(400))
        daemon = try ChildProcess("bus", common, name: "bus-2", environment: env, logDirectory: dir)
        try await waitFor(220)
        workerB.kill(SIGKILL)
        try await waitFor(total)
        _ = await callers.value
        try await Task.sleep(for: .milliseconds(500))

        // Every request answered exactly once, with its own reply.
        let failed = await results.failures
        #expect(failed.isEmpty, "\(failed.prefix(5))")
        let answered = await results.replies
        #expect(answered.count == total)
        #expect(answered.allSatisfy { $0.value.count == 1 && $0.value[0].requestID == $0.key })

        // Executions: at most once per request, except requests the killed worker took with it.
        let lines = ((try? String(contentsOfFile: execLog, encoding: .utf8)) ?? "").split(separator: "\n")
        var executions: [String: [String]] = [:]
        for line in lines {
            let parts = line.split(separator: " ")
            guard parts.count == 3 else { continue }
            executions[String(parts[0]), default: []].append(String(parts[2]))
        }
        #expect(executions.count == total)
        for (id, workers) in executions {
            #expect(workers.filter { $0 == "probe-a" }.count <= 1, "\(id) ran twice on the surviving worker")
            #expect(workers.filter { $0 == "probe-b" }.count <= 1, "\(id) ran twice on probe-b")
        }
        let twice = executions.filter { $0.value.count > 1 }
        #expect(twice.count <= 8, "more re-executions than requests in flight: \(twice.count)")

        // The subscriber resumed after the bus came back, and reported the gap it left.
        let seen = await ticks.items
        let fromA = seen.filter { $0.instance == "probe-a" }
        #expect(fromA.contains { $0.at < killedBusAt })
        #expect(fromA.contains { $0.at > killedBusAt + .seconds(1) })
        // Frames inside the killed daemon are lost; frames still queued in a publisher's pipe
        // survive the reconnect and arrive late. So a restart loses anywhere from none to a few
        // hundred ticks (seen: 0, 81, 158), and what must hold is that the loss is reported
        // exactly: for every stream, what arrived plus what was reported missing covers every
        // sequence number once, in order. (A forced gap over real ZeroMQ is in
        // TransportConformanceTests.gapDetection.)
        #expect(UInt64(statistics.missed.load(ordering: .relaxed)) == seen.reduce(0) { $0 + $1.missed })
        for instance in ["probe-a", "probe-b"] {
            let stream = seen.filter { $0.instance == instance }
            guard let first = stream.first, let last = stream.last else { continue }
            let reported = stream.reduce(0) { $0 + $1.missed }
            #expect(UInt64(stream.count) + reported == last.seq - first.seq + 1, "\(instance): gap accounting")
            #expect(zip(stream, stream.dropFirst()).allSatisfy { $0.seq < $1.seq }, "\(instance): out of order")
        }
        #expect(workerA.isRunning)
 let gapsBy = Dictionary(grouping: seen.filter { $0.missed > 0 }, by: \.instance).mapValues { $0.map { "\($0.seq)(-\($0.missed))" } }
        print("kill test gaps: \(gapsBy)")
        print("kill test: \(total) requests, \(statistics.retries.load(ordering: .relaxed)) retries, \(twice.count) re-executed after SIGKILL of probe-b, \(statistics.missed.load(ordering: .relaxed)) ticks missed, logs in \(dir)")
    }

    @Test func aBadConfigurationExitsWithCode2NamingTheKey() async throws {
        let dir = temporaryDirectory("volta-config")
        let bad = try ChildProcess("bus", ["--set", "bus.heartbeat_ms=soon"], name: "bad-value", logDirectory: dir)
        #expect(await bad.waitForExit() == 2)
        #expect(bad.log.contains("'bus.heartbeat_ms'") && bad.log.contains("an integer from 50 to 60000"))
        let unknown = try ChildProcess("probe", ["serve", "--set", "bus.endpiont=tcp://x"], name: "bad-key", logDirectory: dir)
        #expect(await unknown.waitForExit() == 2)
        #expect(unknown.log.contains("'bus.endpiont'"))
        let env = try ChildProcess("bus", [], name: "bad-env", environment: ["VOLTA_BUS": "udp://nowhere"], logDirectory: dir)
        #expect(await env.waitForExit() == 2)
        #expect(env.log.contains("'bus.endpoint'") && env.log.contains("environment VOLTA_BUS_ENDPOINT"))
        let file = "\(dir)/volta.json"
        try #"{"log": {"level": "loud"}}"#.write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try ChildProcess("bus", ["--config", file], name: "bad-file", logDirectory: dir)
        #expect(await fromFile.waitForExit() == 2)
        #expect(fromFile.log.contains("'log.level'") && fromFile.log.contains("file \(file)"))
    }

    @Test func sigtermShutsDownGracefully() async throws {
        let dir = temporaryDirectory("volta-term")
        let bus = "tcp://127.0.0.1:\(freeBasePort())"
        let daemon = try ChildProcess("bus", [], name: "bus", environment: ["VOLTA_BUS": bus], logDirectory: dir)
        defer { daemon.kill() }
        let probe = try ChildProcess("probe", ["serve"], name: "probe", environment: ["VOLTA_BUS": bus], logDirectory: dir)
        try await Task.sleep(for: .milliseconds(800))
        probe.kill(SIGTERM)
        #expect(await probe.waitForExit() == 0)
        #expect(probe.log.contains("stopped"))
        daemon.kill(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
    }
}

actor Results {
    var replies: [String: [Volta_V1_ProbeCount]] = [:]
    var failures: [String] = []
    var done = 0
    func reply(_ id: String, _ r: Volta_V1_ProbeCount) { replies[id, default: []].append(r); done += 1 }
    func fail(_ s: String) { failures.append(s); done += 1 }
}

struct Tick: Sendable {
    let instance: String
    let seq: UInt64
    let missed: UInt64
    let at: ContinuousClock.Instant
}

actor Ticks {
    var items: [Tick] = []
    func add(_ t: Tick) { items.append(t) }
}
