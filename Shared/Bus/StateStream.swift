import Messages
import Synchronization

/// The publishing side of a stateful stream (the zguide's Clone pattern): it keeps the latest
/// envelope of every topic it published and serves them as a snapshot, so a late or restarted
/// subscriber starts from the whole state instead of acting on a partial view.
///
/// Serve it with ``serveSnapshots()`` under `Topics.Service.snapshot(of: name)`; subscribers use
/// ``Bus/subscribeWithSnapshot(_:prefix:stream:timeout:retries:)``.
public final class StateStream: Sendable {
    public let name: String
    private let bus: Bus
    /// Each topic's latest envelope, as the bytes that were published: a snapshot is asked at a
    /// subscriber's start, a publish at every quote, so the publish keeps what it sent as it is.
    private let latest = Mutex<[String: [UInt8]]>([:])

    public init(name: String, bus: Bus) {
        self.name = name
        self.bus = bus
    }

    /// Publishes `message` and keeps it as the state of its topic.
    @discardableResult
    public func publish<M: BusMessage>(_ message: M, eventTime: Int64? = nil) -> Bool {
        publish(message, topic: message.topic, eventTime: eventTime)
    }

    /// Publishes with a topic the caller already has (`message.topic`, computed once).
    @discardableResult
    public func publish<M: BusMessage>(_ message: M, topic: String, eventTime: Int64? = nil) -> Bool {
        // Sequence and storage under one lock: a snapshot never holds an update older than one
        // already published on the topic. An encoding failure is counted and logged by the bus;
        // nothing is kept or sent.
        let frame = latest.withLock { state -> RawFrame? in
            guard let frame = try? bus.frame(message, topic: topic, sequence: bus.nextSequence(for: topic), eventTime: eventTime) else {
                return nil
            }
            state[topic] = frame.envelope
            return frame
        }
        return frame.map(bus.send) ?? false
    }

    /// The latest envelope of every topic under `prefix`, in topic order.
    /// - Throws: if a kept envelope no longer decodes (it was encoded here: a defect, not input).
    public func snapshot(prefix: String) throws -> Volta_V1_Snapshot {
        var snapshot = Volta_V1_Snapshot()
        let kept = latest.withLock { state in state.filter { $0.key.hasPrefix(prefix) }.sorted { $0.key < $1.key }.map(\.value) }
        snapshot.entries = try kept.map { try Volta_V1_Envelope(serializedBytes: $0) }
        return snapshot
    }

    /// Answers snapshot requests until the calling task is cancelled.
    public func serveSnapshots(options: ServeOptions = ServeOptions()) async {
        await bus.serve(service: Topics.Service.snapshot(of: name), Volta_V1_SnapshotRequest.self, options: options) { request, _ in
            try self.snapshot(prefix: request.prefix)
        }
    }
}

extension Bus {
    /// Subscribes to a stateful stream: first the live updates (so nothing published meanwhile
    /// is missed), then a snapshot request, then the snapshot's entries followed by every live
    /// update newer than the snapshot for its topic.
    /// - Throws: ``BusError`` if the snapshot cannot be had.
    public func subscribeWithSnapshot<M: BusMessage>(
        _ type: M.Type, prefix: String, stream: String, timeout: Duration = .seconds(2), retries: Int = 3
    ) async throws -> Subscription<M> {
        var subscription = subscribe(type, prefix: prefix)
        subscription.prelude = try await snapshotFrames(of: stream, prefix: prefix, timeout: timeout, retries: retries)
        return subscription
    }

    /// A stateful stream's latest entries under `prefix`, as the frames they travelled in.
    /// - Throws: ``BusError`` if the snapshot cannot be had.
    public func snapshotFrames(of stream: String, prefix: String, timeout: Duration = .seconds(2), retries: Int = 3) async throws -> [RawFrame] {
        try await snapshotEntries(of: stream, prefix: prefix, timeout: timeout, retries: retries).compactMap { entry in
            (try? entry.serializedBytes()).map { RawFrame(topic: entry.topic, envelope: $0) }
        }
    }

    /// A stateful stream's latest messages of one type under `prefix`, decoded (entries of
    /// another type are skipped: not this caller's).
    /// - Throws: ``BusError`` if the snapshot cannot be had, a decoding error for a bad entry.
    public func snapshot<M: BusMessage>(_ type: M.Type, of stream: String, prefix: String, timeout: Duration = .seconds(2),
                                        retries: Int = 3) async throws -> [M] {
        try await snapshotEntries(of: stream, prefix: prefix, timeout: timeout, retries: retries)
            .filter { $0.type == M.typeName }.map { try M(serializedBytes: $0.payload) }
    }

    /// The snapshot request every reader of a stateful stream makes.
    func snapshotEntries(of stream: String, prefix: String, timeout: Duration, retries: Int) async throws -> [Volta_V1_Envelope] {
        var request = Volta_V1_SnapshotRequest()
        request.prefix = prefix
        return try await self.request(service: Topics.Service.snapshot(of: stream), request, as: Volta_V1_Snapshot.self,
                                      timeout: timeout, retries: retries).entries
    }
}
