import BusZeroMQ
import CZeroMQ
import Foundation
import Synchronization

/// The references: plain libzmq with no Volta code, the same message sizes, the same machine.
enum RawReferences {
    /// PUB → SUB (optionally through an XSUB/XPUB proxy), windowed so nothing is dropped.
    /// - Returns: delivered messages per second.
    /// - Parameter forwarder: the bus daemon's forwarder endpoints to go through, or nil for a
    ///   direct PUB → SUB connection.
    static func pubSubThroughput(count: Int, payload: Int, window: Int, forwarder: BusEndpoints?) throws -> Double {
        let context = ZMQContext()
        let pub = try ZMQSocket(context, type: ZMQ_PUB)
        try pub.set(ZMQ_SNDHWM, 100_000)
        // Block at the HWM instead of dropping silently: the reference must deliver everything.
        try pub.set(ZMQ_XPUB_NODROP, 1)
        var subscribeTo = ""
        if let forwarder {
            try pub.connect(forwarder.publish)
            subscribeTo = forwarder.subscribe
        } else {
            try pub.bind("tcp://127.0.0.1:*")
            subscribeTo = pub.lastEndpoint
        }
        let sub = try ZMQSocket(context, type: ZMQ_SUB)
        try sub.set(ZMQ_RCVHWM, 100_000)
        try sub.set(ZMQ_SUBSCRIBE, bytes: Array("bench.".utf8))
        try sub.connect(subscribeTo)
        let received = Atomic<Int>(0)
        let lastArrival = Atomic<Int>(0)   // microseconds, monotonic
        let publisherDone = Atomic<Bool>(false)
        let subHandoff = SocketHandoff(sub)
        let finished = DispatchSemaphore(value: 0)
        Thread {
            let sub = subHandoff.value
            try? sub.set(ZMQ_RCVTIMEO, 500)
            var n = 0
            var msg = zmq_msg_t()
            zmq_msg_init(&msg)
            while true {
                if zmq_msg_recv(&msg, sub.handle, 0) < 0 {
                    // Idle for 500 ms after the last send: whatever has not come is lost.
                    if publisherDone.load(ordering: .relaxed) || zmq_errno() == ETERM { break }
                    continue
                }
                if zmq_msg_more(&msg) == 0 {
                    n += 1
                    received.store(n, ordering: .relaxed)
                    lastArrival.store(Int(monotonicSeconds() * 1e6), ordering: .relaxed)
                }
            }
            zmq_msg_close(&msg)
            sub.close()
            finished.signal()
        }.start()
        let topic = Array("bench.tick.SPY".utf8)
        let body = [UInt8](repeating: 0x42, count: payload)
        func send() {
            topic.withUnsafeBytes { _ = zmq_send(pub.handle, $0.baseAddress, topic.count, ZMQ_SNDMORE) }
            body.withUnsafeBytes { _ = zmq_send(pub.handle, $0.baseAddress, body.count, 0) }
        }
        // Warm up until the subscription has reached the publisher.
        while received.load(ordering: .relaxed) == 0 {
            send()
            usleep(20_000)
        }
        usleep(200_000)
        let base = received.load(ordering: .relaxed)
        let start = monotonicSeconds()
        var sent = 0
        while sent < count {
            if sent - (received.load(ordering: .relaxed) - base) >= window && monotonicSeconds() - start < 60 { sched_yield(); continue }
            send()
            sent += 1
        }
        publisherDone.store(true, ordering: .relaxed)
        finished.wait()
        let delivered = received.load(ordering: .relaxed) - base
        let elapsed = Double(lastArrival.load(ordering: .relaxed)) / 1e6 - start
        pub.close()
        if delivered < count {
            FileHandle.standardError.write(Data("bench: raw libzmq run delivered \(delivered) of \(count) messages\n".utf8))
        }
        return Double(delivered) / elapsed
    }

    /// REQ → REP round trips, optionally through a ROUTER/DEALER queue (the broker's topology).
    /// - Returns: round-trip times in microseconds.
    static func reqRepLatencies(count: Int, payload: Int, throughQueue: Bool) throws -> [Double] {
        let context = ZMQContext()
        let rep = try ZMQSocket(context, type: ZMQ_REP)
        var connectTo: String
        let stop = Atomic<Bool>(false)
        if throughQueue {
            let router = try ZMQSocket(context, type: ZMQ_ROUTER), dealer = try ZMQSocket(context, type: ZMQ_DEALER)
            try router.bind("tcp://127.0.0.1:*")
            try dealer.bind("tcp://127.0.0.1:*")
            connectTo = router.lastEndpoint
            try rep.connect(dealer.lastEndpoint)
            let sockets = SocketHandoff((router, dealer))
            Thread { zmq_proxy(sockets.value.0.handle, sockets.value.1.handle, nil) }.start()
        } else {
            try rep.bind("tcp://127.0.0.1:*")
            connectTo = rep.lastEndpoint
        }
        let repHandoff = SocketHandoff(rep)
        Thread {
            let rep = repHandoff.value
            var msg = zmq_msg_t()
            zmq_msg_init(&msg)
            try? rep.set(ZMQ_RCVTIMEO, 200)
            while !stop.load(ordering: .relaxed) {
                guard zmq_msg_recv(&msg, rep.handle, 0) >= 0 else { continue }
                zmq_msg_send(&msg, rep.handle, 0)
            }
            zmq_msg_close(&msg)
        }.start()
        let req = try ZMQSocket(context, type: ZMQ_REQ)
        try req.connect(connectTo)
        let body = [UInt8](repeating: 0x42, count: payload)
        var out: [Double] = []
        var msg = zmq_msg_t()
        zmq_msg_init(&msg)
        for i in 0..<(count + 1000) {
            let t0 = monotonicSeconds()
            body.withUnsafeBytes { _ = zmq_send(req.handle, $0.baseAddress, body.count, 0) }
            zmq_msg_recv(&msg, req.handle, 0)
            if i >= 1000 { out.append((monotonicSeconds() - t0) * 1e6) }
        }
        zmq_msg_close(&msg)
        stop.store(true, ordering: .relaxed)
        req.close()
        return out
    }
}
