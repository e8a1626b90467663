import Foundation

/// A file of bus frames as they were received, for `tap --record` and `tap replay`.
///
/// Layout: the magic line `VOLTAREC1\n`, then records of
/// `[received ns: Int64 BE][topic length: UInt32 BE][topic][envelope length: UInt32 BE][envelope]`.
/// A process killed mid-write leaves a partial last record; the reader stops before it and says
/// so, and everything before it is intact.
public enum BusRecording {
    public static let magic = Array("VOLTAREC1\n".utf8)
    /// Frames larger than this are not frames: a corrupt length.
    public static let maxFrame = 64 << 20

    public struct Record: Sendable, Equatable {
        public let receivedNs: Int64
        public let frame: RawFrame

        public init(receivedNs: Int64, frame: RawFrame) {
            self.receivedNs = receivedNs
            self.frame = frame
        }
    }

    public enum ReadError: Error, Equatable, CustomStringConvertible {
        case notARecording
        public var description: String { "not a Volta recording (missing the VOLTAREC1 header)" }
    }

    /// Appends records to a file.
    public final class Writer {
        private let handle: FileHandle
        private var buffer: [UInt8] = []

        public init(path: String) throws {
            FileManager.default.createFile(atPath: path, contents: Data(BusRecording.magic))
            guard let h = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileWriteNoPermission) }
            h.seekToEndOfFile()
            handle = h
        }

        public func append(_ record: Record) {
            buffer.append(contentsOf: BusRecording.encode(record))
            if buffer.count >= 1 << 16 { flush() }
        }

        public func flush() {
            guard !buffer.isEmpty else { return }
            handle.write(Data(buffer))
            buffer.removeAll(keepingCapacity: true)
        }

        public func close() {
            flush()
            try? handle.close()
        }
    }

    public static func encode(_ record: Record) -> [UInt8] {
        var out: [UInt8] = []
        let topic = Array(record.frame.topic.utf8)
        out.reserveCapacity(16 + topic.count + record.frame.envelope.count)
        withUnsafeBytes(of: record.receivedNs.bigEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(topic.count).bigEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: topic)
        withUnsafeBytes(of: UInt32(record.frame.envelope.count).bigEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: record.frame.envelope)
        return out
    }

    /// Every complete record of `bytes`, and whether a partial or corrupt tail was left over.
    public static func decode(_ bytes: [UInt8]) throws -> (records: [Record], truncated: Bool) {
        guard bytes.starts(with: magic) else { throw ReadError.notARecording }
        var records: [Record] = []
        var i = magic.count
        func uint(_ width: Int) -> UInt64? {
            guard i + width <= bytes.count else { return nil }
            var v: UInt64 = 0
            for b in bytes[i..<i + width] { v = v << 8 | UInt64(b) }
            i += width
            return v
        }
        while i < bytes.count {
            let start = i
            guard let time = uint(8), let topicLength = uint(4), topicLength <= maxFrame, i + Int(topicLength) <= bytes.count else {
                i = start
                break
            }
            let topic = String(decoding: bytes[i..<i + Int(topicLength)], as: UTF8.self)
            i += Int(topicLength)
            guard let envelopeLength = uint(4), envelopeLength <= maxFrame, i + Int(envelopeLength) <= bytes.count else {
                i = start
                break
            }
            let envelope = Array(bytes[i..<i + Int(envelopeLength)])
            i += Int(envelopeLength)
            records.append(Record(receivedNs: Int64(bitPattern: time), frame: RawFrame(topic: topic, envelope: envelope)))
        }
        return (records, i < bytes.count)
    }

    public static func read(path: String) throws -> (records: [Record], truncated: Bool) {
        try decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }
}
