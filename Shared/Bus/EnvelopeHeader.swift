/// What a subscription needs from an encoded `Envelope`, read in place: no message is built,
/// and only the publisher's instance name becomes a `String` (short names stay inline).
///
/// Agrees with swift-protobuf on every envelope swift-protobuf accepts (`EnvelopeHeaderTests`);
/// unknown fields are skipped, so newer publishers stay readable. Field numbers are those of
/// `envelope.proto`.
public struct EnvelopeHeader: Sendable {
    public enum ParseError: Error { case truncated, badVarint, badWireType }

    public var typeRange: Range<Int> = 0..<0
    public var instance = ""
    public var epoch: UInt64 = 0
    public var sequence: UInt64 = 0
    public var eventTime: Int64 = 0
    public var payloadRange: Range<Int> = 0..<0

    /// Whether the envelope's type is `name`, compared without building a string.
    public func hasType(_ name: String, in bytes: [UInt8]) -> Bool {
        bytes[typeRange].elementsEqual(name.utf8)
    }

    public static func parse(_ bytes: [UInt8]) throws -> EnvelopeHeader {
        var header = EnvelopeHeader()
        var reader = Reader(bytes: bytes, position: 0, end: bytes.count)
        while !reader.atEnd {
            let (field, wire) = try reader.tag()
            switch (field, wire) {
            case (1, 2): header.typeRange = try reader.lengthDelimited()
            case (2, 2):
                let range = try reader.lengthDelimited()
                var source = Reader(bytes: bytes, position: range.lowerBound, end: range.upperBound)
                while !source.atEnd {
                    let (f, w) = try source.tag()
                    switch (f, w) {
                    case (2, 2): header.instance = String(decoding: bytes[try source.lengthDelimited()], as: UTF8.self)
                    case (3, 0): header.epoch = try source.varint()
                    default: try source.skip(w, field: f)
                    }
                }
            case (3, 0): header.sequence = try reader.varint()
            case (4, 0): header.eventTime = Int64(bitPattern: try reader.varint())
            case (8, 2): header.payloadRange = try reader.lengthDelimited()
            default: try reader.skip(wire, field: field)
            }
        }
        return header
    }

    private struct Reader {
        let bytes: [UInt8]
        var position: Int
        let end: Int

        var atEnd: Bool { position >= end }

        mutating func varint() throws -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard position < end else { throw ParseError.truncated }
                let byte = bytes[position]
                position += 1
                // A tenth byte carries one bit; the overflow is dropped, as protobuf decoders do.
                value |= UInt64(byte & 0x7f) << shift
                if byte < 0x80 { return value }
                shift += 7
                guard shift < 64 else { throw ParseError.badVarint }
            }
        }

        mutating func tag() throws -> (field: UInt64, wire: UInt64) {
            let key = try varint()
            guard key >> 3 > 0, key >> 3 <= 536_870_911 else { throw ParseError.badWireType }
            return (key >> 3, key & 7)
        }

        mutating func lengthDelimited() throws -> Range<Int> {
            let length = try varint()
            guard length <= UInt64(end - position) else { throw ParseError.truncated }
            let range = position..<position + Int(length)
            position = range.upperBound
            return range
        }

        mutating func skip(_ wire: UInt64, field: UInt64 = 0) throws {
            switch wire {
            case 0: _ = try varint()
            case 1: try advance(8)
            case 2: _ = try lengthDelimited()
            case 3: try skipGroup(field)
            case 5: try advance(4)
            default: throw ParseError.badWireType  // an end-group with no start
            }
        }

        /// Groups are not proto3, but an unknown field may be one; skip to its end-group tag.
        mutating func skipGroup(_ field: UInt64) throws {
            while true {
                guard !atEnd else { throw ParseError.truncated }
                let (f, w) = try tag()
                if w == 4 {
                    guard f == field else { throw ParseError.badWireType }
                    return
                }
                try skip(w, field: f)
            }
        }

        mutating func advance(_ n: Int) throws {
            guard end - position >= n else { throw ParseError.truncated }
            position += n
        }
    }
}
