import Messages

/// Follows the sequence numbers of every (publisher instance, epoch, topic) a subscriber sees.
///
/// Sequences are per topic, so a subscriber that filters by prefix sees no false gaps. A new
/// epoch means the publisher restarted: its numbering starts again and nothing is missing.
public struct SequenceTracker: Sendable {
    public enum Verdict: Equatable, Sendable {
        /// Next in order, after `missed` messages that never arrived (0 when none).
        case accept(missed: UInt64)
        /// Already seen, or from an epoch the publisher has left: skip it.
        case duplicate
    }

    private struct Stream: Sendable {
        var epoch: UInt64
        var last: UInt64
    }

    private struct Key: Hashable, Sendable {
        let instance: String
        let topic: String
    }

    private var streams: [Key: Stream] = [:]

    public init() {}

    /// Judges the next message; messages without a sequence (0) are always accepted.
    public mutating func observe(instance: String, epoch: UInt64, topic: String, sequence: UInt64) -> Verdict {
        guard sequence > 0 else { return .accept(missed: 0) }
        // One hash of the key per message, judged in place: a stream seen for the first time
        // starts just before this message, so it is accepted with nothing missed.
        return Self.judge(&streams[Key(instance: instance, topic: topic), default: Stream(epoch: epoch, last: sequence - 1)],
                          epoch: epoch, sequence: sequence)
    }

    private static func judge(_ stream: inout Stream, epoch: UInt64, sequence: UInt64) -> Verdict {
        if epoch < stream.epoch { return .duplicate }
        if epoch > stream.epoch {
            stream = Stream(epoch: epoch, last: sequence)
            return .accept(missed: sequence - 1)
        }
        guard sequence > stream.last else { return .duplicate }
        let missed = sequence - stream.last - 1
        stream.last = sequence
        return .accept(missed: missed)
    }
}
