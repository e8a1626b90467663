import Synchronization

/// One service's transport inside a node: several services in one process (`volta-node`) that
/// talk to each other through an ``InMemoryHub`` and to the rest of the stack through their own
/// transport to the bus daemon. The latency-over-isolation deployment: a quote that reaches the
/// node once over ZeroMQ goes through strategy, risk and execution without another socket, and
/// only the order leaves it.
///
/// - Publishing goes to both sides: the node's services hear it at once, the stack (recorder,
///   dashboard, other workers) over the daemon.
/// - A subscription hears both sides, less what the daemon echoes back of the node's own
///   publications (recognised by the publisher's instance in the envelope), so each message
///   arrives once.
/// - A request goes to a worker in the node when the node has one for that service, else out.
///   A service in the node serves requests from both sides.
public struct NodeTransport: BusTransport {
    let hub: InMemoryHub
    let local: InMemoryTransport
    let remote: any BusTransport
    /// The instance names of the node's services: their frames come back from the daemon.
    let members: Set<String>

    public init(hub: InMemoryHub, instance: String, remote: any BusTransport, members: Set<String>) {
        self.hub = hub
        self.local = hub.connect(instance: instance)
        self.remote = remote
        self.members = members
    }

    public var clock: any BusClock { remote.clock }
    /// The node's own services take the message as published.
    public var carriesMessages: Bool { true }

    public func publish(_ frame: RawFrame) -> Bool {
        _ = local.publish(frame)
        return remote.publish(frame)
    }

    public func subscribe(prefix: String, bufferLimit: Int) -> AsyncStream<[RawFrame]> {
        let members = self.members
        return Self.merge(local.subscribe(prefix: prefix, bufferLimit: bufferLimit),
                          remote.subscribe(prefix: prefix, bufferLimit: bufferLimit),
                          bufferLimit: bufferLimit, keepLocal: { $0 }) { batch in
            let kept = batch.filter { frame in
                // An unreadable envelope passes: the subscriber counts it as malformed.
                guard let header = try? EnvelopeHeader.parse(frame.envelope) else { return true }
                return !members.contains(header.instance)
            }
            return kept.isEmpty ? nil : kept
        }
    }

    public func exchange(service: String, requestID: String, envelope: [UInt8], timeout: Duration) async throws -> [UInt8] {
        if hub.liveWorkers(of: service) > 0 {
            return try await local.exchange(service: service, requestID: requestID, envelope: envelope, timeout: timeout)
        }
        return try await remote.exchange(service: service, requestID: requestID, envelope: envelope, timeout: timeout)
    }

    public func serve(service: String, options: ServeOptions) -> AsyncStream<InboundRequest> {
        Self.merge(local.serve(service: service, options: options), remote.serve(service: service, options: options),
                   bufferLimit: .max, keepLocal: { $0 }) { $0 }
    }

    public func shutdown() { remote.shutdown() }

    /// One stream of both: each element of the local side that `keepLocal` keeps and of the
    /// remote side that `keepRemote` keeps, until the consumer drops it or both end. Dropping
    /// it stops both.
    static func merge<T: Sendable, U: Sendable>(_ local: AsyncStream<T>, _ remote: AsyncStream<T>, bufferLimit: Int,
                                                keepLocal: @escaping @Sendable (T) -> U?,
                                                keepRemote: @escaping @Sendable (T) -> U?) -> AsyncStream<U> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: U.self, bufferingPolicy: bufferLimit == .max ? .unbounded : .bufferingOldest(bufferLimit))
        let running = Running()
        func forward(_ source: AsyncStream<T>, _ keep: @escaping @Sendable (T) -> U?) -> Task<Void, Never> {
            TaskPlacement.spawn {
                for await element in source { if let kept = keep(element) { continuation.yield(kept) } }
                if running.count.subtract(1, ordering: .relaxed).newValue == 0 { continuation.finish() }
            }
        }
        let tasks = [forward(local, keepLocal), forward(remote, keepRemote)]
        continuation.onTermination = { _ in for t in tasks { t.cancel() } }
        return stream
    }

    /// How many of a merge's two sources still run.
    final class Running: Sendable {
        let count = Atomic<Int>(2)
    }
}
