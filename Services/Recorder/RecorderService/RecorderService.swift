import Bus
import CoreMetrics
import Foundation
import GRDB
import Logging
import Messages
import ServiceKit
import ServiceLifecycle
import Synchronization

/// Every bus message into SQLite, and the projections traders read.
///
/// Frames are taken off the bus as they come and written by one writer in batched transactions
/// (group commit: what arrives during a commit goes into the next). Each commit is followed by a
/// `rec.ack` naming the stored sequence ranges; an acknowledged event is on disk (WAL) and, since
/// events are unique by publisher stream and sequence, stored exactly once whatever is heard
/// again. Sequence gaps are recorded and filled from the publisher's snapshot stream (the Clone
/// pattern), as is the whole state of every snapshot stream when the recorder starts.
public final class RecorderService: Service, Sendable {
    public struct Settings: Sendable {
        public var batchMaximum = 20_000
        public var batchWait = Duration.milliseconds(10)
        public var snapshotPeriod: Duration? = .seconds(60)
        public var backupDirectory: String?
        public var backupPeriod = Duration.seconds(3_600)
        public var backupKeep = 24
        public var bufferLimit = 1_000_000
        public var snapshotStreams = [Topics.Service.marketdata, Topics.Service.gateway, Topics.Service.pricer]
        public init() {}
    }

    let bus: Bus
    public let pool: DatabasePool
    let settings: Settings
    let logger: Logger
    let inbox = Mutex<[RawFrame]>([])
    let recorded = Counter(label: "recorder_events")
    let duplicates = Counter(label: "recorder_duplicates")
    let malformed = Counter(label: "recorder_malformed")
    let dropped = Counter(label: "recorder_dropped")
    let gapsSeen = Counter(label: "recorder_gaps")
    /// Events committed since start: benchmarks and tests read it.
    public let committed = Atomic<Int>(0)
    /// Snapshot streams asked recently, so a burst of gaps asks once.
    let recentFills = Mutex<[String: Int64]>([:])

    public convenience init(context: ServiceContext) throws {
        var s = Settings()
        s.batchMaximum = try context.value(RecorderSettings.batchMaximum)
        s.batchWait = .milliseconds(try context.value(RecorderSettings.batchMilliseconds))
        let snapshot = try context.value(RecorderSettings.snapshotSeconds)
        s.snapshotPeriod = snapshot == 0 ? nil : .seconds(snapshot)
        let backups = try context.value(RecorderSettings.backupDirectory)
        s.backupDirectory = backups.isEmpty ? nil : backups
        s.backupPeriod = .seconds(try context.value(RecorderSettings.backupSeconds))
        s.backupKeep = try context.value(RecorderSettings.backupKeep)
        s.bufferLimit = try context.value(RecorderSettings.bufferLimit)
        let pool = try RecorderDatabase.open(path: try context.value(RecorderSettings.path),
                                             fullSync: try context.value(RecorderSettings.synchronous) == "full")
        self.init(bus: context.bus, pool: pool, settings: s, logger: context.logger)
    }

