import Bus
import CZeroMQ
import Foundation
import Logging
import Synchronization

/// The thread that owns every socket of one client process: a PUB towards the forwarder, a SUB
/// from it, a DEALER for requests, and one DEALER per served worker.
///
/// libzmq sockets are not thread-safe, so nothing else touches them: async code sends
/// ``IOCommand``s through the ``CommandQueue``; frames come back through AsyncStream
/// continuations and ``PendingReplies``, both safe to call from this thread.
final class IOLoop: @unchecked Sendable {
    // Shared with async code (thread-safe types).
    let commands: CommandQueue
    let pending: PendingReplies<[UInt8]>
    let statistics: BusStatistics
    let logger: Logger

    // Confined to the I/O thread from start() on.
    private let context: ZMQContext
    private let endpoints: BusEndpoints
    private let options: BusSocketOptions
    private let instance: String
    private var pub: ZMQSocket!
    private var sub: ZMQSocket!
    private var client: ZMQSocket!
    private var subscriptions: [Int: (prefix: String, continuation: AsyncStream<[RawFrame]>.Continuation)] = [:]
    /// Frames received in the current burst, per subscription, delivered as one batch.
    private var batches: [Int: [RawFrame]] = [:]
    private var prefixCounts: [String: Int] = [:]
    private var groups: [Int: WorkerGroup] = [:]
    private var running = true
    private var pollDirty = true
    private var pollItems: [zmq_pollitem_t] = []
    private var pollTargets: [PollTarget] = []
    private let started = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    enum PollTarget {
        case wake, sub, client
        case worker(group: Int, index: Int)
    }

    init(context: ZMQContext, endpoints: BusEndpoints, options: BusSocketOptions, instance: String,
         statistics: BusStatistics, logger: Logger) throws {
        self.context = context
        self.endpoints = endpoints
        self.options = options
        self.instance = instance
        self.statistics = statistics
        self.logger = logger
        commands = try CommandQueue()
        pending = PendingReplies<[UInt8]>()
        // Connect eagerly: a PUB that connects on first use loses its first messages while the
        // TCP handshake runs (the zguide's slow joiner).
        pub = try ZMQSocket(context, type: ZMQ_PUB)
        try options.configurePublisher(pub)
        try pub.connect(endpoints.publish)
        sub = try ZMQSocket(context, type: ZMQ_SUB)
        try options.configureSubscriber(sub)
        try sub.connect(endpoints.subscribe)
        client = try ZMQSocket(context, type: ZMQ_DEALER)
        try options.configureDealer(client, routingID: "\(instance):client:\(UInt32.random(in: 0...UInt32.max))")
        try client.connect(endpoints.broker)
    }

    func start() {
        let t = Thread { [self] in
            run()
            finished.signal()
        }
        t.name = "volta-bus-io"
        t.stackSize = 1 << 20
        started.store(true, ordering: .sequentiallyConsistent)
        t.start()
    }

    /// Stops the thread after it has said goodbye to the broker, and waits for it.
    func stop() {
        guard started.exchange(false, ordering: .sequentiallyConsistent) else { return }
        commands.push(.stop)
        finished.wait()
    }

    // MARK: The loop

    private func run() {
        let tick = Int64(options.brokerHeartbeatMilliseconds) * 1_000_000
        var nextTick = monotonicNanos() + tick
        while running {
            // Commands are taken every turn, not only when the eventfd fired: publishers write
            // it only while this thread sleeps.
            for command in commands.drain() { handle(command) }
            guard running else { break }
            if pollDirty { rebuildPollItems() }
            var wait = max(0, (nextTick - monotonicNanos()) / 1_000_000)
            if !commands.prepareToSleep() { wait = 0 }
            let rc = zmq_poll(&pollItems, Int32(pollItems.count), Int(wait))
            commands.awake()
            if rc < 0 && zmq_errno() != EINTR {
                logger.error("zmq_poll failed", metadata: ["error": "\(ZMQError("zmq_poll"))"])
            }
            if rc > 0 {
                for (i, item) in pollItems.enumerated() where item.revents & Int16(ZMQ_POLLIN) != 0 {
                    readable(pollTargets[i])
                }
            }
            if monotonicNanos() >= nextTick {
                heartbeat()
                nextTick = monotonicNanos() + tick
            }
        }
        closeAll()
    }

    private func readable(_ target: PollTarget) {
        switch target {
        case .wake:
            commands.clearWakeup()
        case .sub:
            // Bounded batch so one busy socket cannot starve the others.
            for _ in 0..<4096 {
                guard let publication = sub.receivePublication() else { break }
                deliverPublished(publication)
            }
            for (id, batch) in batches where !batch.isEmpty {
                // A full buffer drops the batch; the subscriber sees it as a sequence gap.
                subscriptions[id]?.continuation.yield(batch)
            }
            batches.removeAll(keepingCapacity: true)
        case .client:
            for _ in 0..<4096 {
                guard let frames = client.receive() else { break }
                deliverReply(frames)
            }
        case let .worker(group, index):
            for _ in 0..<256 {
                guard let g = groups[group], index < g.workers.count,
                      let frames = g.workers[index].socket.receive() else { break }
                groups[group]?.workerReceived(index: index, frames: frames, loop: self, groupID: group)
            }
        }
    }

