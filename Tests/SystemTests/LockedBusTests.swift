import BusZeroMQ
import Foundation
import TestSupport
import Testing

/// The locked bus as an operator runs it: keys from `volta-keys`, the daemon and services as
/// processes, configured through the environment as compose and supervisord do.
@Suite("A locked bus", .serialized, .timeLimit(.minutes(5)))
struct LockedBusTests {
    @Test func keysFromTheToolAdmitListedServicesOnlyAndNoSecretIsLogged() async throws {
        let dir = temporaryDirectory("volta-curve")
        let file = "\(dir)/keys.env"
        let (made, madeLog) = try await runToExit("volta-keys", ["generate", "--out", file, "--services", "probe", "tap", "dashboard"], name: "keys", dir: dir)
        #expect(made == 0, "\(madeLog)")
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let (again, refusal) = try await runToExit("volta-keys", ["generate", "--out", file], name: "keys-again", dir: dir)
        #expect(again != 0 && refusal.contains("--force"))
        let (added, _) = try await runToExit("volta-keys", ["add", "tap-ops", "--file", file], name: "keys-add", dir: dir)
        #expect(added == 0)
        let keys = try envFile(file)
        #expect(keys["CURVE_ALLOW"]?.split(separator: ",").count == 4)  // probe, tap, dashboard, tap-ops
        #expect(keys["CURVE_ALLOW"]?.contains(keys["CURVE_TAP_OPS_PUBLIC"] ?? "?") == true)
        #expect(!(keys["CURVE_ALLOW"] ?? "").contains(keys["CURVE_BUS_PUBLIC"] ?? "?"))
        let strangers = "\(dir)/strangers.env"
        _ = try await runToExit("volta-keys", ["generate", "--out", strangers, "--services", "tap"], name: "keys-strangers", dir: dir)
        let stranger = try envFile(strangers)

        let bus = "tcp://127.0.0.1:\(freeBasePort())"
        let serverKey = try #require(keys["CURVE_BUS_PUBLIC"])
        func client(_ secret: String?) -> [String: String] {
            ["VOLTA_BUS": bus, "VOLTA_LOG_LEVEL": "trace", "VOLTA_BUS_CURVE_SERVER_KEY": serverKey, "VOLTA_BUS_CURVE_SECRET_KEY": secret ?? ""]
        }
        let daemon = try ChildProcess("bus", [], name: "bus", environment: [
            "VOLTA_BUS": bus, "VOLTA_LOG_LEVEL": "trace",
            "VOLTA_BUS_CURVE_SECRET_KEY": keys["CURVE_BUS_SECRET"] ?? "", "VOLTA_BUS_CURVE_ALLOW": keys["CURVE_ALLOW"] ?? "",
        ], logDirectory: dir)
        let probe = try ChildProcess("probe", ["serve", "--instance", "p1", "--tick-ms", "50"], name: "probe",
                                     environment: client(keys["CURVE_PROBE_SECRET"]), logDirectory: dir)
        let token = "tok-\(UUID().uuidString)"
        var dashboardEnvironment = client(keys["CURVE_DASHBOARD_SECRET"])
        dashboardEnvironment["VOLTA_DASHBOARD_TOKEN"] = token
        dashboardEnvironment["VOLTA_DASHBOARD_PORT"] = "\(freeBasePort())"
        let dashboard = try ChildProcess("dashboard", [], name: "dashboard", environment: dashboardEnvironment, logDirectory: dir)
        defer { probe.kill(); dashboard.kill(); daemon.kill() }
        try await Task.sleep(for: .seconds(1))

        // Listed keys: the operator's tap hears the probe and gets answers from it.
        let (heard, ticks) = try await runToExit("tap", ["--topic", "probe.tick.", "--count", "3"], name: "tap-listed", dir: dir,
                                           environment: client(keys["CURVE_TAP_OPS_SECRET"]))
        #expect(heard == 0)
        #expect(ticks.split(separator: "\n").filter { $0.contains("probe.tick.p1") }.count == 3)
        let (asked, reply) = try await runToExit("tap", ["request", "probe", "ProbeIncrement", #"{"client":"ops","n":"3"}"#, "--json"],
                                           name: "tap-request", dir: dir, environment: client(keys["CURVE_TAP_SECRET"]))
        #expect(asked == 0)
        #expect(reply.contains("\"worker\":\"p1\""))

        // A key the bus does not list, and no key at all: nothing heard, no answer.
        for (name, secret) in [("tap-stranger", stranger["CURVE_TAP_SECRET"]), ("tap-plain", nil)] {
            var environment = client(secret)
            if secret == nil { environment["VOLTA_BUS_CURVE_SERVER_KEY"] = "" }
            let listener = try ChildProcess("tap", ["--topic", "probe.tick.", "--count", "1"], name: "\(name)-listen", environment: environment, logDirectory: dir)
            let (refused, _) = try await runToExit("tap", ["request", "probe", "ProbeIncrement", #"{"n":"1"}"#, "--timeout-ms", "500", "--retries", "1"],
                                             name: "\(name)-request", dir: dir, environment: environment)
            #expect(refused != 0 && refused != nil)
            #expect(listener.isRunning, "a locked-out tap heard a tick")
            listener.kill()
            #expect(!listener.log.contains("probe.tick.p1"))
        }
        #expect(daemon.log.contains("bus refused an unknown CURVE key") && daemon.log.contains(stranger["CURVE_TAP_PUBLIC"] ?? "?"))
        #expect(dashboard.isRunning && probe.isRunning && daemon.isRunning)

        // Half a configuration is an error that names the missing key; a bad secret is not echoed.
        var half = client(keys["CURVE_PROBE_SECRET"])
        half["VOLTA_BUS_CURVE_SERVER_KEY"] = ""
        let (halfStatus, halfLog) = try await runToExit("probe", ["serve"], name: "probe-half", dir: dir, environment: half)
        #expect(halfStatus == 2 && halfLog.contains("'bus.curve.server_key'"))
        let badSecret = String((keys["CURVE_PROBE_SECRET"] ?? "").dropLast()) + "z"
        let (badStatus, badLog) = try await runToExit("probe", ["serve"], name: "probe-bad", dir: dir, environment: client(badSecret))
        #expect(badStatus == 2 && badLog.contains("'bus.curve.secret_key'") && !badLog.contains(badSecret))

        // No secret, in either form, in any log of the run.
        let secrets = keys.merging(stranger.map { ("STRANGER_\($0.key)", $0.value) }) { a, _ in a }.filter { $0.key.hasSuffix("_SECRET") }.values.flatMap { hex in
            [hex, CurveKeyPair.normalized(hex) ?? hex]
        } + [token]
        let logs = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".log") }
        #expect(logs.count >= 10)
        for log in logs {
            let text = try String(contentsOfFile: "\(dir)/\(log)", encoding: .utf8)
            #expect(!secrets.contains { text.contains($0) }, "a secret in \(log)")
        }
    }
}
