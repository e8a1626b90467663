import Logging
import Messages
import SwiftProtobuf

/// One message as a subscriber receives it.
public struct Received<Message: Sendable>: Sendable {
    public let topic: String
    public let message: Message
    /// Source, sequence and payload position, read without decoding the whole envelope.
    public let header: EnvelopeHeader
    /// How many messages of this (publisher, topic) stream were missing just before this one.
    public let missedBefore: UInt64
    /// The encoded envelope as it arrived.
    public let bytes: [UInt8]
    /// True for the entries of a Clone-pattern snapshot delivered before the live messages: they
    /// are the publisher's current state, however long ago it last changed, not late deliveries.
    public let fromSnapshot: Bool

    /// The whole envelope (times, correlation and idempotency ids), decoded on each access:
    /// the hot path needs only ``header``.
    public var envelope: Volta_V1_Envelope { (try? Volta_V1_Envelope(serializedBytes: bytes)) ?? Volta_V1_Envelope() }
}

/// An AsyncSequence of decoded messages under a topic prefix.
///
/// Decoding happens in the consumer's task, not on the transport's I/O thread. Frames that do
/// not decode are counted in ``BusStatistics/malformed`` and skipped; frames of other types
/// under the same prefix are skipped silently; gaps in sequence numbers are counted and reported
/// on the next message through ``Received/missedBefore``.
public struct Subscription<Message: Sendable>: AsyncSequence, Sendable {
    public typealias Element = Received<Message>
    /// Turns a frame (its envelope's header, its bytes, and the message itself when it never
    /// left the process) into a message; nil skips it (another type under the prefix).
    public typealias Decoder = @Sendable (EnvelopeHeader, RawFrame) throws -> Message?

    let frames: AsyncStream<[RawFrame]>
    /// Frames delivered before the live ones: a Clone-pattern snapshot.
    var prelude: [RawFrame] = []
    let decode: Decoder
    let statistics: BusStatistics
    let logger: Logger

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<[RawFrame]>.AsyncIterator
        /// The batch being worked through (the prelude first).
        var batch: [RawFrame]
        var index = 0
        /// Whether `batch` is still the snapshot prelude.
        var inPrelude: Bool
        let decode: Decoder
        let statistics: BusStatistics
        let logger: Logger
        var tracker = SequenceTracker()

        mutating func nextFrame() async -> RawFrame? {
            while index == batch.count {
                guard let next = await base.next() else { return nil }
                batch = next
                index = 0
                inPrelude = false
            }
            defer { index += 1 }
            return batch[index]
        }

        public mutating func next() async -> Received<Message>? {
            while let frame = await nextFrame() {
                let header: EnvelopeHeader
                do { header = try EnvelopeHeader.parse(frame.envelope) } catch {
                    statistics.malformed.bump()
                    logger.warning("malformed frame skipped", metadata: ["topic": "\(frame.topic)", "bytes": "\(frame.envelope.count)"])
                    continue
                }
                let verdict = tracker.observe(instance: header.instance, epoch: header.epoch,
                                              topic: frame.topic, sequence: header.sequence)
                guard case let .accept(missed) = verdict else {
                    statistics.duplicates.bump()
                    continue
                }
                if missed > 0 {
                    statistics.gaps.bump()
                    statistics.missed.bump(Int(missed))
                }
                statistics.received.bump()
                do {
                    guard let message = try decode(header, frame) else { continue }
                    return Received(topic: frame.topic, message: message, header: header, missedBefore: missed, bytes: frame.envelope,
                                    fromSnapshot: inPrelude)
                } catch {
                    statistics.malformed.bump()
                    logger.warning("undecodable payload skipped", metadata: ["topic": "\(frame.topic)"])
                }
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: frames.makeAsyncIterator(), batch: prelude, inPrelude: !prelude.isEmpty, decode: decode,
                      statistics: statistics, logger: logger)
    }
}

extension Bus {
    /// Messages of type `M` published under `prefix`.
    /// - Parameter bufferLimit: batches held for a consumer that falls behind; each is what
    ///   arrived in one burst, up to a few thousand frames.
    public func subscribe<M: BusMessage>(_ type: M.Type, prefix: String, bufferLimit: Int = 4_096) -> Subscription<M> {
        let name = M.protoMessageName
        return Subscription(frames: transport.subscribe(prefix: prefix, bufferLimit: bufferLimit), decode: { header, frame in
            if let message = frame.message as? M { return message }  // in-process: as published
            guard header.hasType(name, in: frame.envelope) else { return nil }
            return try M(serializedBytes: frame.envelope[header.payloadRange])
        }, statistics: statistics, logger: logger)
    }

    /// Every envelope under `prefix`, whatever its type: for tools and the recorder.
    public func subscribeEnvelopes(prefix: String, bufferLimit: Int = 4_096) -> Subscription<Volta_V1_Envelope> {
        Subscription(frames: transport.subscribe(prefix: prefix, bufferLimit: bufferLimit), decode: { _, frame in
            try Volta_V1_Envelope(serializedBytes: frame.envelope)
        }, statistics: statistics, logger: logger)
    }
}