    public init(bus: Bus, pool: DatabasePool, settings: Settings = Settings(), logger: Logger) {
        self.bus = bus
        self.pool = pool
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.receive() }
                group.addTask { await self.write() }
                group.addTask { await self.serveQueries() }
                group.addTask { await self.fillAtStart() }
                if let dir = self.settings.backupDirectory { group.addTask { await self.backups(to: dir) } }
            }
        }
    }

    /// Takes frames off the bus into the inbox; beyond the buffer limit they are counted and dropped.
    func receive() async {
        for await frames in bus.transport.subscribe(prefix: "", bufferLimit: settings.bufferLimit) {
            let overflow = inbox.withLock { inbox -> Int in
                let room = max(0, settings.bufferLimit - inbox.count)
                inbox.append(contentsOf: frames.prefix(room))
                return frames.count - min(room, frames.count)
            }
            if overflow > 0 { dropped.increment(by: overflow) }
        }
    }

    /// The one writer: whatever the inbox holds, in transactions of at most `batchMaximum`.
    func write() async {
        var writer = RecorderWriter()
        do { try load(&writer) } catch {
            logger.critical("cannot read the database", metadata: ["error": "\(error)"])
            return
        }
        // Position snapshots are due by bus time, like every stamp the recorder writes, so a
        // recording of a backtest is stamped in history's time.
        // The first a few seconds after the start, so the equity curve draws from the first minute.
        var nextSnapshot = settings.snapshotPeriod.map { bus.clock.now() + min($0.nanoseconds, 5_000_000_000) }
        while !Task.isCancelled {
            let frames = inbox.withLock { inbox -> [RawFrame] in defer { inbox = [] }; return inbox }
            if frames.isEmpty {
                try? await Task.sleep(for: settings.batchWait)
            }
            var start = 0
            while start < frames.count {
                let chunk = frames[start..<min(frames.count, start + settings.batchMaximum)]
                start += chunk.count
                commit(Array(chunk), &writer)
            }
            let periodic = nextSnapshot.map { bus.clock.now() >= $0 } ?? false
            if periodic || (settings.snapshotPeriod != nil && writer.projector.earlySnapshotDue) {
                if periodic, let due = nextSnapshot, let period = settings.snapshotPeriod {
                    nextSnapshot = max(due + period.nanoseconds, bus.clock.now())
                }
                do { try snapshot(writer) } catch {
                    logger.error("position snapshot failed", metadata: ["error": "\(error)"])
                }
                writer.projector.snapshotTaken()
            }
            await Task.yield()
        }
    }

    func load(_ writer: inout RecorderWriter) throws {
        try pool.read { db in try writer.load(db) }
    }

    func snapshot(_ writer: RecorderWriter) throws {
        let now = bus.clock.now()
        try pool.write { db in try writer.projector.snapshot(now: now, db) }
    }

    /// One transaction, then its ack; gaps found ask their publisher's snapshot.
    func commit(_ frames: [RawFrame], _ writer: inout RecorderWriter) {
        var events: [RecordedEvent] = []
        events.reserveCapacity(frames.count)
        for f in frames {
            if let e = try? RecordedEvent(topic: f.topic, envelope: f.envelope) { events.append(e) } else { malformed.increment() }
        }
        guard !events.isEmpty else { return }
        let now = bus.clock.now()
        let outcome: RecorderWriter.Outcome
        do {
            outcome = try pool.write { db in try writer.record(events, now: now, db) }
        } catch {
            logger.error("a batch was not written; retrying it", metadata: ["events": "\(events.count)", "error": "\(error)"])
            try? pool.read { db in try writer.reload(db) }
            inbox.withLock { $0.insert(contentsOf: frames, at: 0) }
            return
        }
        recorded.increment(by: outcome.inserted)
        duplicates.increment(by: events.count - outcome.inserted)
        if outcome.malformed > 0 { malformed.increment(by: outcome.malformed) }
        committed.add(outcome.inserted, ordering: .relaxed)
        var ack = Volta_V1_RecorderAck()
        ack.ranges = EventLog.ranges(events)
        ack.committedNs = now
        ack.eventsTotal = outcome.total
        bus.publish(ack)
        for gap in outcome.gaps {
            gapsSeen.increment()
            TaskPlacement.spawn { [self] in await fill(gap) }
        }
    }

    /// Asks the snapshot stream of a gap's publisher for that topic's state.
    func fill(_ gap: RecorderWriter.Gap) async {
        guard let service = gap.service, settings.snapshotStreams.contains(service) else { return }
        let key = "\(service) \(gap.topic)"
        let now = bus.clock.now()
        let fresh = recentFills.withLock { r -> Bool in
            guard now - (r[key] ?? 0) > 1_000_000_000 else { return false }
            r[key] = now
            return true
        }
        guard fresh else { return }
        let count = await requestSnapshot(of: service, prefix: gap.topic)
        try? await pool.write { db in
            try db.execute(sql: "UPDATE gaps SET filled_from = ? WHERE id = ?", arguments: ["\(service).snapshot (\(count) entries)", gap.id])
        }
    }

    /// Every snapshot stream's whole state, after a restart or a late start.
    func fillAtStart() async {
        try? await Task.sleep(for: .milliseconds(200))
        for service in settings.snapshotStreams {
            let count = await requestSnapshot(of: service, prefix: "")
            logger.info("snapshot recorded", metadata: ["stream": "\(service)", "entries": "\(count)"])
        }
    }

    /// Puts a snapshot's entries in the inbox (the writer stores the ones it lacks); their count.
    func requestSnapshot(of service: String, prefix: String) async -> Int {
        guard let frames = try? await bus.snapshotFrames(of: service, prefix: prefix, timeout: .seconds(2), retries: 1) else { return 0 }
        inbox.withLock { $0.append(contentsOf: frames) }
        return frames.count
    }

    func serveQueries() async {
        await bus.serve(service: Topics.Service.recorder, Volta_V1_RecorderQuery.self) { query, _ in
            let now = self.bus.clock.now()
            do {
                return try await self.pool.read { db in try RecorderQueries.run(query, now: now, db) }
            } catch let error as QueryError {
                throw BadRequest(error.description)
            }
        }
    }

    func backups(to directory: String) async {
        while !Task.isCancelled {
            do { try await bus.clock.sleep(for: settings.backupPeriod) } catch { return }
            do {
                let file = try RecorderDatabase.backup(pool, to: directory, keep: settings.backupKeep, now: bus.clock.now())
                logger.info("backup written", metadata: ["file": "\(file)"])
            } catch {
                logger.error("backup failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
