import DequeModule

/// The broker's rules, free of sockets: which worker gets a request, which requests wait, which
/// workers are dead. The ZeroMQ broker and the in-memory hub both drive one of these.
///
/// - Idempotent services: the least recently used waiting worker takes the request.
/// - Non-idempotent services: the request's id picks its worker by rendezvous hashing over the
///   live workers, so a retry reaches the worker whose reply cache knows it.
/// - A service with no live worker is answered "no such service" at once, except during the
///   start-up grace, when workers of a restarted broker are still re-registering.
/// - During that grace, non-idempotent requests wait even if some workers are back: ownership
///   computed over half the workers could send a retry to a worker that never ran the original.
public struct ServiceRouter<Job> {
    public typealias Worker = [UInt8]

    public struct Configuration: Sendable {
        /// A worker silent this long is dead.
        public var workerExpiry: Duration
        /// A queued request older than this is dropped: its client has retried or given up.
        public var queuedRequestTTL: Duration
        /// After start, how long unknown services wait for workers instead of failing.
        public var startupGrace: Duration
        /// Queued requests per service beyond which new ones are refused.
        public var queueLimit: Int

        public init(workerExpiry: Duration = .seconds(3), queuedRequestTTL: Duration = .seconds(10),
                    startupGrace: Duration = .seconds(3), queueLimit: Int = 10_000) {
            self.workerExpiry = workerExpiry
            self.queuedRequestTTL = queuedRequestTTL
            self.startupGrace = startupGrace
            self.queueLimit = queueLimit
        }
    }

    public enum Decision {
        case dispatch(Worker, Job)
        case queued
        case noSuchService
        case overloaded
    }

    struct WorkerState {
        var service: String
        var expiresAt: Int64
        var waiting: Bool
        /// How long this worker may stay silent, when it said so (nil: the configuration's).
        var expiry: Int64?
    }

    struct Queued {
        var job: Job
        var key: String
        var enqueuedAt: Int64
    }

    struct ServiceState {
        var idempotent = true
        /// Waiting workers, least recently used first.
        var waiting: Deque<Worker> = []
        var members: Set<Worker> = []
        var queue: Deque<Queued> = []
    }

    public let configuration: Configuration
    private let startedAt: Int64
    private var workers: [Worker: WorkerState] = [:]
    private var services: [String: ServiceState] = [:]

    public init(configuration: Configuration = Configuration(), now: Int64) {
        self.configuration = configuration
        self.startedAt = now
    }

    public func liveWorkers(of service: String) -> Int { services[service]?.members.count ?? 0 }
    public func queuedRequests(of service: String) -> Int { services[service]?.queue.count ?? 0 }
    public var serviceNames: [String] { services.filter { !$0.value.members.isEmpty }.keys.sorted() }
    public func isKnown(_ worker: Worker) -> Bool { workers[worker] != nil }
    public var workerIDs: [Worker] { Array(workers.keys) }

    /// A worker is free (it said READY, or sent a reply): it takes a queued request if one is
    /// meant for it, or joins the waiting list. `expiry` is how long the worker says it may be
    /// silent (its own heartbeat period times its liveness), which wins over the configuration's:
    /// a worker heartbeating slower than the broker expects would otherwise flap dead and alive.
    public mutating func ready(_ worker: Worker, service: String, idempotent: Bool, expiry: Duration? = nil,
                               now: Int64) -> (Worker, Job)? {
        attach(worker, service: service, idempotent: idempotent, expiry: expiry, now: now)
        workers[worker]?.waiting = true
        let holding = !idempotent && now - startedAt < configuration.startupGrace.nanoseconds
        if !holding, let job = takeQueued(for: worker, service: service) {
            workers[worker]?.waiting = false
            return (worker, job)
        }
        services[service]?.waiting.append(worker)
        return nil
    }

    /// Any sign of life. An unknown worker (the broker restarted) is registered: busy if it
    /// says so, otherwise as a waiting worker that may take a queued request.
    public mutating func heartbeat(_ worker: Worker, service: String, idempotent: Bool, busy: Bool, expiry: Duration? = nil,
                                   now: Int64) -> (Worker, Job)? {
        if workers[worker] != nil {
            if let expiry { workers[worker]?.expiry = expiry.nanoseconds }
            refresh(worker, now: now)
            return nil
        }
        if busy {
            attach(worker, service: service, idempotent: idempotent, expiry: expiry, now: now)
            return nil
        }
        return ready(worker, service: service, idempotent: idempotent, expiry: expiry, now: now)
    }

