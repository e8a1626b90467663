import Bus
import Logging
import Synchronization

/// The bus over ZeroMQ: what every deployed process uses.
///
/// All sockets live on one I/O thread (``IOLoop``); this type only queues commands to it and
/// hands back streams. Publishing never blocks: at the high-water mark a frame is dropped and
/// counted. Reconnection to a restarted bus daemon is automatic (libzmq's reconnect with
/// backoff, plus worker re-registration).
public final class ZeroMQTransport: BusTransport {
    public let clock: any BusClock
    public let endpoints: BusEndpoints
    private let loop: IOLoop
    private let nextID = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)

    /// Connects to the bus daemon at `endpoints` and starts the I/O thread.
    public init(endpoints: BusEndpoints, instance: String, options: BusSocketOptions = BusSocketOptions(),
                context: ZMQContext = ZMQContext(), statistics: BusStatistics, logger: Logger,
                clock: any BusClock = WallClock()) throws {
        self.clock = clock
        self.endpoints = endpoints
        loop = try IOLoop(context: context, endpoints: endpoints, options: options, instance: instance,
                          statistics: statistics, logger: logger)
        loop.start()
    }

    deinit { shutdown() }

    public func publish(_ frame: RawFrame) -> Bool {
        loop.commands.pushPublication(.publish(frame))
    }

    public func subscribe(prefix: String, bufferLimit: Int) -> AsyncStream<[RawFrame]> {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(of: [RawFrame].self, bufferingPolicy: .bufferingOldest(bufferLimit))
        let commands = loop.commands
        continuation.onTermination = { _ in commands.push(.unsubscribe(id: id)) }
        commands.push(.subscribe(id: id, prefix: prefix, continuation: continuation))
        return stream
    }

    public func exchange(service: String, requestID: String, envelope: [UInt8], timeout: Duration) async throws -> [UInt8] {
        guard !stopped.load(ordering: .relaxed) else { throw BusError.closed }
        let commands = loop.commands
        return try await loop.pending.exchange(requestID: requestID, service: service, timeout: timeout, clock: clock) {
            commands.push(.request(service: service, requestID: requestID, envelope: envelope))
            return nil
        }
    }

    public func serve(service: String, options: ServeOptions) -> AsyncStream<InboundRequest> {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(of: InboundRequest.self)
        let commands = loop.commands
        continuation.onTermination = { _ in commands.push(.stopServing(id: id)) }
        commands.push(.serve(id: id, service: service, options: options, continuation: continuation))
        return stream
    }

    public func shutdown() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        loop.stop()
    }
}
