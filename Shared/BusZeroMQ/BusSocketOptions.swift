import CZeroMQ

/// The socket options of every bus socket, chosen on purpose and in one place.
///
/// libzmq's defaults suit none of the bus: LINGER is infinite (shutdown hangs on a dead peer),
/// HWMs are 1000 (a burst of option quotes overflows them), reconnects never back off, and
/// there is no keepalive, so a dead peer behind a silent network is never noticed.
///
/// ZMTP heartbeats (`ZMQ_HEARTBEAT_IVL/TIMEOUT/TTL`) are deliberately off: in libzmq 4.3.4 a
/// heartbeat timeout on a reconnecting peer aborts the process with "Assertion failed:
/// !_io_error (stream_engine_base.cpp:331)" (zeromq/libzmq#4364; the sibling #3937 is still open
/// upstream). Our kill test hit it in the bus daemon. Dead peers are found instead by the
/// broker/worker heartbeats, which are ordinary messages, and by TCP keepalive.
public struct BusSocketOptions: Sendable, Equatable {
    /// Messages queued per peer before a PUB drops (counted) and a DEALER refuses.
    public var publishHWM: Int32 = 100_000
    public var subscribeHWM: Int32 = 100_000
    public var requestHWM: Int32 = 10_000
    /// How long close waits to flush: enough for a last reply, never a hang.
    public var lingerMilliseconds: Int32 = 500
    /// Reconnect after 100 ms, doubling up to 5 s while the bus stays away.
    public var reconnectMilliseconds: Int32 = 100
    public var reconnectMaxMilliseconds: Int32 = 5_000
    /// TCP keepalive: probe an idle connection after this many seconds, then every
    /// `keepaliveIntervalSeconds`, and drop it after `keepaliveProbes` unanswered probes.
    public var keepaliveIdleSeconds: Int32 = 5
    public var keepaliveIntervalSeconds: Int32 = 2
    public var keepaliveProbes: Int32 = 3
    /// Application heartbeats between broker and workers: period, and missed periods before a
    /// peer counts as dead.
    public var brokerHeartbeatMilliseconds: Int32 = 1_000
    public var brokerLiveness: Int32 = 3
    /// CURVE keys, when the bus is locked: a client's pair and the daemon's key, or the daemon's
    /// pair and its allowlist. Nil: plain ZMTP.
    public var security: BusSecurity?

    public init() {}

    /// Options every bus socket gets.
    func applyCommon(_ socket: ZMQSocket) throws {
        try socket.set(ZMQ_LINGER, lingerMilliseconds)
        try socket.set(ZMQ_RECONNECT_IVL, reconnectMilliseconds)
        try socket.set(ZMQ_RECONNECT_IVL_MAX, reconnectMaxMilliseconds)
        try socket.set(ZMQ_TCP_KEEPALIVE, 1)
        try socket.set(ZMQ_TCP_KEEPALIVE_IDLE, keepaliveIdleSeconds)
        try socket.set(ZMQ_TCP_KEEPALIVE_INTVL, keepaliveIntervalSeconds)
        try socket.set(ZMQ_TCP_KEEPALIVE_CNT, keepaliveProbes)
        try security?.apply(to: socket)
    }

    /// A publisher: EAGAIN instead of a silent drop at the HWM, so drops are counted.
    public func configurePublisher(_ socket: ZMQSocket) throws {
        try applyCommon(socket)
        try socket.set(ZMQ_SNDHWM, publishHWM)
        try socket.set(ZMQ_XPUB_NODROP, 1)
    }

    public func configureSubscriber(_ socket: ZMQSocket) throws {
        try applyCommon(socket)
        try socket.set(ZMQ_RCVHWM, subscribeHWM)
    }

    /// A request or worker DEALER, with a fixed routing id so that replies and the broker's
    /// affinity survive a reconnect.
    public func configureDealer(_ socket: ZMQSocket, routingID: String) throws {
        try applyCommon(socket)
        try socket.set(ZMQ_SNDHWM, requestHWM)
        try socket.set(ZMQ_RCVHWM, requestHWM)
        try socket.set(ZMQ_ROUTING_ID, bytes: Array(routingID.utf8))
    }

    /// The broker's ROUTER: unroutable replies are reported, not dropped silently, and a peer
    /// that reconnects with its routing id takes over the old connection.
    public func configureRouter(_ socket: ZMQSocket) throws {
        try applyCommon(socket)
        try socket.set(ZMQ_SNDHWM, requestHWM)
        try socket.set(ZMQ_RCVHWM, requestHWM)
        try socket.set(ZMQ_ROUTER_MANDATORY, 1)
        try socket.set(ZMQ_ROUTER_HANDOVER, 1)
    }

    /// The forwarder's two sides.
    public func configureForwarder(xsub: ZMQSocket, xpub: ZMQSocket) throws {
        try applyCommon(xsub)
        try applyCommon(xpub)
        try xsub.set(ZMQ_RCVHWM, subscribeHWM)
        try xpub.set(ZMQ_SNDHWM, subscribeHWM)
    }
}
