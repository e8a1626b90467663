import BusZeroMQ
import CZeroMQ
import Foundation
import Logging
import Synchronization

/// The daemon's ZAP handler (ZeroMQ RFC 27): admits a CURVE client only when its public key is on
/// the allowlist.
///
/// libzmq asks this handler, over `inproc://zeromq.zap.01` in the daemon's context, about every
/// handshake on a socket with a ZAP domain. Without it any client that knows the server's public
/// key gets in, which is why a locked bus always runs one. Public keys are not secrets, so a
/// refusal is logged with the key (hex, as in the key file) and the peer's address: that is what an operator needs to find
/// a misconfigured service.
final class ZAPAllowlist: @unchecked Sendable {
    static let endpoint = "inproc://zeromq.zap.01"

    private let context: ZMQContext
    private let allowed: Set<[UInt8]>
    private let logger: Logger
    private let running = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    let admitted = Atomic<Int>(0)
    let refused = Atomic<Int>(0)

    /// - Parameter allowed: Z85 public keys; every one must decode.
    init(context: ZMQContext, allowed: Set<String>, logger: Logger) throws {
        self.context = context
        self.allowed = Set(try allowed.map { key in
            guard let bytes = CurveKeyPair.decode(key) else { throw CurveKeyPair.KeyError.notZ85(what: "allowed key '\(key)'") }
            return bytes
        })
        self.logger = logger
    }

    /// Binds the handler's socket and starts its thread; must run before the CURVE sockets bind.
    func start() throws {
        let socket = try ZMQSocket(context, type: ZMQ_REP)
        try socket.set(ZMQ_LINGER, 0)
        try socket.bind(Self.endpoint)
        running.store(true, ordering: .sequentiallyConsistent)
        let handoff = SocketHandoff(socket)
        let thread = Thread { [self] in
            serve(handoff.value)
            handoff.value.close()
            finished.signal()
        }
        thread.name = "volta-zap"
        thread.start()
    }

    func stop() {
        guard running.exchange(false, ordering: .sequentiallyConsistent) else { return }
        finished.wait()
    }

    private func serve(_ socket: ZMQSocket) {
        while running.load(ordering: .relaxed) {
            guard let request = socket.receiveBlocking(timeoutMilliseconds: 100) else { continue }
            socket.send(reply(to: request))
        }
    }

    /// The reply frames for one ZAP request: version, request id, status, text, user id, metadata.
    func reply(to request: [[UInt8]]) -> [[UInt8]] {
        guard request.count >= 6, request[0] == Array("1.0".utf8) else {
            refused.add(1, ordering: .relaxed)
            return Self.reply(id: request.count > 1 ? request[1] : [], status: "400", text: "malformed ZAP request", user: "")
        }
        let address = String(decoding: request[3], as: UTF8.self)
        let mechanism = String(decoding: request[5], as: UTF8.self)
        guard mechanism == "CURVE", request.count >= 7, request[6].count == 32 else {
            refused.add(1, ordering: .relaxed)
            logger.warning("bus refused a client without CURVE", metadata: ["mechanism": "\(mechanism)", "address": "\(address)"])
            return Self.reply(id: request[1], status: "400", text: "CURVE required", user: "")
        }
        let key = CurveKeyPair.hex(CurveKeyPair.encode(request[6])) ?? ""
        guard allowed.contains(request[6]) else {
            refused.add(1, ordering: .relaxed)
            logger.warning("bus refused an unknown CURVE key", metadata: ["public_key": "\(key)", "address": "\(address)"])
            return Self.reply(id: request[1], status: "400", text: "key not allowed", user: "")
        }
        admitted.add(1, ordering: .relaxed)
        logger.debug("bus admitted a CURVE key", metadata: ["public_key": "\(key)", "address": "\(address)"])
        return Self.reply(id: request[1], status: "200", text: "OK", user: key)
    }

    private static func reply(id: [UInt8], status: String, text: String, user: String) -> [[UInt8]] {
        [Array("1.0".utf8), id, Array(status.utf8), Array(text.utf8), Array(user.utf8), []]
    }
}
