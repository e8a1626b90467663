import CZeroMQ
#if canImport(Glibc)
import Glibc
#endif

/// A libzmq error with its errno and text.
public struct ZMQError: Error, CustomStringConvertible {
    public let code: Int32
    public let operation: String

    init(_ operation: String, code: Int32 = zmq_errno()) {
        self.operation = operation
        self.code = code
    }

    public var description: String { "\(operation): \(String(cString: zmq_strerror(code))) (errno \(code))" }
}

/// A libzmq context. Thread-safe, as libzmq's contexts are; one per process is enough.
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    public init(ioThreads: Int32 = 1) {
        handle = zmq_ctx_new()
        zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads)
        // Sockets set their own LINGER; never let termination hang on unsent messages.
        zmq_ctx_set(handle, ZMQ_BLOCKY, 0)
    }

    deinit { zmq_ctx_term(handle) }

    /// libzmq's version, e.g. "4.3.4".
    public static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}

/// One libzmq socket.
///
/// - warning: libzmq sockets are not thread-safe. Each socket is created, used and closed by one
///   thread: the transport's I/O thread or the broker's thread. It is deliberately not Sendable.
public final class ZMQSocket {
    public let handle: UnsafeMutableRawPointer
    private var closed = false

    public init(_ context: ZMQContext, type: Int32) throws {
        guard let socket = zmq_socket(context.handle, type) else { throw ZMQError("zmq_socket") }
        handle = socket
    }

    deinit { close() }

    public func close() {
        guard !closed else { return }
        closed = true
        zmq_close(handle)
    }

    public func set(_ option: Int32, _ value: Int32) throws {
        var v = value
        guard zmq_setsockopt(handle, option, &v, MemoryLayout<Int32>.size) == 0 else { throw ZMQError("zmq_setsockopt(\(option))") }
    }

    public func set(_ option: Int32, bytes: [UInt8]) throws {
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, bytes.count) }
        guard rc == 0 else { throw ZMQError("zmq_setsockopt(\(option))") }
    }

    public func bind(_ endpoint: String) throws {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError("zmq_bind(\(endpoint))") }
    }

    public func connect(_ endpoint: String) throws {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError("zmq_connect(\(endpoint))") }
    }

    /// The endpoint actually bound, e.g. `tcp://127.0.0.1:41234` after binding port `*`.
    public var lastEndpoint: String {
        var buffer = [CChar](repeating: 0, count: 256)
        var size = buffer.count
        zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public enum SendResult: Equatable {
        case sent
        /// At the high-water mark (or, on a ROUTER, no such peer) with DONTWAIT.
        case wouldBlock
        case failed(Int32)
    }

    /// Sends a multipart message without blocking.
    @discardableResult
    public func send(_ frames: [[UInt8]]) -> SendResult {
        for (i, frame) in frames.enumerated() {
            let result = frame.withUnsafeBytes { sendPart($0, more: i < frames.count - 1) }
            if result != .sent { return result }
        }
        return .sent
    }

    /// Sends a publication, its topic then its envelope, without blocking and without building
    /// an array of frames or a copy of the topic for it: the publish path runs once per message.
    @discardableResult
    public func send(topic: String, envelope: [UInt8]) -> SendResult {
        var topic = topic
        let first = topic.withUTF8 { sendPart(UnsafeRawBufferPointer($0), more: true) }
        guard first == .sent else { return first }
        return envelope.withUnsafeBytes { sendPart($0, more: false) }
    }

    private func sendPart(_ bytes: UnsafeRawBufferPointer, more: Bool) -> SendResult {
        guard zmq_send(handle, bytes.baseAddress, bytes.count, ZMQ_DONTWAIT | (more ? ZMQ_SNDMORE : 0)) < 0 else { return .sent }
        let code = zmq_errno()
        // A first frame refused leaves nothing half-sent; later frames cannot fail on HWM.
        return code == EAGAIN || code == EHOSTUNREACH ? .wouldBlock : .failed(code)
    }

    /// One message as a SUB socket receives it.
    public enum Publication {
        case frame(topic: String, envelope: [UInt8])
        /// A message of another shape, consumed whole: how many parts it had.
        case malformed(parts: Int)
    }

    /// Receives one publication without blocking; nil when none is waiting. The topic becomes a
    /// string and the envelope an array straight from libzmq's buffers, with no array per part
    /// in between (the subscribe path runs once per message).
    public func receivePublication() -> Publication? {
        var msg = zmq_msg_t()
        zmq_msg_init(&msg)
        defer { zmq_msg_close(&msg) }
        guard zmq_msg_recv(&msg, handle, ZMQ_DONTWAIT) >= 0 else { return nil }
        let topic = String(decoding: UnsafeRawBufferPointer(start: zmq_msg_data(&msg), count: zmq_msg_size(&msg)), as: UTF8.self)
        guard zmq_msg_more(&msg) != 0 else { return .malformed(parts: 1) }
        guard zmq_msg_recv(&msg, handle, 0) >= 0 else { return .malformed(parts: 1) }
        let envelope = [UInt8](UnsafeRawBufferPointer(start: zmq_msg_data(&msg), count: zmq_msg_size(&msg)))
        var parts = 2
        while zmq_msg_more(&msg) != 0 && zmq_msg_recv(&msg, handle, 0) >= 0 { parts += 1 }
        return parts == 2 ? .frame(topic: topic, envelope: envelope) : .malformed(parts: parts)
    }

    /// Receives one whole multipart message without blocking; nil when none is waiting.
    public func receive() -> [[UInt8]]? {
        var frames: [[UInt8]] = []
        var msg = zmq_msg_t()
        zmq_msg_init(&msg)
        defer { zmq_msg_close(&msg) }
        while true {
            let rc = zmq_msg_recv(&msg, handle, frames.isEmpty ? ZMQ_DONTWAIT : 0)
            if rc < 0 { return frames.isEmpty ? nil : frames }
            let size = zmq_msg_size(&msg)
            if size == 0 {
                frames.append([])
            } else {
                frames.append(Array(UnsafeRawBufferPointer(start: zmq_msg_data(&msg), count: size)))
            }
            if zmq_msg_more(&msg) == 0 { return frames }
        }
    }
}

/// Moves sockets to the thread that will own them from then on.
///
/// libzmq allows a socket to change threads across a full memory barrier, which starting a
/// thread provides; after the handoff the creating thread must not touch them again.
public struct SocketHandoff<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
