import BusZeroMQ
import CZeroMQ
import Foundation
import Synchronization

/// The pub/sub rendezvous: publishers connect to its XSUB side, subscribers to its XPUB side,
/// and libzmq's steerable proxy moves frames between them on a thread of its own. Subscriptions
/// travel upstream, so publishers filter at the source.
final class Forwarder: @unchecked Sendable {
    struct Statistics: Sendable, Equatable {
        var messagesIn: UInt64 = 0
        var bytesIn: UInt64 = 0
        var messagesOut: UInt64 = 0
        var bytesOut: UInt64 = 0
    }

    private let context: ZMQContext
    private let controlEndpoint = "inproc://volta-forwarder-\(UInt64.random(in: 0...UInt64.max))"
    /// The controller's end of the control pipe; used under this lock from any thread.
    private let controller = Mutex<SocketHandoff<ZMQSocket>?>(nil)
    private let finished = DispatchSemaphore(value: 0)
    private(set) var publishEndpoint = ""
    private(set) var subscribeEndpoint = ""

    init(context: ZMQContext) {
        self.context = context
    }

    /// Binds both sides and starts the proxy thread.
    /// - Returns: the bound endpoints (ports resolved when `*` was asked).
    func start(publish: String, subscribe: String, options: BusSocketOptions) throws -> (String, String) {
        let xsub = try ZMQSocket(context, type: ZMQ_XSUB)
        let xpub = try ZMQSocket(context, type: ZMQ_XPUB)
        try options.configureForwarder(xsub: xsub, xpub: xpub)
        try xsub.bind(publish)
        try xpub.bind(subscribe)
        let control = try ZMQSocket(context, type: ZMQ_PAIR)
        try control.bind(controlEndpoint)
        let ctl = try ZMQSocket(context, type: ZMQ_PAIR)
        try ctl.set(ZMQ_LINGER, 0)
        try ctl.connect(controlEndpoint)
        let handoff = SocketHandoff(ctl)
        controller.withLock { $0 = handoff }
        publishEndpoint = xsub.lastEndpoint
        subscribeEndpoint = xpub.lastEndpoint
        let sockets = SocketHandoff((xsub, xpub, control))
        let thread = Thread { [finished] in
            let (xsub, xpub, control) = sockets.value
            zmq_proxy_steerable(xsub.handle, xpub.handle, nil, control.handle)
            xsub.close()
            xpub.close()
            control.close()
            finished.signal()
        }
        thread.name = "volta-forwarder"
        thread.start()
        return (publishEndpoint, subscribeEndpoint)
    }

    /// Counts of what went through, from libzmq's proxy statistics.
    func statistics() -> Statistics? {
        controller.withLock { box -> Statistics? in
            guard let ctl = box?.value, ctl.sendBlocking("STATISTICS") else { return nil }
            // Eight uint64 frames: frontend msgs in, bytes in, msgs out, bytes out, then backend.
            guard let frames = ctl.receiveBlocking(timeoutMilliseconds: 1000), frames.count == 8 else { return nil }
            let v = frames.map { f in f.count == 8 ? f.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } : 0 }
            return Statistics(messagesIn: v[0], bytesIn: v[1], messagesOut: v[6], bytesOut: v[7])
        }
    }

    func stop() {
        let sent = controller.withLock { box -> Bool in
            defer { box?.value.close(); box = nil }
            return box?.value.sendBlocking("TERMINATE") ?? false
        }
        if sent { finished.wait() }
    }
}

extension ZMQSocket {
    func sendBlocking(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { zmq_send(handle, $0.baseAddress, bytes.count, 0) } >= 0
    }

    func receiveBlocking(timeoutMilliseconds: Int32) -> [[UInt8]]? {
        var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        guard zmq_poll(&item, 1, Int(timeoutMilliseconds)) > 0 else { return nil }
        return receive()
    }
}