    /// Subscribes or unsubscribes the SUB socket; a failure is counted and logged, since a
    /// subscriber whose prefix never reached the socket would otherwise wait forever in silence.
    private func setSubscription(_ option: Int32, _ prefix: String) {
        do { try sub.set(option, bytes: Array(prefix.utf8)) } catch {
            statistics.subscribeFailures.bump()
            logger.error(option == ZMQ_SUBSCRIBE ? "subscribe failed" : "unsubscribe failed",
                         metadata: ["prefix": "\(prefix)", "error": "\(error)"])
        }
    }

    private func handle(_ command: IOCommand) {
        switch command {
        case let .publish(frame):
            switch pub.send(topic: frame.topic, envelope: frame.envelope) {
            case .sent: break
            case .wouldBlock: statistics.publishDropped.bump()
            case let .failed(code): logger.error("publish failed", metadata: ["errno": "\(code)"])
            }
        case let .subscribe(id, prefix, continuation):
            subscriptions[id] = (prefix, continuation)
            prefixCounts[prefix, default: 0] += 1
            if prefixCounts[prefix] == 1 { setSubscription(ZMQ_SUBSCRIBE, prefix) }
        case let .unsubscribe(id):
            guard let removed = subscriptions.removeValue(forKey: id) else { return }
            prefixCounts[removed.prefix, default: 1] -= 1
            if prefixCounts[removed.prefix] == 0 {
                prefixCounts[removed.prefix] = nil
                setSubscription(ZMQ_UNSUBSCRIBE, removed.prefix)
            }
        case let .request(service, requestID, envelope):
            let result = client.send([[], BrokerProtocol.client, Array(service.utf8), Array(requestID.utf8), envelope])
            if result != .sent { logger.warning("request not sent", metadata: ["service": "\(service)", "result": "\(result)"]) }
        case let .serve(id, service, serveOptions, continuation):
            do {
                groups[id] = try WorkerGroup(id: id, service: service, options: serveOptions, continuation: continuation,
                                             instance: instance, context: context, socketOptions: options,
                                             broker: endpoints.broker, now: monotonicNanos())
                pollDirty = true
            } catch {
                logger.error("cannot serve", metadata: ["service": "\(service)", "error": "\(error)"])
                continuation.finish()
            }
        case let .stopServing(id):
            groups.removeValue(forKey: id)?.disconnect()
            pollDirty = true
        case let .reply(group, worker, clientID, requestID, envelope):
            groups[group]?.sendReply(index: worker, clientID: clientID, requestID: requestID, envelope: envelope)
        case .stop:
            running = false
        }
    }

    private func deliverPublished(_ publication: ZMQSocket.Publication) {
        guard case let .frame(topic, envelope) = publication else {
            if case let .malformed(parts) = publication {
                statistics.malformed.bump()
                logger.warning("malformed pub/sub message skipped", metadata: ["frames": "\(parts)"])
            }
            return
        }
        let frame = RawFrame(topic: topic, envelope: envelope)
        for (id, s) in subscriptions where topic.hasPrefix(s.prefix) {
            batches[id, default: []].append(frame)
        }
    }

    private func deliverReply(_ frames: [[UInt8]]) {
        guard frames.count == 5, frames[0].isEmpty, frames[1] == BrokerProtocol.client else {
            statistics.malformed.bump()
            logger.warning("malformed reply skipped", metadata: ["frames": "\(frames.count)"])
            return
        }
        pending.resolve(String(decoding: frames[3], as: UTF8.self), with: frames[4])
    }

    private func heartbeat() {
        let now = monotonicNanos()
        for id in groups.keys {
            if groups[id]?.heartbeat(now: now, logger: logger) == true { pollDirty = true }
        }
    }

    private func rebuildPollItems() {
        pollItems = []
        pollTargets = []
        func add(_ socket: ZMQSocket?, fd: Int32 = 0, _ target: PollTarget) {
            pollItems.append(zmq_pollitem_t(socket: socket?.handle, fd: fd, events: Int16(ZMQ_POLLIN), revents: 0))
            pollTargets.append(target)
        }
        add(nil, fd: commands.eventFD, .wake)
        add(sub, .sub)
        add(client, .client)
        for (gid, group) in groups.sorted(by: { $0.key < $1.key }) {
            for (i, worker) in group.workers.enumerated() { add(worker.socket, .worker(group: gid, index: i)) }
        }
        pollDirty = false
    }

    private func closeAll() {
        for (_, group) in groups { group.disconnect() }
        groups.removeAll()
        for (_, s) in subscriptions { s.continuation.finish() }
        subscriptions.removeAll()
        pub.close()
        sub.close()
        client.close()
        pending.failAll(BusError.closed)
    }
}

func monotonicNanos() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}
