import Foundation
import Synchronization

/// A TWS connection after its handshake: the negotiated version, messages out, and frames in
/// (each a list of fields) until the peer goes away. A thread per connection blocks on the
/// socket; a frame longer than TWS allows closes the connection, with the reason in `endReason`.
public final class TWSConnection: Sendable {
    public let socket: TWSSocket
    public let version: Int
    public let frames: AsyncStream<[String]>
    let reason: EndReason

    init(socket: TWSSocket, version: Int, frames: AsyncStream<[String]>, reason: EndReason) {
        self.socket = socket
        self.version = version
        self.frames = frames
        self.reason = reason
    }

    /// Why the connection ended, once it has (nil for a peer that simply closed).
    public var endReason: String? { reason.text.withLock { $0 } }

    public func send(_ message: some TWSMessage) throws {
        try socket.send(TWSFrame.frame(message.payload(version: version)))
    }

    public func close() { socket.shutdown() }

    /// Connects to TWS or IB Gateway: the hello, the server's version and time, then startApi.
    /// - Throws: `TWSSocketError` when nothing listens; `TWSProtocolError` when the server's
    ///   answer is not a handshake or does not come within `timeout` seconds.
    public static func connect(host: String, port: Int, clientId: Int, timeout: Double = 5) async throws -> TWSConnection {
        let socket = try await onThread { try TWSSocket.connect(host: host, port: port, timeout: timeout) }
        try socket.send(TWSHandshake.clientHello())
        let connection = try await open(socket, timeout: timeout) { buffer, socket in
            while true {
                guard let frame = try buffer.next() else { return nil }
                let fields = TWSFrame.fields(frame)
                if fields.count == 2, let version = Int(fields[0]) { return version }
            }
        }
        try connection.send(TWSStartAPI(clientId: clientId))
        return connection
    }

    /// Serves a client that has just connected: reads its hello and answers with the highest
    /// version both speak, or closes the socket with the reason.
    public static func accept(_ socket: TWSSocket, supported: ClosedRange<Int> = TWSHandshake.minVersion...TWSHandshake.maxVersion,
                              timeout: Double = 10) async throws -> TWSConnection {
        try await open(socket, timeout: timeout) { buffer, socket in
            guard let prefix = buffer.take(4) else { return nil }
            guard prefix == TWSHandshake.prefix else { throw TWSProtocolError("the client did not start with API\\0") }
            var hello: [UInt8]?
            while hello == nil {
                guard let frame = try buffer.next() else {
                    buffer.putBack(prefix)
                    return nil
                }
                hello = frame
            }
            let version = try TWSHandshake.negotiate(try TWSHandshake.parseRange(hello!), supported: supported)
            try socket.send(TWSHandshake.serverHello(version: version))
            return version
        }
    }

    /// Starts the reading thread and waits for `handshake` to find the version in the first bytes.
    static func open(_ socket: TWSSocket, timeout: Double,
                     handshake: @escaping @Sendable (inout FrameBuffer, TWSSocket) throws -> Int?) async throws -> TWSConnection {
        let (frames, continuation) = AsyncStream.makeStream(of: [String].self)
        let reason = EndReason()
        let waiter = ResumeOnce<Int>()
        let timer = Task {
            try await Task.sleep(for: .seconds(timeout))
            waiter.resume(throwing: TWSProtocolError("no handshake within \(timeout) s"))
            socket.shutdown()
        }
        let thread = Thread {
            var buffer = FrameBuffer()
            var version: Int?
            defer {
                continuation.finish()
                waiter.resume(throwing: TWSProtocolError(reason.text.withLock { $0 } ?? "the peer closed the connection during the handshake"))
            }
            while true {
                let chunk = socket.receive()
                if chunk.isEmpty { return }
                buffer.append(chunk)
                do {
                    if version == nil {
                        version = try handshake(&buffer, socket)
                        guard let version else { continue }
                        waiter.resume(returning: version)
                    }
                    while let frame = try buffer.next() { continuation.yield(TWSFrame.fields(frame)) }
                } catch {
                    reason.text.withLock { $0 = "\(error)" }
                    socket.shutdown()
                    return
                }
            }
        }
        thread.name = "tws-reader"
        thread.start()
        continuation.onTermination = { _ in socket.shutdown() }
        do {
            let version = try await waiter.value()
            timer.cancel()
            return TWSConnection(socket: socket, version: version, frames: frames, reason: reason)
        } catch {
            timer.cancel()
            socket.shutdown()
            throw error
        }
    }

    /// Runs blocking work on its own thread, off the cooperative pool.
    static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}

extension FrameBuffer {
    /// Gives back bytes taken too early (the handshake's prefix before its hello has arrived).
    mutating func putBack(_ prefix: [UInt8]) {
        bytes.insert(contentsOf: prefix, at: start)
    }
}

/// Why a connection ended, written by its reading thread.
final class EndReason: Sendable {
    let text = Mutex<String?>(nil)
}

/// A continuation resumed at most once, by whichever comes first.
final class ResumeOnce<T: Sendable>: Sendable {
    let state = Mutex<(result: Result<T, any Error>?, waiter: CheckedContinuation<T, any Error>?)>((nil, nil))

    func resume(returning value: T) { finish(.success(value)) }
    func resume(throwing error: any Error) { finish(.failure(error)) }

    func finish(_ result: Result<T, any Error>) {
        let waiter: CheckedContinuation<T, any Error>? = state.withLock { s in
            guard s.result == nil else { return nil }
            s.result = result
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(with: result)
    }

    func value() async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<T, any Error>? = state.withLock { s in
                if s.result == nil { s.waiter = continuation }
                return s.result
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
