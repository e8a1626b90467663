import Synchronization

/// The bus without sockets: every process of a test or a backtest connects to one hub.
///
/// Deterministic: a publish is delivered to the matching subscriptions at once, in subscription
/// order, under one lock; requests are routed by the same ``ServiceRouter`` as the real broker;
/// time is whatever clock the hub was given, usually a ``ManualClock``. Tests play the other
/// processes and inject faults (``dropNext(prefix:count:)``) the way swift-nio's
/// EmbeddedChannel lets a test play the network.
public final class InMemoryHub: Sendable {
    typealias Job = (requestID: String, envelope: [UInt8])

    struct Subscriber {
        let id: Int
        let prefix: String
        let continuation: AsyncStream<[RawFrame]>.Continuation
    }

    struct Worker {
        let service: String
        let idempotent: Bool
        let continuation: AsyncStream<InboundRequest>.Continuation
    }

    struct State {
        var nextID = 0
        var subscribers = PrefixIndex<Subscriber>()
        var workers: [[UInt8]: Worker] = [:]
        var router: ServiceRouter<Job>
        var drops: [(prefix: String, remaining: Int)] = []
        var published: [RawFrame] = []
        var recordPublished = false
        var observer: (@Sendable (HubEvent) -> Void)?
    }

    /// What a hub's observer hears: a profile of the order of work (`bench e2e --kernel-trace`),
    /// not a record (that is ``recordPublished()``).
    public enum HubEvent: Sendable {
        case published(topic: String)
        case request(service: String, requestID: String)
        case reply(requestID: String)
    }

    public let clock: any BusClock
    private let state: Mutex<State>
    /// Subscriptions and workers whose streams ended, removed at the hub's next operation. Their
    /// `onTermination` runs while the runtime holds the ended task's status lock, and a publish
    /// yields under the hub's lock (a yield needs that task lock): taking the hub's lock there
    /// deadlocked, a test process hung on a cancel. This lock is never held while yielding.
    private let ended = Mutex<(subscribers: [(prefix: String, id: Int)], workers: [[UInt8]])>(([], []))
    private let pending = PendingReplies<[UInt8]>()

    public init(clock: any BusClock = ManualClock(), routing: ServiceRouter<(requestID: String, envelope: [UInt8])>.Configuration = .init()) {
        self.clock = clock
        state = Mutex(State(router: ServiceRouter(configuration: routing, now: clock.now() - routing.startupGrace.nanoseconds)))
    }

    /// A transport for one simulated process.
    public func connect(instance: String) -> InMemoryTransport {
        InMemoryTransport(hub: self, instance: instance)
    }

    /// Loses the next `count` frames whose topic starts with `prefix`: a slow subscriber's HWM.
    public func dropNext(prefix: String, count: Int) {
        locked { $0.drops.append((prefix, count)) }
    }

    /// Keeps every published frame, for a test to read with ``publishedFrames``.
    public func recordPublished() { locked { $0.recordPublished = true } }
    public var publishedFrames: [RawFrame] { locked { $0.published } }

    /// Calls `observer` under the hub's lock with every publish, request and reply (nil: none).
    public func observe(_ observer: (@Sendable (HubEvent) -> Void)?) { locked { $0.observer = observer } }

    public func liveWorkers(of service: String) -> Int { locked { $0.router.liveWorkers(of: service) } }

    /// The hub's state under its lock, with the ended streams removed first.
    private func locked<R: Sendable>(_ body: (inout State) -> R) -> R {
        state.withLock { s in
            let gone = ended.withLock { e in
                defer { e = ([], []) }
                return e
            }
            for sub in gone.subscribers { s.subscribers.remove(sub.prefix, id: sub.id) }
            for id in gone.workers {
                s.workers[id] = nil
                s.router.remove(id)
            }
            return body(&s)
        }
    }

    // MARK: Transport operations

    func publish(_ frame: RawFrame) -> Bool {
        locked { s in
            if s.recordPublished { s.published.append(frame) }
            s.observer?(.published(topic: frame.topic))
            if let i = s.drops.firstIndex(where: { frame.topic.hasPrefix($0.prefix) && $0.remaining > 0 }) {
                s.drops[i].remaining -= 1
                return true  // lost downstream, as an XPUB drop is: the publisher cannot tell
            }
            for sub in s.subscribers.matches(frame.topic) {
                sub.continuation.yield([frame])
            }
            return true
        }
    }

