import ArgumentParser
import Bus
import Foundation
import GRDB
import GRDBSQLite
import Logging
import Messages
import RecorderService
import Synchronization

/// `bench recorder`: events per second published on the bus, written by the recorder and
/// acknowledged, against raw sqlite3 batched inserts of the same rows (same table, same unique
/// index, same transaction size, WAL) in the same run.
struct RecorderBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "recorder", abstract: "Recorder events/s written and acknowledged, against raw sqlite3.")

    @Option(help: "Events per run.") var events = 300_000
    @Option(help: "Events published but not yet acknowledged before the publisher waits.") var window = 100_000
    @Option(help: "Repetitions, interleaved with the reference; medians are reported.") var repeats = 3

    func run() async throws {
        warnIfDebugBuild()
        var ours: [Double] = [], raw: [Double] = []
        for _ in 0..<repeats {
            let (rate, envelopes) = try await recorded()
            ours.append(rate)
            raw.append(try Self.rawInserts(envelopes))
        }
        print(Result(name: "recorder_events_acknowledged", value: median(ours), unit: "events/s", reference: median(raw),
                     referenceName: "raw sqlite3: prepared INSERT OR IGNORE of the same rows, 20,000 per transaction, WAL",
                     extra: ["events": "\(events)", "runs": "\(repeats)", "goal": "200000",
                             "spread": "\(Int(ours.min() ?? 0))-\(Int(ours.max() ?? 0))"]).json)
    }

    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    /// Publishes `events` ticks through a bus daemon to a recorder; the rate is events over the
    /// time from the first publish to the ack of the last. Returns the envelopes as stored.
    func recorded() async throws -> (Double, [(String, [UInt8])]) {
        let (daemon, endpoints) = try BenchBus.startDaemon()
        defer { daemon.stop() }
        let path = NSTemporaryDirectory() + "volta-bench-recorder-\(UUID().uuidString).sqlite"
        let pool = try RecorderDatabase.open(path: path)
        let recorderBus = try BenchBus.connect(endpoints, "recorder")
        var settings = RecorderService.Settings()
        settings.snapshotPeriod = nil
        settings.snapshotStreams = []
        let recorder = RecorderService(bus: recorderBus, pool: pool, settings: settings, logger: Logger(label: "bench.recorder"))
        let service = Task { try await recorder.run() }
        let publisher = try BenchBus.connect(endpoints, "load")
        var tick = Volta_V1_ProbeTick()
        tick.note = "load"
        // Warm up until the recorder's subscription is live.
        while recorder.committed.load(ordering: .relaxed) == 0 {
            publisher.publish(tick)
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(200))
        let base = recorder.committed.load(ordering: .relaxed)
        let begin = monotonicSeconds()
        for i in 0..<events {
            while i - (recorder.committed.load(ordering: .relaxed) - base) > window { await Task.yield() }
            tick.n = UInt64(i)
            publisher.publish(tick)
        }
        while recorder.committed.load(ordering: .relaxed) - base < events { try await Task.sleep(for: .milliseconds(1)) }
        let elapsed = monotonicSeconds() - begin
        service.cancel()
        publisher.shutdown()
        recorderBus.shutdown()
        let stored = try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT t.topic, e.envelope FROM events e JOIN topics t ON t.id = e.topic_id").map {
                ($0["topic"] as String, [UInt8]($0["envelope"] as Data))
            }
        }
        try? FileManager.default.removeItem(atPath: path)
        return (Double(events) / elapsed, stored)
    }

    /// The same rows through the sqlite3 C API: the floor any SQLite writer of this table has.
    static func rawInserts(_ envelopes: [(String, [UInt8])]) throws -> Double {
        let path = NSTemporaryDirectory() + "volta-bench-raw-\(UUID().uuidString).sqlite"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK else { throw BenchError("sqlite3_open failed") }
        defer { sqlite3_close(db) }
        func exec(_ sql: String) throws {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw BenchError(String(cString: sqlite3_errmsg(db))) }
        }
        try exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
        try exec("""
            CREATE TABLE events (id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL, topic_id INTEGER NOT NULL, sequence INTEGER NOT NULL,
                type_id INTEGER NOT NULL, event_ns INTEGER NOT NULL, recorded_ns INTEGER NOT NULL, envelope BLOB NOT NULL);
            CREATE UNIQUE INDEX events_identity ON events(source_id, topic_id, sequence) WHERE sequence > 0;
            """)
        var statement: OpaquePointer?
        sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO events (source_id, topic_id, sequence, type_id, event_ns, recorded_ns, envelope) VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &statement, nil)
        defer { sqlite3_finalize(statement) }
        let begin = monotonicSeconds()
        for (n, (_, envelope)) in envelopes.enumerated() {
            if n % 20_000 == 0 { if n > 0 { try exec("COMMIT") }; try exec("BEGIN") }
            sqlite3_bind_int64(statement, 1, 1)
            sqlite3_bind_int64(statement, 2, 1)
            sqlite3_bind_int64(statement, 3, Int64(n + 1))
            sqlite3_bind_int64(statement, 4, 1)
            sqlite3_bind_int64(statement, 5, Int64(n))
            sqlite3_bind_int64(statement, 6, Int64(n))
            let rc = envelope.withUnsafeBytes { bytes -> Int32 in
                sqlite3_bind_blob(statement, 7, bytes.baseAddress, Int32(bytes.count), nil)
                return sqlite3_step(statement)
            }
            guard rc == SQLITE_DONE else { throw BenchError(String(cString: sqlite3_errmsg(db))) }
            sqlite3_reset(statement)
        }
        try exec("COMMIT")
        return Double(envelopes.count) / (monotonicSeconds() - begin)
    }
}
