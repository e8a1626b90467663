/// TWS framing: after the handshake's `API\0`, every message in either direction is a 4-byte
/// big-endian length and a payload of NUL-terminated text fields.
public enum TWSFrame {
    /// IB's `MAX_MSG_LEN`: a longer frame means the stream is out of step, so the connection closes.
    public static let maxLength = 0xFF_FFFF

    public static func frame(_ payload: [UInt8]) -> [UInt8] {
        let n = UInt32(payload.count)
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + payload
    }

    /// A payload's fields; the NUL after the last field ends it rather than starting an empty one.
    public static func fields(_ payload: some BidirectionalCollection<UInt8>) -> [String] {
        var parts = payload.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if payload.last == 0 { parts.removeLast() }
        return parts
    }
}

/// Bytes as they arrive, cut into frames.
public struct FrameBuffer: Sendable {
    var bytes: [UInt8] = []
    var start = 0

    public init() {}

    public mutating func append(_ chunk: some Sequence<UInt8>) { bytes.append(contentsOf: chunk) }

    /// Takes `count` raw bytes (the handshake's `API\0`), or nil until they have arrived.
    public mutating func take(_ count: Int) -> [UInt8]? {
        guard bytes.count - start >= count else { return nil }
        defer { consume(count) }
        return Array(bytes[start..<start + count])
    }

    /// The next whole frame's payload, or nil until it has arrived.
    /// - Throws: `TWSProtocolError` for a length beyond `TWSFrame.maxLength`.
    public mutating func next() throws -> [UInt8]? {
        guard bytes.count - start >= 4 else { return nil }
        let n = bytes[start..<start + 4].reduce(0) { $0 << 8 | Int($1) }
        guard n <= TWSFrame.maxLength else { throw TWSProtocolError("a frame of \(n) bytes is longer than TWS allows") }
        guard bytes.count - start >= 4 + n else { return nil }
        defer { consume(4 + n) }
        return Array(bytes[start + 4..<start + 4 + n])
    }

    mutating func consume(_ count: Int) {
        start += count
        if start > 65_536 || start == bytes.count {
            bytes.removeFirst(start)
            start = 0
        }
    }
}
