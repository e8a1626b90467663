import Bus
import CZeroMQ
import Logging

/// The worker sockets of one `serve` call, on the I/O thread: one DEALER per unit of
/// concurrency, each a worker of its own at the broker (Paranoid Pirate, zguide ch. 4).
///
/// A worker heartbeats every period; if the broker stays silent for `liveness` periods the
/// worker closes its socket and connects afresh under the same routing id. Every command names
/// the service, so a restarted broker relearns the worker from its next heartbeat.
struct WorkerGroup {
    struct Connection {
        var socket: ZMQSocket
        let routingID: String
        var busy = false
        var lastBrokerTraffic: Int64
        var reconnects = 0
        /// Earliest time of the next reconnect while the broker stays silent; doubles each time.
        var nextReconnect: Int64 = 0
        var backoff: Int64 = 0
    }

    /// The longest wait between reconnects to a broker that stays away.
    static let maximumBackoff: Int64 = 8_000_000_000

    let id: Int
    let service: String
    let options: ServeOptions
    let continuation: AsyncStream<InboundRequest>.Continuation
    private let context: ZMQContext
    private let socketOptions: BusSocketOptions
    private let broker: String
    private(set) var workers: [Connection] = []

    init(id: Int, service: String, options: ServeOptions, continuation: AsyncStream<InboundRequest>.Continuation,
         instance: String, context: ZMQContext, socketOptions: BusSocketOptions, broker: String, now: Int64) throws {
        self.id = id
        self.service = service
        self.options = options
        self.continuation = continuation
        self.context = context
        self.socketOptions = socketOptions
        self.broker = broker
        for k in 0..<options.concurrency {
            let routingID = "\(instance):\(service):\(k)"
            let socket = try Self.connect(routingID: routingID, context: context, options: socketOptions, broker: broker)
            workers.append(Connection(socket: socket, routingID: routingID, lastBrokerTraffic: now))
            send(.ready, index: k)
        }
    }

    private static func connect(routingID: String, context: ZMQContext, options: BusSocketOptions, broker: String) throws -> ZMQSocket {
        let socket = try ZMQSocket(context, type: ZMQ_DEALER)
        try options.configureDealer(socket, routingID: routingID)
        try socket.connect(broker)
        return socket
    }

    private func flags(_ index: Int) -> [UInt8] {
        var f: BrokerProtocol.Flags = []
        if options.idempotent { f.insert(.idempotent) }
        if workers[index].busy { f.insert(.busy) }
        return [f.rawValue]
    }

    private func send(_ command: BrokerProtocol.Command, index: Int, extra: [[UInt8]] = []) {
        var extra = extra
        if command == .ready || command == .heartbeat {
            extra = [BrokerProtocol.expiryFrame(milliseconds: Int64(socketOptions.brokerHeartbeatMilliseconds) * Int64(socketOptions.brokerLiveness))]
        }
        workers[index].socket.send([[], BrokerProtocol.worker, [command.rawValue], Array(service.utf8), flags(index)] + extra)
    }

    /// A message from the broker: a request to run, or a heartbeat.
    mutating func workerReceived(index: Int, frames: [[UInt8]], loop: IOLoop, groupID: Int) {
        workers[index].lastBrokerTraffic = monotonicNanos()
        workers[index].backoff = 0
        workers[index].nextReconnect = 0
        guard frames.count >= 3, frames[0].isEmpty, frames[1] == BrokerProtocol.worker, frames[2].count == 1,
              let command = BrokerProtocol.Command(rawValue: frames[2][0]) else {
            loop.statistics.malformed.bump()
            loop.logger.warning("malformed broker message skipped", metadata: ["service": "\(service)", "frames": "\(frames.count)"])
            return
        }
        switch command {
        case .request where frames.count == 6:
            let clientID = frames[3]
            let requestID = String(decoding: frames[4], as: UTF8.self)
            workers[index].busy = true
            let request = InboundRequest(requestID: requestID, envelope: frames[5]) { [loop] reply in
                loop.commands.push(.reply(group: groupID, worker: index, clientID: clientID, requestID: requestID, envelope: reply))
            }
            continuation.yield(request)
        case .heartbeat:
            break
        case .disconnect:
            // The broker forgot us (it restarted, or we were silent too long): register again.
            if !workers[index].busy { send(.ready, index: index) }
        default:
            loop.statistics.malformed.bump()
        }
    }

    /// Sends a reply; the worker is free again, which the broker learns from the reply itself.
    mutating func sendReply(index: Int, clientID: [UInt8], requestID: String, envelope: [UInt8]) {
        guard index < workers.count else { return }
        workers[index].busy = false
        send(.reply, index: index, extra: [clientID, Array(requestID.utf8), envelope])
    }

    /// Heartbeats every worker and reconnects those whose broker went silent, backing off from
    /// the liveness period to ``maximumBackoff`` while it stays silent.
    /// - Returns: true if a socket was replaced (the poll set must be rebuilt).
    mutating func heartbeat(now: Int64, logger: Logger) -> Bool {
        let deadline = Int64(socketOptions.brokerHeartbeatMilliseconds) * Int64(socketOptions.brokerLiveness) * 1_000_000
        var replaced = false
        for i in workers.indices {
            if now - workers[i].lastBrokerTraffic > deadline {
                guard now >= workers[i].nextReconnect else {
                    send(.heartbeat, index: i)
                    continue
                }
                workers[i].backoff = min(max(deadline, 2 * workers[i].backoff), Self.maximumBackoff)
                workers[i].nextReconnect = now + workers[i].backoff
                guard let fresh = try? Self.connect(routingID: workers[i].routingID, context: context, options: socketOptions, broker: broker) else { continue }
                workers[i].socket.close()
                workers[i].socket = fresh
                workers[i].reconnects += 1
                replaced = true
                logger.info("broker silent; worker reconnected", metadata: ["service": "\(service)", "worker": "\(workers[i].routingID)"])
                send(workers[i].busy ? .heartbeat : .ready, index: i)
            } else {
                send(.heartbeat, index: i)
            }
        }
        return replaced
    }

    /// Tells the broker these workers are gone, closes them and ends the request stream.
    func disconnect() {
        for i in workers.indices {
            send(.disconnect, index: i)
            workers[i].socket.close()
        }
        continuation.finish()
    }
}
