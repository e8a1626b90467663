import Bus
import BusZeroMQ
import CZeroMQ
import Foundation
import Logging
import Synchronization

/// The service broker: routes each request by service name to a live worker and the reply
/// back, on one thread that owns the ROUTER socket.
///
/// Stateless by design: it keeps nothing a restart must recover. Workers re-register with
/// their next heartbeat; clients retry what was in flight.
public final class Broker: @unchecked Sendable {
    public typealias Job = (clientID: [UInt8], service: [UInt8], requestID: [UInt8], envelope: [UInt8])

    let statistics = BrokerStatistics()
    private let context: ZMQContext
    private let options: BusSocketOptions
    private let routing: ServiceRouter<Job>.Configuration
    private let logger: Logger
    private let clock: any BusClock
    private let running = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private(set) var endpoint = ""

    // Confined to the broker thread.
    private var router: ZMQSocket!
    private var routes: ServiceRouter<Job>!

    init(context: ZMQContext, options: BusSocketOptions, routing: ServiceRouter<Job>.Configuration, clock: any BusClock, logger: Logger) {
        self.context = context
        self.options = options
        self.routing = routing
        self.clock = clock
        self.logger = logger
    }

    /// Binds the ROUTER and starts the broker thread. Returns the bound endpoint.
    func start(bind: String) throws -> String {
        router = try ZMQSocket(context, type: ZMQ_ROUTER)
        try options.configureRouter(router)
        try router.bind(bind)
        endpoint = router.lastEndpoint
        routes = ServiceRouter(configuration: routing, now: clock.now())
        running.store(true, ordering: .sequentiallyConsistent)
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "volta-broker"
        thread.start()
        return endpoint
    }

    func stop() {
        guard running.exchange(false, ordering: .sequentiallyConsistent) else { return }
        finished.wait()
    }

    private func run() {
        let tick = Int64(options.brokerHeartbeatMilliseconds) * 1_000_000
        var nextTick = clock.now() + tick
        var item = zmq_pollitem_t(socket: router.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        while running.load(ordering: .relaxed) {
            // Wake at least every 100 ms to notice stop().
            let wait = min(100, max(0, (nextTick - clock.now()) / 1_000_000))
            if zmq_poll(&item, 1, Int(wait)) > 0 {
                for _ in 0..<4096 {
                    guard let frames = router.receive() else { break }
                    handle(frames)
                }
            }
            if clock.now() >= nextTick {
                housekeeping()
                nextTick = clock.now() + tick
            }
        }
        router.close()
    }

    private func handle(_ frames: [[UInt8]]) {
        guard frames.count >= 4, frames[1].isEmpty else { return malformed(frames) }
        let sender = frames[0]
        switch frames[2] {
        case BrokerProtocol.client where frames.count == 6:
            clientRequest(Job(clientID: sender, service: frames[3], requestID: frames[4], envelope: frames[5]))
        case BrokerProtocol.worker where frames.count >= 6 && frames[3].count == 1 && frames[5].count == 1:
            workerMessage(sender, command: frames[3][0], service: frames[4], flags: BrokerProtocol.Flags(rawValue: frames[5][0]),
                          rest: frames.dropFirst(6))
        default:
            malformed(frames)
        }
    }

    private func clientRequest(_ job: Job) {
        statistics.requests.bump()
        let service = String(decoding: job.service, as: UTF8.self)
        let now = clock.now()
        switch routes.submit(service: service, key: String(decoding: job.requestID, as: UTF8.self), job: job, now: now) {
        case let .dispatch(worker, job):
            dispatch(job, to: worker)
        case .queued:
            statistics.queued.bump()
        case .noSuchService:
            statistics.noSuchService.bump()
            answer(job, ErrorReplies.noSuchService(service, requestID: String(decoding: job.requestID, as: UTF8.self), now: now))
        case .overloaded:
            answer(job, ErrorReplies.error(.unavailable, service: service, requestID: String(decoding: job.requestID, as: UTF8.self),
                                            message: "broker queue for '\(service)' is full", now: now))
        }
    }

    private func workerMessage(_ worker: [UInt8], command: UInt8, service: [UInt8], flags: BrokerProtocol.Flags, rest: ArraySlice<[UInt8]>) {
        let name = String(decoding: service, as: UTF8.self)
        let idempotent = flags.contains(.idempotent)
        let now = clock.now()
        switch BrokerProtocol.Command(rawValue: command) {
        case .ready?:
            if let (w, job) = routes.ready(worker, service: name, idempotent: idempotent, expiry: BrokerProtocol.expiry(rest.first),
                                           now: now) { dispatch(job, to: w) }
        case .reply? where rest.count == 3:
            let parts = Array(rest)
            statistics.replies.bump()
            send([parts[0], [], BrokerProtocol.client, service, parts[1], parts[2]])
            if let (w, job) = routes.ready(worker, service: name, idempotent: idempotent, now: now) { dispatch(job, to: w) }
        case .heartbeat?:
            if let (w, job) = routes.heartbeat(worker, service: name, idempotent: idempotent, busy: flags.contains(.busy),
                                               expiry: BrokerProtocol.expiry(rest.first), now: now) {
                dispatch(job, to: w)
            }
        case .disconnect?:
            routes.remove(worker)
        default:
            malformed([worker])
        }
        statistics.workers.store(routes.workerIDs.count, ordering: .relaxed)
    }

    private func housekeeping() {
        let now = clock.now()
        for worker in routes.workerIDs {
            if !send([worker, [], BrokerProtocol.worker, [BrokerProtocol.Command.heartbeat.rawValue]]) { routes.remove(worker) }
        }
        let result = routes.expire(now: now)
        statistics.deadWorkers.bump(result.dead.count)
        statistics.expired.bump(result.expired.count)
        for worker in result.dead { logger.info("worker dead", metadata: ["worker": "\(String(decoding: worker, as: UTF8.self))"]) }
        for job in result.orphaned {
            statistics.noSuchService.bump()
            answer(job, ErrorReplies.noSuchService(String(decoding: job.service, as: UTF8.self),
                                                    requestID: String(decoding: job.requestID, as: UTF8.self), now: now))
        }
        for (worker, job) in result.dispatch { dispatch(job, to: worker) }
        statistics.workers.store(routes.workerIDs.count, ordering: .relaxed)
    }

    private func dispatch(_ job: Job, to worker: [UInt8]) {
        if !send([worker, [], BrokerProtocol.worker, [BrokerProtocol.Command.request.rawValue], job.clientID, job.requestID, job.envelope]) {
            // The worker vanished between its last message and now: forget it and re-route.
            routes.remove(worker)
            clientRequest(job)
        }
    }

    private func answer(_ job: Job, _ envelope: [UInt8]) {
        send([job.clientID, [], BrokerProtocol.client, job.service, job.requestID, envelope])
    }

    @discardableResult
    private func send(_ frames: [[UInt8]]) -> Bool {
        let result = router.send(frames)
        if result != .sent { statistics.unroutable.bump() }
        return result == .sent
    }

    private func malformed(_ frames: [[UInt8]]) {
        let n = statistics.malformed.wrappingAdd(1, ordering: .relaxed).newValue
        // Logged at a falling rate: a flood of garbage must not become a flood of logs.
        if n & (n - 1) == 0 {
            logger.warning("malformed broker message skipped", metadata: ["frames": "\(frames.count)", "total": "\(n)"])
        }
    }
}
