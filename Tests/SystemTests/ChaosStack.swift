import Bus
import Foundation
import Messages
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The whole stack under supervisord, as `ops/start.sh` runs it, trading through the gateway's
/// `ibkr` adapter against `twsim`: the broker stays up while Volta's processes are killed, as IB
/// would, and its audit file is the other side of every reconciliation.
final class ChaosStack: @unchecked Sendable {
    /// The supervisord programs SIGKILLed at random: every Volta process, the bus included.
    static let victims = ["bus", "gateway", "marketdata", "pricer", "risk", "execution", "recorder", "strategy", "strategy-2", "dashboard"]

    let run = temporaryDirectory("volta-chaos")
    let endpoint = "tcp://127.0.0.1:\(freeBasePort())"
    let twsim: ChildProcess
    let supervisord: ChildProcess
    let conf: String
    let bus: Bus
    var audit: String { "\(run)/twsim-audit.jsonl" }
    var database: String { "\(run)/volta.sqlite" }

    init() async throws {
        let bin = ChildProcess.binDirectory
        let twsPort = freeBasePort()
        // 93 quote lines (SPY and 2 expiries × 23 strikes × 2 rights), a tick every 50 ms, flushed every 20 ms.
        // A busy market: twenty times real speed, so that most quotes change every tick.
        let scenario = "name: chaos\nseed: 11\nspeed: 20\nlatency_ms: 20\naccount: {id: SIM1, cash: 1000000}\n"
            + "market: {only: [SPY], weeklies: 2, monthlies: 1, strikes_each_side: 12}\n"
        try scenario.write(toFile: "\(run)/chaos.yaml", atomically: true, encoding: .utf8)
        twsim = try ChildProcess("twsim", ["--port", "\(twsPort)", "--scenario", "\(run)/chaos.yaml", "--tick-ms", "50", "--account-ms", "1000",
                                           "--audit", "\(run)/twsim-audit.jsonl"],
                                 name: "twsim", logDirectory: run)
        let config: [String: Any] = [
            "heartbeat": ["interval_ms": 500], "bus": ["heartbeat_ms": 500],
            "gateway": ["adapter": "ibkr", "reconnect_max_ms": 1000,
                        "ibkr": ["port": twsPort, "symbols": "SPY", "strikes": 11, "expiries": 2, "max_lines": 95, "flush_ms": 20]],
            "marketdata": ["history_days": 30, "betas": "SPY=1"],
            // The test's own order flow is a steady 80 a minute, far above a trader's limit, and
            // pays the spread on every round trip: over a 30-minute soak that is past any daily
            // loss limit a trader would set (the soak's first run was stopped by it after 469 fills).
            "risk": ["max_orders_per_minute": 1_000, "max_order_quantity": 10, "max_daily_loss": 1_000_000_000],
            "dashboard": ["port": freeBasePort(), "token": "chaos-\(UUID().uuidString)"],
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: "\(run)/volta.json"))
        conf = try supervisorConfig(bin: bin, run: run, extra: ["strategy-2=\(bin)/strategy"], environment: [
            "VOLTA_BUS": endpoint, "VOLTA_STOPWAIT_SECS": "3", "VOLTA_CONFIG": "\(run)/volta.json",
        ])
        supervisord = try ChildProcess("/usr/bin/supervisord", ["-c", conf], name: "supervisord", logDirectory: run)
        bus = try systemClient(endpoint, instance: "chaos-test")
    }

    func stop() {
        bus.shutdown()
        supervisord.kill(SIGTERM)
        _ = supervisord.process.isRunning
        twsim.kill(SIGTERM)
    }

    /// A program's pid from supervisord, or nil while it is down.
    func pid(_ program: String) -> Int32? {
        guard let out = try? shell(["supervisorctl", "-c", conf, "pid", program]) else { return nil }
        return Int32(out.trimmingCharacters(in: .whitespacesAndNewlines)).flatMap { $0 > 0 ? $0 : nil }
    }

    /// The instances heartbeating RUNNING now, from a fresh listen of `seconds`.
    func running(within seconds: Double = 3) async -> Set<String> {
        let seen = Collector<String>()
        let listening = Task {
            for await hb in bus.subscribe(Volta_V1_Heartbeat.self, prefix: "sys.heartbeat.") where hb.message.state == .running {
                await seen.append(hb.message.source.instance)
            }
        }
        try? await Task.sleep(for: .seconds(seconds))
        listening.cancel()
        return Set(await seen.items)
    }

    /// Resident memory of each program now, in kB, from /proc.
    func residentKB() -> [String: Int] {
        var out: [String: Int] = [:]
        for program in Self.victims {
            guard let pid = pid(program), let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
                  let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { continue }
            out[program] = kb
        }
        return out
    }

    /// The broker's audit: each new order and each fill.
    func brokerEvents() throws -> [[String: Any]] {
        try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Rows of a query on the recorder's database, through Python's sqlite3 (the test target
    /// does not link SQLite), as tab-separated text.
    func sql(_ query: String) throws -> [[String]] {
        let script = "import sqlite3, sys; db = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)\n"
            + "for row in db.execute(sys.argv[2]): print('\\t'.join('' if v is None else str(v) for v in row))"
        return try shell(["python3", "-c", script, database, query]).split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }
}
