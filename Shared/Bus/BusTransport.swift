/// One pub/sub frame as it travels: the topic (what subscribers filter on) and the encoded
/// envelope.
public struct RawFrame: Sendable, Equatable {
    public let topic: String
    public let envelope: [UInt8]
    /// The message the envelope's payload was encoded from, when it never left the process (the
    /// in-memory hub: the trading kernel, a test): a subscriber of its type takes it as is
    /// instead of decoding the payload again. A socket carries the bytes only.
    public let message: (any Sendable)?

    public init(topic: String, envelope: [UInt8], message: (any Sendable)? = nil) {
        self.topic = topic
        self.envelope = envelope
        self.message = message
    }

    /// Frames are the bytes they carry.
    public static func == (a: RawFrame, b: RawFrame) -> Bool { a.topic == b.topic && a.envelope == b.envelope }
}

/// A request delivered to a worker. `reply` may be called once; it never blocks.
public struct InboundRequest: Sendable {
    public let requestID: String
    public let envelope: [UInt8]
    public let reply: @Sendable ([UInt8]) -> Void

    public init(requestID: String, envelope: [UInt8], reply: @escaping @Sendable ([UInt8]) -> Void) {
        self.requestID = requestID
        self.envelope = envelope
        self.reply = reply
    }
}

/// How a served service is offered to the broker.
public struct ServeOptions: Sendable {
    /// False for services whose requests change state (placing an order, incrementing a
    /// counter): the broker then routes every retry of one request id to the same worker, whose
    /// reply cache answers it instead of running it twice.
    public var idempotent: Bool
    /// Requests this process works on at once; each is a worker of its own at the broker.
    public var concurrency: Int

    public init(idempotent: Bool = true, concurrency: Int = 1) {
        self.idempotent = idempotent
        self.concurrency = max(1, concurrency)
    }
}

/// What carries bytes between processes: ZeroMQ in deployment, ``InMemoryHub`` in tests and
/// backtests. Services never see it directly; they use ``Bus``.
///
/// Implementations deliver frames to a subscription in the order they were published by each
/// publisher, and may drop frames (counted) but never reorder or corrupt them.
public protocol BusTransport: Sendable {
    var clock: any BusClock { get }

    /// Queues a frame for publication. Returns false if it was dropped at the high-water mark.
    func publish(_ frame: RawFrame) -> Bool

    /// Frames whose topic starts with `prefix`, in batches (what arrived in one burst), until
    /// the stream is dropped or finished. Batching wakes the consumer once per burst instead of
    /// once per frame. At most `bufferLimit` undelivered batches are held; the oldest are kept,
    /// and an overflow shows up to the subscriber as a sequence gap.
    func subscribe(prefix: String, bufferLimit: Int) -> AsyncStream<[RawFrame]>

    /// Sends one attempt of a request and waits for its reply for at most `timeout`.
    /// - Throws: ``BusError/timeout`` when no reply came in time.
    func exchange(service: String, requestID: String, envelope: [UInt8], timeout: Duration) async throws -> [UInt8]

    /// Offers `service` to the broker; requests arrive on the stream until it is dropped.
    func serve(service: String, options: ServeOptions) -> AsyncStream<InboundRequest>

    /// Closes sockets and finishes every stream. Idempotent.
    func shutdown()

    /// Whether a frame on `topic` would reach anyone. False lets ``Bus/publish(_:eventTime:correlationID:)``
    /// skip encoding a message nobody hears, as an XPUB drops it unsent; a transport that cannot
    /// tell (a socket to the forwarder) says true.
    func isHeard(_ topic: String) -> Bool

    /// Whether frames reach subscribers in this process as they were published, so that a frame
    /// may carry its message (``RawFrame/message``). A socket carries bytes only: boxing the
    /// message for it would cost an allocation per publish for nothing.
    var carriesMessages: Bool { get }
}

extension BusTransport {
    public func isHeard(_ topic: String) -> Bool { true }
    public var carriesMessages: Bool { false }
}
