import Logging
import Messages
import SwiftProtobuf

/// One message as a subscriber receives it.
public struct Received<Message: Sendable>: Sendable {
    public let topic: String
    public let message: Message
    /// The envelope it came in (source, sequence, times, correlation).
    public let envelope: Volta_V1_Envelope
    /// How many messages of this (publisher, topic) stream were missing just before this one.
    public let missedBefore: UInt64
}

/// An AsyncSequence of decoded messages under a topic prefix.
///
/// Decoding happens in the consumer's task, not on the transport's I/O thread. Frames that do
/// not decode are counted in ``BusStatistics/malformed`` and skipped; frames of other types
/// under the same prefix are skipped silently; gaps in sequence numbers are counted and reported
/// on the next message through ``Received/missedBefore``.
public struct Subscription<Message: Sendable>: AsyncSequence, Sendable {
    public typealias Element = Received<Message>
    /// Turns an envelope into a message; nil skips it (another type under the prefix).
    public typealias Decoder = @Sendable (Volta_V1_Envelope) throws -> Message?

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
        let decode: Decoder
        let statistics: BusStatistics
        let logger: Logger
        var tracker = SequenceTracker()

        mutating func nextFrame() async -> RawFrame? {
            while index == batch.count {
                guard let next = await base.next() else { return nil }
                batch = next
                index = 0
            }
            defer { index += 1 }
            return batch[index]
        }

        public mutating func next() async -> Received<Message>? {
            while let frame = await nextFrame() {
                let envelope: Volta_V1_Envelope
                do { envelope = try Volta_V1_Envelope(serializedBytes: frame.envelope) } catch {
                    statistics.malformed.bump()
                    logger.warning("malformed frame skipped", metadata: ["topic": "\(frame.topic)", "bytes": "\(frame.envelope.count)"])
                    continue
                }
                let verdict = tracker.observe(instance: envelope.source.instance, epoch: envelope.source.epoch,
                                              topic: frame.topic, sequence: envelope.sequence)
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
                    guard let message = try decode(envelope) else { continue }
                    return Received(topic: frame.topic, message: message, envelope: envelope, missedBefore: missed)
                } catch {
                    statistics.malformed.bump()
                    logger.warning("undecodable payload skipped", metadata: ["topic": "\(frame.topic)", "type": "\(envelope.type)"])
                }
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: frames.makeAsyncIterator(), batch: prelude, decode: decode,
                      statistics: statistics, logger: logger)
    }
}

extension Bus {
    /// Messages of type `M` published under `prefix`.
    /// - Parameter bufferLimit: batches held for a consumer that falls behind; each is what
    ///   arrived in one burst, up to a few thousand frames.
    public func subscribe<M: BusMessage>(_ type: M.Type, prefix: String, bufferLimit: Int = 4_096) -> Subscription<M> {
        let name = M.protoMessageName
        return Subscription(frames: transport.subscribe(prefix: prefix, bufferLimit: bufferLimit), decode: { envelope in
            guard envelope.type == name else { return nil }
            return try M(serializedBytes: envelope.payload)
        }, statistics: statistics, logger: logger)
    }

    /// Every envelope under `prefix`, whatever its type: for tools and the recorder.
    public func subscribeEnvelopes(prefix: String, bufferLimit: Int = 4_096) -> Subscription<Volta_V1_Envelope> {
        Subscription(frames: transport.subscribe(prefix: prefix, bufferLimit: bufferLimit), decode: { $0 },
                     statistics: statistics, logger: logger)
    }
}
