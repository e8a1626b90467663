import Bus
import Foundation
import GRDB
import GRDBSQLite
import Messages

/// One bus message as it arrived: its topic, its encoded envelope and the header read from it.
public struct RecordedEvent: Sendable {
    public let topic: String
    public let envelope: [UInt8]
    public let header: EnvelopeHeader
    /// Read once: the log files it by type and the projector dispatches on it.
    public let typeName: String

    public init(topic: String, envelope: [UInt8]) throws {
        self.topic = topic
        self.envelope = envelope
        header = try EnvelopeHeader.parse(envelope)
        typeName = String(decoding: envelope[header.typeRange], as: UTF8.self)
    }
    public var payload: ArraySlice<UInt8> { envelope[header.payloadRange] }
}

/// The append-only `events` table. Sources, topics and type names are stored once each and
/// referred to by id; their ids are cached here so an append is one insert per event.
public struct EventLog: Sendable {
    struct SourceKey: Hashable, Sendable {
        let instance: String
        let epoch: UInt64
    }

    var sources: [SourceKey: Int64] = [:]
    var topics: [String: Int64] = [:]
    var types: [String: Int64] = [:]
    public private(set) var count: Int64 = 0

    public init() {}

    public mutating func load(_ db: Database) throws {
        for row in try Row.fetchAll(db, sql: "SELECT id, instance, epoch FROM sources") {
            sources[SourceKey(instance: row["instance"], epoch: UInt64(bitPattern: row["epoch"]))] = row["id"]
        }
        topics = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, topic FROM topics").map { ($0["topic"], $0["id"]) })
        types = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, name FROM types").map { ($0["name"], $0["id"]) })
        count = try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0
    }

    /// Appends `events` in the caller's transaction; returns, per event, whether it was new (an
    /// event already stored, heard again live or in a snapshot, is not stored twice).
    public mutating func append(_ events: [RecordedEvent], recordedNs: Int64, _ db: Database) throws -> [Bool] {
        let insert = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO events (source_id, topic_id, sequence, type_id, event_ns, recorded_ns, envelope)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        var inserted: [Bool] = []
        inserted.reserveCapacity(events.count)
        // Bound through the C API: this loop is the recorder's throughput, and GRDB's argument
        // arrays and a Data copy per envelope cost about a third of it.
        let statement = insert.sqliteStatement
        for e in events {
            let source = try sourceID(e.header.instance, e.header.epoch, db)
            let topic = try topicID(e.topic, db)
            let type = try Self.id(e.typeName, in: &types, table: "types", column: "name", db)
            sqlite3_bind_int64(statement, 1, source)
            sqlite3_bind_int64(statement, 2, topic)
            sqlite3_bind_int64(statement, 3, Int64(bitPattern: e.header.sequence))
            sqlite3_bind_int64(statement, 4, type)
            sqlite3_bind_int64(statement, 5, e.header.eventTime)
            sqlite3_bind_int64(statement, 6, recordedNs)
            let rc = e.envelope.withUnsafeBytes { bytes -> Int32 in
                // SQLITE_STATIC: the bytes outlive the step, which copies them into the page.
                sqlite3_bind_blob(statement, 7, bytes.baseAddress, Int32(bytes.count), nil)
                return sqlite3_step(statement)
            }
            sqlite3_reset(statement)
            guard rc == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            let new = sqlite3_changes(db.sqliteConnection) > 0
            if new { count += 1 }
            inserted.append(new)
        }
        return inserted
    }

    mutating func sourceID(_ instance: String, _ epoch: UInt64, _ db: Database) throws -> Int64 {
        let key = SourceKey(instance: instance, epoch: epoch)
        if let id = sources[key] { return id }
        try db.execute(sql: "INSERT OR IGNORE INTO sources (instance, epoch) VALUES (?, ?)", arguments: [instance, Int64(bitPattern: epoch)])
        let id = try Int64.fetchOne(db, sql: "SELECT id FROM sources WHERE instance = ? AND epoch = ?",
                                    arguments: [instance, Int64(bitPattern: epoch)])!
        sources[key] = id
        return id
    }

    mutating func topicID(_ topic: String, _ db: Database) throws -> Int64 {
        try Self.id(topic, in: &topics, table: "topics", column: "topic", db)
    }

    static func id(_ value: String, in cache: inout [String: Int64], table: String, column: String, _ db: Database) throws -> Int64 {
        if let id = cache[value] { return id }
        try db.execute(sql: "INSERT OR IGNORE INTO \(table) (\(column)) VALUES (?)", arguments: [value])
        let id = try Int64.fetchOne(db, sql: "SELECT id FROM \(table) WHERE \(column) = ?", arguments: [value])!
        cache[value] = id
        return id
    }

    /// A rollback loses the ids the transaction created: forget them all and reload.
    public mutating func forgetCaches(_ db: Database) throws {
        self = EventLog()
        try load(db)
    }

    /// The contiguous runs of sequence numbers per publisher stream in `events`: what an ack
    /// names. Unsequenced events (0) have no identity to acknowledge and are left out.
    public static func ranges(_ events: [RecordedEvent]) -> [Volta_V1_AckRange] {
        struct Stream: Hashable { let instance: String; let epoch: UInt64; let topic: String }
        var streams: [Stream: [UInt64]] = [:]
        for e in events where e.header.sequence > 0 {
            streams[Stream(instance: e.header.instance, epoch: e.header.epoch, topic: e.topic), default: []].append(e.header.sequence)
        }
        var ranges: [Volta_V1_AckRange] = []
        for (stream, sequences) in streams.sorted(by: { ($0.key.instance, $0.key.topic) < ($1.key.instance, $1.key.topic) }) {
            var run: ClosedRange<UInt64>?
            func close() {
                guard let r = run else { return }
                var a = Volta_V1_AckRange()
                a.instance = stream.instance
                a.epoch = stream.epoch
                a.topic = stream.topic
                a.firstSequence = r.lowerBound
                a.lastSequence = r.upperBound
                ranges.append(a)
            }
            for s in Set(sequences).sorted() {
                if let r = run, s == r.upperBound + 1 { run = r.lowerBound...s } else { close(); run = s...s }
            }
            close()
        }
        return ranges
    }
}
