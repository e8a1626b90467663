import Bus
import BusDaemon
import BusZeroMQ
import CZeroMQ
import Foundation
import Logging
import Messages
import Synchronization
import TestSupport
import Testing

/// The broker and ZeroMQ transport against what production does: dead workers, restarts,
/// slow consumers, garbage on the wire.
@Suite("Broker and ZeroMQ transport", .serialized, .timeLimit(.minutes(3)))
struct BrokerTests {
    func serveCounter(_ bus: Bus, service: String = "counter", idempotent: Bool = true) -> Task<Void, Never> {
        Task {
            await bus.serve(service: service, Volta_V1_ProbeIncrement.self, options: ServeOptions(idempotent: idempotent)) { request, context in
                var reply = Volta_V1_ProbeCount()
                reply.value = request.n
                reply.worker = bus.identity.instance
                reply.requestID = context.requestID
                return reply
            }
        }
    }

    func increment(_ client: Bus, _ n: UInt64, service: String = "counter", timeout: Duration = .seconds(2), retries: Int = 3) async throws -> Volta_V1_ProbeCount {
        var request = Volta_V1_ProbeIncrement()
        request.n = n
        return try await client.request(service: service, request, as: Volta_V1_ProbeCount.self, timeout: timeout, retries: retries)
    }

    @Test("a worker that goes silent is dropped by heartbeat; requests go to the live one")
    func deadWorkerDropped() async throws {
        let harness = try ZeroMQHarness(heartbeatMilliseconds: 100)
        defer { harness.shutdown() }
        // A worker that registers and then never answers: a raw DEALER, as a hung process is.
        let context = ZMQContext()
        let zombie = try ZMQSocket(context, type: ZMQ_DEALER)
        try harness.options.configureDealer(zombie, routingID: "zombie:counter:0")
        try zombie.connect(harness.endpoints.broker)
        zombie.send([[], BrokerProtocol.worker, [BrokerProtocol.Command.ready.rawValue], Array("counter".utf8), [BrokerProtocol.Flags.idempotent.rawValue]])
        try await Task.sleep(for: .milliseconds(100))
        let live = try harness.connect("live", service: "probe")
        let serving = serveCounter(live)
        let client = try harness.connect("client")
        try await Task.sleep(for: .milliseconds(200))
        // Until the zombie is dropped some requests land on it and are retried; none is lost.
        for n in 1...10 {
            let reply = try await increment(client, UInt64(n), timeout: .milliseconds(300), retries: 5)
            #expect(reply.value == UInt64(n))
            #expect(reply.worker == "live")
        }
        #expect(harness.daemon.brokerStatistics.deadWorkers.load(ordering: .relaxed) >= 1)
        zombie.close()
        serving.cancel()
        live.shutdown()
        client.shutdown()
    }

    @Test("a worker heartbeating slower than the daemon stays registered between beats")
    func slowHeartbeatWorkerStays() async throws {
        let harness = try ZeroMQHarness(heartbeatMilliseconds: 100)  // the daemon expires silent workers after 300 ms
        defer { harness.shutdown() }
        let slow = try harness.connect("slow", service: "probe", security: nil, heartbeatMilliseconds: 1_000)
        let serving = serveCounter(slow)
        let client = try harness.connect("client")
        try await Task.sleep(for: .milliseconds(300))
        // Requests 700 ms apart leave the worker silent longer than the daemon's 300 ms: before
        // workers said how long they may be silent, it was declared dead between beats and its
        // service answered "no such service" meanwhile.
        for n in 1...6 {
            try await Task.sleep(for: .milliseconds(700))
            #expect(try await increment(client, UInt64(n), retries: 0).value == UInt64(n))
        }
        #expect(harness.daemon.brokerStatistics.deadWorkers.load(ordering: .relaxed) == 0)
        serving.cancel()
        slow.shutdown()
        client.shutdown()
    }

    @Test("clients and workers carry on across a restart of the bus daemon")
    func daemonRestart() async throws {
        var options = BusSocketOptions.testing(heartbeatMilliseconds: 100)
        options.reconnectMaxMilliseconds = 200
        func daemon(_ bind: BusEndpoints) throws -> BusDaemon {
            try BusDaemon(configuration: .init(bind: bind, socketOptions: options, routing: .init(workerExpiry: .milliseconds(300), startupGrace: .seconds(2))),
                      logger: Logger(label: "test.bus"))
        }
        // Ports chosen by the kernel at bind time and read back: nothing probed and released.
        var bus = try daemon(BusEndpoints(publish: "tcp://127.0.0.1:*", subscribe: "tcp://127.0.0.1:*", broker: "tcp://127.0.0.1:*"))
        let endpoints = try bus.start()
        let ctx = ZMQContext()
        func connect(_ name: String) throws -> Bus {
            let stats = BusStatistics()
            let t = try ZeroMQTransport(endpoints: endpoints, instance: name, options: options, context: ctx, statistics: stats, logger: Logger(label: name))
            return Bus(identity: ServiceIdentity(service: "test", instance: name, epoch: UInt64(WallClock().now())), transport: t, statistics: stats)
        }
        let worker = try connect("worker")
        let serving = serveCounter(worker)
        let client = try connect("client")
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await increment(client, 1).value == 1)

