import Bus
import BusZeroMQ
import Foundation
import TestSupport
import Logging
import Messages
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The stack under supervisord, as `ops/start.sh` runs it: a crashed process is restarted by
/// supervisord, a hung one (alive, heartbeats stopped) by the watchdog.
@Suite("Supervision", .serialized, .timeLimit(.minutes(5)))
struct SupervisionTests {
    @Test func crashedAndHungProcessesAreRestarted() async throws {
        let supervisord = "/usr/bin/supervisord"
        try #require(FileManager.default.isExecutableFile(atPath: supervisord), "supervisord is missing: run ops/install-deps.sh")
        let run = temporaryDirectory("volta-supervision")
        let bus = "tcp://127.0.0.1:\(freeBasePort())"
        let bin = ChildProcess.binDirectory
        let conf = try supervisorConfig(bin: bin, run: run, extra: ["probe=\(bin)/probe serve --set heartbeat.interval_ms=300"], environment: [
            "VOLTA_BUS": bus, "VOLTA_STOPWAIT_SECS": "2",
            "VOLTA_WATCHDOG_ARGS": "--min-stale-ms 1500 --stale-factor 3 --grace-ms 8000",
        ])
        let stack = try ChildProcess(supervisord, ["-c", conf], name: "supervisord", logDirectory: run)
        defer {
            stack.kill(SIGTERM)
            _ = stack.process.isRunning
        }

        let statistics = BusStatistics()
        let transport = try ZeroMQTransport(endpoints: try BusEndpoints.parse(bus), instance: "observer", statistics: statistics,
                                            logger: Logger(label: "observer"))
        let observer = Bus(identity: ServiceIdentity(service: "test", instance: "observer", epoch: 1), transport: transport, statistics: statistics)
        defer { observer.shutdown() }
        let beats = Beats()
        let listening = Task {
            for await hb in observer.subscribe(Volta_V1_Heartbeat.self, prefix: "sys.heartbeat.probe.") { await beats.add(hb.message) }
        }
        defer { listening.cancel() }

        func probe(otherThan epochs: Set<UInt64>, within: Duration) async -> Volta_V1_Heartbeat? {
            let deadline = ContinuousClock.now + within
            while ContinuousClock.now < deadline {
                if let hb = await beats.latest, !epochs.contains(hb.source.epoch), hb.state == .running { return hb }
                try? await Task.sleep(for: .milliseconds(100))
            }
            return nil
        }

        let first = try #require(await probe(otherThan: [], within: .seconds(20)), "the probe never heartbeated; see \(run)/logs")
        kill(pid_t(first.pid), SIGKILL)
        let second = try #require(await probe(otherThan: [first.source.epoch], within: .seconds(15)), "supervisord did not restart the killed probe")
        #expect(second.pid != first.pid)

        // Hung: alive, but silent. Only the watchdog can notice.
        kill(pid_t(second.pid), SIGSTOP)
        let third = try #require(await probe(otherThan: [first.source.epoch, second.source.epoch], within: .seconds(25)),
                                 "the watchdog did not restart the hung probe")
        #expect(third.pid != second.pid)
        let watchdogLog = (try? String(contentsOfFile: "\(run)/logs/watchdog.log", encoding: .utf8)) ?? ""
        #expect(watchdogLog.contains("heartbeat of probe stopped"))

        stack.kill(SIGTERM)
        #expect(await stack.waitForExit(timeout: .seconds(30)) == 0)
    }
}

actor Beats {
    var latest: Volta_V1_Heartbeat?
    func add(_ hb: Volta_V1_Heartbeat) { latest = hb }
}