    /// Routes a request. `key` is its request id: it decides the worker of a non-idempotent
    /// service.
    public mutating func submit(service: String, key: String, job: Job, now: Int64) -> Decision {
        let inGrace = now - startedAt < configuration.startupGrace.nanoseconds
        guard var state = services[service], !state.members.isEmpty else {
            guard inGrace else { return .noSuchService }
            return enqueue(service: service, key: key, job: job, now: now)
        }
        if inGrace && !state.idempotent { return enqueue(service: service, key: key, job: job, now: now) }
        if state.idempotent {
            if let worker = state.waiting.popFirst() {
                services[service] = state
                workers[worker]?.waiting = false
                return .dispatch(worker, job)
            }
        } else if let owner = RendezvousHash.owner(of: key, among: state.members),
                  let index = state.waiting.firstIndex(of: owner) {
            state.waiting.remove(at: index)
            services[service] = state
            workers[owner]?.waiting = false
            return .dispatch(owner, job)
        }
        return enqueue(service: service, key: key, job: job, now: now)
    }

    /// Forgets a worker (it said DISCONNECT, or died). A request it was running is lost with it;
    /// the client's retry goes to another worker.
    public mutating func remove(_ worker: Worker) {
        guard let state = workers.removeValue(forKey: worker) else { return }
        services[state.service]?.members.remove(worker)
        services[state.service]?.waiting.removeAll { $0 == worker }
    }

    /// Drops dead workers and stale requests; call it every heartbeat period.
    /// - Returns: the dead workers; the requests that expired; the requests for services that
    ///   have no worker left (answer those "no such service"), and jobs that can now be
    ///   dispatched (their owner died, or the start-up grace is over).
    public mutating func expire(now: Int64) -> (dead: [Worker], expired: [Job], orphaned: [Job], dispatch: [(Worker, Job)]) {
        let dead = workers.filter { $0.value.expiresAt <= now }.map(\.key)
        for worker in dead { remove(worker) }
        var expired: [Job] = []
        var orphaned: [Job] = []
        let ttl = configuration.queuedRequestTTL.nanoseconds
        let inGrace = now - startedAt < configuration.startupGrace.nanoseconds
        for name in Array(services.keys) {
            guard var state = services[name] else { continue }
            if state.members.isEmpty && !inGrace {
                orphaned += state.queue.map(\.job)
                state.queue.removeAll()
            }
            let stale = state.queue.filter { now - $0.enqueuedAt >= ttl }
            expired += stale.map(\.job)
            state.queue.removeAll { now - $0.enqueuedAt >= ttl }
            services[name] = state
        }
        var dispatch: [(Worker, Job)] = []
        if !dead.isEmpty || !inGrace {
            // Requests pinned to a dead worker now hash to a survivor that may be waiting, and
            // requests held through the grace go to their owners.
            for name in Array(services.keys) where !(services[name]?.queue.isEmpty ?? true) {
                for worker in services[name]?.waiting ?? [] {
                    if let job = takeQueued(for: worker, service: name) {
                        services[name]?.waiting.removeAll { $0 == worker }
                        workers[worker]?.waiting = false
                        dispatch.append((worker, job))
                    }
                }
            }
        }
        return (dead, expired, orphaned, dispatch)
    }

    private mutating func attach(_ worker: Worker, service: String, idempotent: Bool, expiry: Duration?, now: Int64) {
        if let existing = workers[worker], existing.service != service { remove(worker) }
        if workers[worker] == nil {
            workers[worker] = WorkerState(service: service, expiresAt: 0, waiting: false)
        }
        if let expiry { workers[worker]?.expiry = expiry.nanoseconds }
        refresh(worker, now: now)
        services[service, default: ServiceState()].idempotent = idempotent
        services[service]?.members.insert(worker)
        services[service]?.waiting.removeAll { $0 == worker }
    }

    private mutating func refresh(_ worker: Worker, now: Int64) {
        let expiry = workers[worker]?.expiry ?? configuration.workerExpiry.nanoseconds
        workers[worker]?.expiresAt = now + expiry
    }

    private mutating func enqueue(service: String, key: String, job: Job, now: Int64) -> Decision {
        var state = services[service] ?? ServiceState()
        guard state.queue.count < configuration.queueLimit else { return .overloaded }
        state.queue.append(Queued(job: job, key: key, enqueuedAt: now))
        services[service] = state
        return .queued
    }

    /// The oldest queued request this worker may take: any, for an idempotent service; one whose
    /// id hashes to this worker, otherwise.
    private mutating func takeQueued(for worker: Worker, service: String) -> Job? {
        guard var state = services[service], !state.queue.isEmpty else { return nil }
        let index: Int?
        if state.idempotent {
            index = state.queue.startIndex
        } else {
            let members = state.members
            index = state.queue.firstIndex { RendezvousHash.owner(of: $0.key, among: members) == worker }
        }
        guard let index else { return nil }
        let job = state.queue.remove(at: index).job
        services[service] = state
        return job
    }
}