        bus.stop()
        // The same ports again, as a restarted daemon takes them: bound as soon as the old
        // sockets are released (an event awaited, with a bound, not a guess).
        var restarted: BusDaemon?
        let deadline = ContinuousClock.now + .seconds(20)
        while restarted == nil {
            let next = try daemon(endpoints)
            do {
                _ = try next.start()
                restarted = next
            } catch {
                next.stop()  // what it did bind is released before the next try
                guard ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        bus = try #require(restarted)
        // The worker re-registers with its next heartbeat; the request waits in the start-up
        // grace or is retried, and is answered.
        #expect(try await increment(client, 2, timeout: .milliseconds(500), retries: 10).value == 2)
        bus.stop()
        serving.cancel()
        worker.shutdown()
        client.shutdown()
    }

    @Test("a publisher facing a stalled peer drops at the high-water mark and counts every drop")
    func hwmDropsCounted() async throws {
        let context = ZMQContext()
        // A peer that subscribes to everything and never reads.
        let stalled = try ZMQSocket(context, type: ZMQ_XSUB)
        try stalled.set(ZMQ_RCVHWM, 10)
        try stalled.bind("tcp://127.0.0.1:*")
        let endpoint = stalled.lastEndpoint
        stalled.send([[1]])  // XSUB subscribe-all
        var options = BusSocketOptions()
        options.publishHWM = 10
        let statistics = BusStatistics()
        let transport = try ZeroMQTransport(endpoints: BusEndpoints(publish: endpoint, subscribe: "tcp://127.0.0.1:1", broker: "tcp://127.0.0.1:1"),
                                            instance: "pub", options: options, context: context, statistics: statistics, logger: Logger(label: "pub"))
        let bus = Bus(identity: ServiceIdentity(service: "test", instance: "pub", epoch: 1), transport: transport, statistics: statistics)
        // Prove the subscription reached the publisher: one frame arrives, then the peer stalls.
        var tick = Volta_V1_ProbeTick()
        var arrived = false
        for _ in 0..<50 where !arrived {
            bus.publish(tick)
            try await Task.sleep(for: .milliseconds(50))
            arrived = stalled.receive() != nil
        }
        #expect(arrived)
        tick.note = String(repeating: "x", count: 1000)
        let sent = 20_000
        for n in 1...sent {
            tick.n = UInt64(n)
            bus.publish(tick)
        }
        bus.shutdown()  // drains the command queue before closing
        let dropped = statistics.publishDropped.load(ordering: .relaxed)
        #expect(dropped > 0)
        #expect(dropped < sent)
        stalled.close()
    }

    @Test("random and truncated frames never crash the broker or a subscriber")
    func fuzzFrames() async throws {
        let harness = try ZeroMQHarness(heartbeatMilliseconds: 100)
        defer { harness.shutdown() }
        let worker = try harness.connect("worker", service: "probe")
        let serving = serveCounter(worker)
        let subscriber = try harness.connect("sub")
        let got = Collector<Received<Volta_V1_ProbeTick>>()
        let listening = Task { for await item in subscriber.subscribe(Volta_V1_ProbeTick.self, prefix: "probe.") { await got.append(item) } }
        let context = ZMQContext()
        let dealer = try ZMQSocket(context, type: ZMQ_DEALER)
        try dealer.connect(harness.endpoints.broker)
        let pub = try ZMQSocket(context, type: ZMQ_PUB)
        try pub.connect(harness.endpoints.publish)
        try await Task.sleep(for: .milliseconds(300))

        var rng = TestRandom("BrokerTests.randomFrames")
        let valid = [[], BrokerProtocol.client, Array("counter".utf8), Array("r1".utf8), [0x0a, 0x01, 0x41]]
        for i in 0..<2_000 {
            let frameCount = Int.random(in: 1...8, using: &rng)
            var frames: [[UInt8]] = (0..<frameCount).map { _ in (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) } }
            if i % 3 == 0 { frames = Array(valid.prefix(Int.random(in: 1...valid.count, using: &rng))) }  // truncated valid
            if i % 5 == 0 { frames[0] = [] }
            dealer.send(frames)
            var topic = Array("probe.tick.fuzz".utf8)
            if i % 2 == 0 { topic = frames[0] }
            pub.send([topic] + frames.prefix(Int.random(in: 0...2, using: &rng)))
        }
        // Both still work.
        let client = try harness.connect("client")
        try await Task.sleep(for: .milliseconds(200))
        var request = Volta_V1_ProbeIncrement()
        request.n = 7
        let reply = try await client.request(service: "counter", request, as: Volta_V1_ProbeCount.self, timeout: .seconds(2), retries: 3)
        #expect(reply.value == 7)
        var tick = Volta_V1_ProbeTick()
        tick.n = 99
        tick.note = "ok"
        client.publish(tick)
        #expect(await eventually(harness) { await got.items.contains { $0.message.n == 99 } })
        #expect(harness.daemon.brokerStatistics.malformed.load(ordering: .relaxed) > 0)
        #expect(subscriber.statistics.malformed.load(ordering: .relaxed) > 0)
        listening.cancel()
        serving.cancel()
        dealer.close()
        pub.close()
        for b in [worker, subscriber, client] { b.shutdown() }
    }
}
