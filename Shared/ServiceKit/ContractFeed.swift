import Bus
import Logging
import Messages
import Synchronization

/// One stream (quotes or analytics) of a changing set of option contracts, instead of every
/// option on the bus.
///
/// A service that works a handful of positions has no use for every tick of every chain, and
/// decoding them costs it the CPU that the exit it is waiting for needs: when the underlying
/// moves, the pricer republishes a whole chain at once, exactly when a stop fires. With a feed,
/// the bus daemon filters by topic and the service wakes only for its own contracts.
///
/// A contract is followed from its current state: the stream's snapshot (the Clone pattern)
/// first, then live updates on its exact topic. ``follow(_:)`` returns a task that ends once the
/// snapshots are applied: a caller about to price awaits it; a follower of positions need not.
public final class ContractFeed<Message: BusMessage>: Sendable {
    let bus: Bus
    let stream: String
    let topic: @Sendable (Volta_V1_OptionContract) -> String
    let apply: @Sendable (Message) -> Void
    let logger: Logger
    let followed = Mutex<[String: Following]>([:])

    struct Following: Sendable {
        let live: Task<Void, Never>
        let ready: Task<Void, Never>
    }

    /// - Parameters:
    ///   - stream: the stateful stream that serves the snapshot (`marketdata`, `pricer`).
    ///   - topic: the contract's topic on that stream.
    ///   - apply: called with the snapshot's message, then with every live one.
    public init(bus: Bus, stream: String, topic: @escaping @Sendable (Volta_V1_OptionContract) -> String,
                logger: Logger, apply: @escaping @Sendable (Message) -> Void) {
        self.bus = bus
        self.stream = stream
        self.topic = topic
        self.logger = logger
        self.apply = apply
    }

    deinit { for f in followed.withLock({ Array($0.values) }) { f.live.cancel(); f.ready.cancel() } }

    /// The topics followed now.
    public var topics: Set<String> { followed.withLock { Set($0.keys) } }

    /// Follows each contract not followed yet. The task ends once every one has its snapshot
    /// applied (or the snapshot failed: live updates still come).
    @discardableResult
    public func follow(_ contracts: [Volta_V1_OptionContract]) -> Task<Void, Never> {
        var waits: [Task<Void, Never>] = []
        for c in contracts {
            let t = topic(c)
            waits.append(followed.withLock { f in
                if let known = f[t] { return known.ready }
                let seenLive = Locked(false)
                // Live first, so nothing published while the snapshot travels is missed; the
                // snapshot is applied only if no live update beat it.
                let live = TaskPlacement.spawn { [bus, apply] in
                    for await m in bus.subscribe(Message.self, prefix: t) where m.topic == t {
                        seenLive.withLock { $0 = true }
                        apply(m.message)
                    }
                }
                let ready = TaskPlacement.spawn { [self] in
                    guard let latest = await snapshot(t), !seenLive.withLock({ $0 }) else { return }
                    apply(latest)
                }
                f[t] = Following(live: live, ready: ready)
                return ready
            })
        }
        return TaskPlacement.spawn { for w in waits { await w.value } }
    }

    /// Stops following every contract not in `contracts`.
    public func keep(only contracts: [Volta_V1_OptionContract]) {
        let wanted = Set(contracts.map(topic))
        let dropped = followed.withLock { f -> [Following] in
            let gone = f.keys.filter { !wanted.contains($0) }
            return gone.compactMap { f.removeValue(forKey: $0) }
        }
        for d in dropped { d.live.cancel(); d.ready.cancel() }
    }

    /// The stream's latest message on exactly `topic`, if it has one and answers.
    func snapshot(_ topic: String) async -> Message? {
        do {
            let frames = try await bus.snapshotFrames(of: stream, prefix: topic, timeout: .seconds(1), retries: 1)
            for f in frames where f.topic == topic {
                let envelope = try Volta_V1_Envelope(serializedBytes: f.envelope)
                guard envelope.type == Message.protoMessageName else { continue }
                return try Message(serializedBytes: envelope.payload)
            }
        } catch {
            logger.info("no snapshot; following live updates only", metadata: ["topic": "\(topic)", "error": "\(error)"])
        }
        return nil
    }
}
