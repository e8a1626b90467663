import Bus
import Foundation
import Messages
import Synchronization
import TestSupport
import Testing

/// The behaviour every transport must have, run over the in-memory hub and over ZeroMQ.
@Suite("Transport conformance", .serialized)
struct TransportConformanceTests {
    func tick(_ n: UInt64, _ note: String) -> Volta_V1_ProbeTick {
        var t = Volta_V1_ProbeTick()
        t.n = n
        t.note = note
        return t
    }

    /// A publisher and a subscriber to `prefix` on a fresh harness of `kind`, for one test body;
    /// everything is torn down after it.
    func withPubSub(_ kind: HarnessKind, prefix: String,
                    _ body: (any BusHarness, Bus, Bus, Collector<Received<Volta_V1_ProbeTick>>) async throws -> Void) async throws {
        let harness = try kind.make()
        defer { harness.shutdown() }
        let publisher = try harness.connect("pub", service: "test")
        let subscriber = try harness.connect("sub", service: "test")
        let got = Collector<Received<Volta_V1_ProbeTick>>()
        let task = Task {
            for await item in subscriber.subscribe(Volta_V1_ProbeTick.self, prefix: prefix) { await got.append(item) }
        }
        await harness.settle()
        try await body(harness, publisher, subscriber, got)
        task.cancel()
        publisher.shutdown()
        subscriber.shutdown()
    }

    @Test("typed pub/sub by prefix, in order, with sequence numbers", arguments: HarnessKind.allCases)
    func pubSub(kind: HarnessKind) async throws {
        try await withPubSub(kind, prefix: "probe.tick.alpha") { harness, publisher, subscriber, got in
            for n in 1...50 {
                publisher.publish(tick(UInt64(n), "alpha"))
                publisher.publish(tick(UInt64(n), "beta"))  // another topic: filtered out
            }
            #expect(await eventually(harness) { await got.count == 50 })
            let items = await got.items
            #expect(items.map(\.message.n) == Array(1...50))
            #expect(items.map(\.envelope.sequence) == Array(1...50))
            #expect(items.allSatisfy { $0.topic == "probe.tick.alpha" && $0.missedBefore == 0 && $0.envelope.source.instance == "pub" })
            #expect(subscriber.statistics.gaps.load(ordering: .relaxed) == 0)
        }
    }

    @Test("a sequence gap is detected, counted and reported on the next message", arguments: HarnessKind.allCases)
    func gapDetection(kind: HarnessKind) async throws {
        try await withPubSub(kind, prefix: "probe.tick.") { harness, publisher, subscriber, got in
            // Publish envelopes with chosen sequence numbers: 1, 2, 5 (3 and 4 lost), 5 again (a duplicate), 6.
            for seq: UInt64 in [1, 2, 5, 5, 6] {
                var envelope = try publisher.makeEnvelope(tick(seq, "x"))
                envelope.topic = "probe.tick.x"
                envelope.sequence = seq
                publisher.publish(envelope: envelope)
            }
            #expect(await eventually(harness) { await got.count == 4 })
            let items = await got.items
            #expect(items.map(\.envelope.sequence) == [1, 2, 5, 6])
            #expect(items.map(\.missedBefore) == [0, 0, 2, 0])
            #expect(subscriber.statistics.gaps.load(ordering: .relaxed) == 1)
            #expect(subscriber.statistics.missed.load(ordering: .relaxed) == 2)
            #expect(subscriber.statistics.duplicates.load(ordering: .relaxed) == 1)
        }
    }

    @Test("malformed frames are counted and skipped; the stream goes on", arguments: HarnessKind.allCases)
    func malformedFrames(kind: HarnessKind) async throws {
        try await withPubSub(kind, prefix: "probe.tick.") { harness, publisher, subscriber, got in
            publisher.publish(tick(1, "m"))
            _ = publisher.transport.publish(RawFrame(topic: "probe.tick.m", envelope: [0xff, 0xff, 0xff, 0x07]))  // not an envelope
            var wrongPayload = try publisher.makeEnvelope(tick(0, "m"))
            wrongPayload.topic = "probe.tick.m"
            wrongPayload.payload = Data([0x0a, 0xff])  // truncated payload
            publisher.publish(envelope: wrongPayload)
            publisher.publish(tick(2, "m"))
            #expect(await eventually(harness) { await got.count == 2 })
            #expect(await got.items.map(\.message.n) == [1, 2])
            #expect(subscriber.statistics.malformed.load(ordering: .relaxed) == 2)
        }
    }