    /// Whether a publish on `topic` would be delivered, kept or dropped by a fault a test
    /// injected: anything but a frame no one would ever see.
    func isHeard(_ topic: String) -> Bool {
        locked { s in
            s.recordPublished || s.subscribers.matchesAny(topic) || s.drops.contains { topic.hasPrefix($0.prefix) && $0.remaining > 0 }
        }
    }

    func subscribe(prefix: String, bufferLimit: Int) -> AsyncStream<[RawFrame]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [RawFrame].self, bufferingPolicy: .bufferingOldest(bufferLimit))
        let id = locked { s -> Int in
            s.nextID += 1
            s.subscribers.insert(prefix, id: s.nextID, Subscriber(id: s.nextID, prefix: prefix, continuation: continuation))
            return s.nextID
        }
        continuation.onTermination = { [weak self] _ in
            self?.ended.withLock { $0.subscribers.append((prefix, id)) }
        }
        return stream
    }

    func exchange(service: String, requestID: String, envelope: [UInt8], timeout: Duration) async throws -> [UInt8] {
        try await pending.exchange(requestID: requestID, service: service, timeout: timeout, clock: clock) {
            let now = self.clock.now()
            return self.locked { s -> [UInt8]? in
                s.observer?(.request(service: service, requestID: requestID))
                switch s.router.submit(service: service, key: requestID, job: (requestID, envelope), now: now) {
                case let .dispatch(worker, job):
                    self.deliver(job, to: worker, in: &s)
                    return nil
                case .queued:
                    return nil
                case .noSuchService:
                    return ErrorReplies.noSuchService(service, requestID: requestID, now: now)
                case .overloaded:
                    return ErrorReplies.error(.unavailable, service: service, requestID: requestID, message: "queue full", now: now)
                }
            }
        }
    }

    func serve(service: String, options: ServeOptions, instance: String) -> AsyncStream<InboundRequest> {
        let (stream, continuation) = AsyncStream.makeStream(of: InboundRequest.self)
        let ids: [[UInt8]] = locked { s in
            s.nextID += 1
            let base = "\(instance):\(service):\(s.nextID)"
            return (0..<options.concurrency).map { k in
                let id = Array("\(base):\(k)".utf8)
                s.workers[id] = Worker(service: service, idempotent: options.idempotent, continuation: continuation)
                if let (worker, job) = s.router.ready(id, service: service, idempotent: options.idempotent, now: clock.now()) {
                    deliver(job, to: worker, in: &s)
                }
                return id
            }
        }
        continuation.onTermination = { [weak self] _ in
            self?.ended.withLock { $0.workers += ids }
        }
        return stream
    }

    private func deliver(_ job: Job, to worker: [UInt8], in s: inout State) {
        guard let w = s.workers[worker] else { return }
        let request = InboundRequest(requestID: job.requestID, envelope: job.envelope) { [weak self] reply in
            self?.complete(job.requestID, reply: reply, worker: worker)
        }
        w.continuation.yield(request)
    }

    private func complete(_ requestID: String, reply: [UInt8], worker: [UInt8]) {
        pending.resolve(requestID, with: reply)
        locked { s in
            s.observer?(.reply(requestID: requestID))
            if let w = s.workers[worker],
               let (next, job) = s.router.ready(worker, service: w.service, idempotent: w.idempotent, now: clock.now()) {
                deliver(job, to: next, in: &s)
            }
        }
    }
}

/// One simulated process's connection to an ``InMemoryHub``.
public struct InMemoryTransport: BusTransport {
    let hub: InMemoryHub
    let instance: String

    public var clock: any BusClock { hub.clock }
    public func publish(_ frame: RawFrame) -> Bool { hub.publish(frame) }
    public func isHeard(_ topic: String) -> Bool { hub.isHeard(topic) }
    public var carriesMessages: Bool { true }
    public func subscribe(prefix: String, bufferLimit: Int) -> AsyncStream<[RawFrame]> {
        hub.subscribe(prefix: prefix, bufferLimit: bufferLimit)
    }
    public func exchange(service: String, requestID: String, envelope: [UInt8], timeout: Duration) async throws -> [UInt8] {
        try await hub.exchange(service: service, requestID: requestID, envelope: envelope, timeout: timeout)
    }
    public func serve(service: String, options: ServeOptions) -> AsyncStream<InboundRequest> {
        hub.serve(service: service, options: options, instance: instance)
    }
    public func shutdown() {}
}
