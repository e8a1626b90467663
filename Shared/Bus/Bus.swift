import Foundation
import Logging
import Messages
import SwiftProtobuf
import Synchronization

/// A process's handle on the bus: typed publish and subscribe, requests and serving.
///
/// The same `Bus` runs over ZeroMQ or over the in-memory hub; services take one in their
/// initializer and never learn which. It stamps every envelope with this process's identity,
/// a per-topic sequence number and the clock's time.
public final class Bus: Sendable {
    public let identity: ServiceIdentity
    public let transport: any BusTransport
    public let statistics: BusStatistics
    public let logger: Logger
    /// Built once: every envelope carries it.
    private let source: Volta_V1_Source
    private let encoder: EnvelopeEncoder
    private let sequences = Mutex<[String: UInt64]>([:])
    private let requestCounter = Atomic<UInt64>(0)

    public var clock: any BusClock { transport.clock }

    public init(identity: ServiceIdentity, transport: any BusTransport, logger: Logger? = nil,
                statistics: BusStatistics = BusStatistics()) {
        self.identity = identity
        self.source = identity.source
        self.encoder = EnvelopeEncoder(source: identity.source)
        self.transport = transport
        self.statistics = statistics
        self.logger = logger ?? Logger(label: "volta.bus.\(identity.instance)")
    }

    // MARK: Publishing

    /// Publishes a message on its own topic.
    /// - Returns: false if the transport dropped it at the high-water mark (counted).
    @discardableResult
    public func publish<M: BusMessage>(_ message: M, eventTime: Int64? = nil, correlationID: String = "") -> Bool {
        let topic = message.topic
        let sequence = nextSequence(for: topic)
        // Unheard (in-process, nobody follows the topic): the frame would be dropped at once, so
        // it is not encoded; its sequence number is spent all the same, as over a socket.
        guard transport.isHeard(topic) else {
            statistics.published.bump()
            return true
        }
        guard let frame = try? self.frame(message, topic: topic, sequence: sequence, eventTime: eventTime, correlationID: correlationID) else {
            return false
        }
        return send(frame)
    }

    /// The frame that carries `message`: its envelope encoded straight to bytes, and the message
    /// itself for in-process subscribers, which then need not decode it.
    /// - Throws: the payload's encoding error, counted and logged.
    func frame<M: BusMessage>(_ message: M, topic: String, sequence: UInt64, eventTime: Int64?, correlationID: String = "") throws -> RawFrame {
        let payload: [UInt8] = try encoded(message, type: M.protoMessageName)
        let now = clock.now()
        let bytes = encoder.encode(type: M.protoMessageName, sequence: sequence, eventTimeNs: eventTime ?? now,
                                   sendTimeNs: now, correlationID: correlationID, idempotencyKey: "", payload: payload, topic: topic)
        return RawFrame(topic: topic, envelope: bytes, message: transport.carriesMessages ? message : nil)
    }

    /// Publishes an envelope as it is (a replay, or a stateful stream's update).
    @discardableResult
    public func publish(envelope: Volta_V1_Envelope) -> Bool {
        guard let bytes: [UInt8] = try? encoded(envelope, type: envelope.type) else { return false }
        return send(RawFrame(topic: envelope.topic, envelope: bytes))
    }

    func send(_ frame: RawFrame) -> Bool {
        let accepted = transport.publish(frame)
        if accepted { statistics.published.bump() } else { statistics.publishDropped.bump() }
        return accepted
    }

    /// An envelope for `message` from this process, with its payload and timestamps set.
    /// - Throws: the encoder's error, counted (`encodeFailures`): an envelope with an empty payload
    ///   would reach its readers as a different, default message.
    public func makeEnvelope(_ message: some BusMessage, eventTime: Int64? = nil) throws -> Volta_V1_Envelope {
        let now = clock.now()
        var envelope = Volta_V1_Envelope()
        envelope.type = type(of: message).protoMessageName
        envelope.source = source
        envelope.eventTimeNs = eventTime ?? now
        envelope.sendTimeNs = now
        envelope.payload = try encoded(message, type: envelope.type)
        return envelope
    }

    /// `message` encoded; a failure is counted (`encodeFailures`) and logged here, then thrown,
    /// so a caller that drops the message (`try?`) has already left a trace.
    private func encoded<Bytes: SwiftProtobufContiguousBytes>(_ message: some SwiftProtobuf.Message, type: String) throws -> Bytes {
        do { return try message.serializedBytes() } catch {
            statistics.encodeFailures.bump()
            logger.error("cannot encode message", metadata: ["type": "\(type)", "error": "\(error)"])
            throw error
        }
    }

    /// An envelope for `message` on its own topic with this publisher's next sequence number:
    /// for a message that is published (``publish(envelope:)``) and kept to be served again in a
    /// snapshot, where a subscriber must recognise it as the same event.
    public func makeSequencedEnvelope<M: BusMessage>(_ message: M, eventTime: Int64? = nil) throws -> Volta_V1_Envelope {
        var envelope = try makeEnvelope(message, eventTime: eventTime)
        envelope.topic = message.topic
        envelope.sequence = nextSequence(for: message.topic)
        return envelope
    }

    func nextSequence(for topic: String) -> UInt64 {
        // The topic hashed once per publish: the count is taken and advanced in place.
        sequences.withLock { seqs in Self.advance(&seqs[topic, default: 0]) }
    }

    private static func advance(_ count: inout UInt64) -> UInt64 {
        count += 1
        return count
    }

    /// A request id unique across the bus: instance, epoch and a counter.
    public func newRequestID() -> String {
        let n = requestCounter.wrappingAdd(1, ordering: .relaxed).newValue
        return "\(identity.instance)-\(identity.epoch)-\(n)"
    }

    public func shutdown() { transport.shutdown() }
}