    @Test("request/reply through the broker; several workers share the load", arguments: HarnessKind.allCases)
    func requestReply(kind: HarnessKind) async throws {
        let harness = try kind.make()
        defer { harness.shutdown() }
        let client = try harness.connect("client", service: "test")
        var workers: [Task<Void, Never>] = []
        for name in ["w1", "w2"] {
            let worker = try harness.connect(name, service: "probe")
            workers.append(Task {
                await worker.serve(service: "counter", Volta_V1_ProbeIncrement.self, options: ServeOptions(idempotent: true)) { request, context in
                    try await worker.clock.sleep(for: .milliseconds(5))
                    var reply = Volta_V1_ProbeCount()
                    reply.value = request.n * 10
                    reply.worker = name
                    reply.requestID = context.requestID
                    return reply
                }
            })
        }
        await harness.settle()
        let all = Task { try await withThrowingTaskGroup(of: Volta_V1_ProbeCount.self) { group in
            for n in 1...20 {
                group.addTask {
                    var request = Volta_V1_ProbeIncrement()
                    request.n = UInt64(n)
                    return try await client.request(service: "counter", request, as: Volta_V1_ProbeCount.self, timeout: .seconds(5), retries: 0)
                }
            }
            var all: [Volta_V1_ProbeCount] = []
            for try await r in group { all.append(r) }
            return all
        } }
        // The handlers sleep on the harness's clock: let its time pass while they run.
        let replies = try await valuePassing(harness, all)
        #expect(replies.map(\.value).sorted() == (1...20).map { UInt64($0 * 10) })
        #expect(Set(replies.map(\.worker)) == ["w1", "w2"])
        workers.forEach { $0.cancel() }
        client.shutdown()
    }

    @Test("a request to an unknown service fails at once, not by timeout", arguments: HarnessKind.allCases)
    func unknownService(kind: HarnessKind) async throws {
        let harness = try kind.make()
        defer { harness.shutdown() }
        let client = try harness.connect("client", service: "test")
        await harness.settle()
        let started = ContinuousClock.now
        await #expect(throws: BusError.noSuchService("nobody")) {
            _ = try await client.request(service: "nobody", Volta_V1_ProbeIncrement(), as: Volta_V1_ProbeCount.self,
                                         timeout: .seconds(30), retries: 3)
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        client.shutdown()
    }

    @Test("a retried non-idempotent request runs once and is answered from the reply cache", arguments: HarnessKind.allCases)
    func retryAnsweredFromCache(kind: HarnessKind) async throws {
        let harness = try kind.make()
        defer { harness.shutdown() }
        let client = try harness.connect("client", service: "test")
        let executions = Atomic<Int>(0)
        let workerBus = try harness.connect("w1", service: "probe")
        let worker = Task {
            await workerBus.serve(service: "orders", Volta_V1_ProbeIncrement.self, options: ServeOptions(idempotent: false)) { _, context in
                executions.add(1, ordering: .relaxed)
                // Slower than the client's timeout: the client retries while this runs.
                try await workerBus.clock.sleep(for: .milliseconds(700))
                var reply = Volta_V1_ProbeCount()
                reply.value = 1
                reply.requestID = context.requestID
                return reply
            }
        }
        await harness.settle()
        let reply = Task {
            try await client.request(service: "orders", Volta_V1_ProbeIncrement(), as: Volta_V1_ProbeCount.self,
                                     timeout: .milliseconds(250), retries: 5, requestID: "intent-42")
        }
        let result = try await valuePassing(harness, reply)
        #expect(result.requestID == "intent-42")
        #expect(executions.load(ordering: .relaxed) == 1)
        #expect(client.statistics.retries.load(ordering: .relaxed) >= 1)
        #expect(await eventually(harness) { workerBus.statistics.repliesFromCache.load(ordering: .relaxed) >= 1 })
        worker.cancel()
        client.shutdown()
        workerBus.shutdown()
    }

    @Test("a late subscriber catches up from a snapshot without duplicates", arguments: HarnessKind.allCases)
    func snapshotCatchUp(kind: HarnessKind) async throws {
        let harness = try kind.make()
        defer { harness.shutdown() }
        let server = try harness.connect("md", service: "marketdata")
        let stream = StateStream(name: "quotes", bus: server)
        let serving = Task { await stream.serveSnapshots() }
        for (symbol, price) in [("SPY", 500.0), ("QQQ", 400.0), ("SPY", 501.0)] {
            var q = Volta_V1_UnderlyingQuote()
            q.symbol = symbol
            q.last = price
            stream.publish(q)
        }
        await harness.settle()
        let late = try harness.connect("late", service: "test")
        let subscription = try await late.subscribeWithSnapshot(Volta_V1_UnderlyingQuote.self, prefix: "md.quote.", stream: "quotes",
                                                                timeout: .seconds(5))
        let got = Collector<Received<Volta_V1_UnderlyingQuote>>()
        let task = Task { for await item in subscription { await got.append(item) } }
        await harness.settle()
        var q = Volta_V1_UnderlyingQuote()
        q.symbol = "QQQ"
        q.last = 402
        stream.publish(q)
        #expect(await eventually(harness) { await got.count == 3 })
        let items = await got.items
        #expect(items.map { "\($0.message.symbol)=\($0.message.last)" } == ["QQQ=400.0", "SPY=501.0", "QQQ=402.0"])
        #expect(items.allSatisfy { $0.missedBefore == 0 })
        #expect(items.map(\.fromSnapshot) == [true, true, false])
        task.cancel()
        serving.cancel()
        server.shutdown()
        late.shutdown()
    }
}
