import Bus
import GRDB
import Messages

/// What one writer transaction does: store the events, project the new ones, note the gaps.
/// Plain state owned by the recorder's single writer task.
public struct RecorderWriter: Sendable {
    public struct Gap: Sendable {
        public let id: Int64
        public let service: String?
        public let topic: String
    }

    public struct Outcome: Sendable {
        public var inserted = 0
        public var malformed = 0
        public var total: Int64 = 0
        public var gaps: [Gap] = []
    }

    public var log = EventLog()
    public var projector = Projector()
    var tracker = SequenceTracker()

    public init() {}

    public mutating func load(_ db: Database) throws {
        try log.load(db)
        try projector.load(db)
    }

    /// After a failed transaction: ids it made are gone, so the caches are rebuilt.
    public mutating func reload(_ db: Database) throws {
        try log.forgetCaches(db)
    }

    public mutating func record(_ events: [RecordedEvent], now: Int64, _ db: Database) throws -> Outcome {
        var outcome = Outcome()
        let inserted = try log.append(events, recordedNs: now, db)
        for (e, new) in zip(events, inserted) {
            guard new else { continue }
            outcome.inserted += 1
            do { try projector.apply(e, db) } catch is DatabaseError {
                throw RecorderError.projection(e.topic)
            } catch {
                outcome.malformed += 1 // a payload that does not decode: stored in the log, not projected
            }
            if case .accept(let missed) = tracker.observe(instance: e.header.instance, epoch: e.header.epoch, topic: e.topic,
                                                          sequence: e.header.sequence), missed > 0 {
                outcome.gaps.append(try gap(e, missed: missed, now: now, db))
            }
        }
        outcome.total = log.count
        return outcome
    }

    mutating func gap(_ e: RecordedEvent, missed: UInt64, now: Int64, _ db: Database) throws -> Gap {
        let source = try log.sourceID(e.header.instance, e.header.epoch, db)
        let topic = try log.topicID(e.topic, db)
        let first = e.header.sequence - missed
        try db.execute(sql: "INSERT INTO gaps (source_id, topic_id, first_missing, last_missing, detected_ns) VALUES (?, ?, ?, ?, ?)",
                       arguments: [source, topic, Int64(first), Int64(e.header.sequence - 1), now])
        let service = (try? Volta_V1_Envelope(serializedBytes: e.envelope))?.source.service
        return Gap(id: db.lastInsertedRowID, service: service, topic: e.topic)
    }
}

public enum RecorderError: Error, CustomStringConvertible {
    case projection(String)

    public var description: String {
        switch self {
        case .projection(let topic): "the projection of an event on \(topic) failed in the database"
        }
    }
}
