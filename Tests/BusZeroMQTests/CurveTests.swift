import Bus
import BusDaemon
import BusZeroMQ
import Foundation
import Messages
import TestSupport
import Testing

/// A locked bus: CURVE on every daemon socket and the ZAP allowlist in front of them.
@Suite("CURVE and the ZAP allowlist", .serialized)
struct CurveTests {
    struct Keys {
        let server = try! CurveKeyPair.generate()
        let listed = try! CurveKeyPair.generate()
        let other = try! CurveKeyPair.generate()
        var daemon: BusSecurity { .server(own: server, allowedClients: [listed.publicKey]) }
        func client(_ pair: CurveKeyPair) -> BusSecurity { .client(own: pair, serverPublicKey: server.publicKey) }
    }

    func tick(_ n: UInt64) -> Volta_V1_ProbeTick {
        var t = Volta_V1_ProbeTick()
        t.n = n
        return t
    }

    func serveEcho(_ bus: Bus) -> Task<Void, Never> {
        Task {
            await bus.serve(service: "echo", Volta_V1_ProbeIncrement.self, options: ServeOptions(idempotent: true)) { request, _ in
                var reply = Volta_V1_ProbeCount()
                reply.value = request.n
                return reply
            }
        }
    }

    func echo(_ client: Bus, _ n: UInt64) async throws -> UInt64 {
        var request = Volta_V1_ProbeIncrement()
        request.n = n
        return try await client.request(service: "echo", request, as: Volta_V1_ProbeCount.self, timeout: .milliseconds(500), retries: 1).value
    }

    /// Collects ticks on `prefix` until cancelled.
    func collect(_ bus: Bus, _ prefix: String, into got: Collector<UInt64>) -> Task<Void, Never> {
        Task { for await item in bus.subscribe(Volta_V1_ProbeTick.self, prefix: prefix) { await got.append(item.message.n) } }
    }

    @Test("CurveKeyPair: hex and Z85 forms of one key, a derived public key, no secret in its description")
    func keyForms() throws {
        let pair = try CurveKeyPair.generate()
        let hex = try #require(CurveKeyPair.hex(pair.secretKey))
        #expect(hex.count == 64)
        #expect(CurveKeyPair.normalized(hex) == pair.secretKey)
        #expect(CurveKeyPair.normalized(hex.uppercased()) == pair.secretKey)
        #expect(try CurveKeyPair(secretKey: pair.secretKey).publicKey == pair.publicKey)
        #expect(CurveKeyPair.normalized("xyz") == nil)
        #expect(CurveKeyPair.normalized(String(repeating: "g", count: 64)) == nil)
        let shown = "\(pair) \(String(reflecting: pair)) \(BusSecurity.client(own: pair, serverPublicKey: pair.publicKey))"
        #expect(!shown.contains(pair.secretKey))
        #expect(shown.contains(pair.publicKey))
    }

    @Test("a listed key publishes, subscribes and requests on a locked bus")
    func listedKeyWorks() async throws {
        #expect(CurveKeyPair.isAvailable)
        let keys = Keys()
        let harness = try ZeroMQHarness(security: keys.daemon)
        defer { harness.shutdown() }
        let worker = try harness.connect("worker", service: "echo", security: keys.client(keys.listed))
        let client = try harness.connect("client", service: "test", security: keys.client(keys.listed))
        let serving = serveEcho(worker)
        let got = Collector<UInt64>()
        let listening = collect(client, "probe.tick.", into: got)
        defer { serving.cancel(); listening.cancel(); worker.shutdown(); client.shutdown() }
        try await Task.sleep(for: .milliseconds(300))  // the worker registers with the broker
        #expect(try await echo(client, 7) == 7)
        for n in 1...20 { worker.publish(tick(UInt64(n))) }
        #expect(await eventually(harness) { await got.count == 20 })
        let counters = Dictionary(uniqueKeysWithValues: harness.daemon.counters().map { ($0.name, $0.value) })
        #expect(counters["curve_admitted_total", default: 0] >= 6)  // PUB, SUB and DEALERs of two clients
        #expect(counters["curve_refused_total"] == 0)
    }

    @Test("an unknown key, a client without CURVE and one posing as a member can neither publish, subscribe nor request")
    func unknownKeysLockedOut() async throws {
        let keys = Keys()
        let harness = try ZeroMQHarness(security: keys.daemon)
        defer { harness.shutdown() }
        let member = try harness.connect("member", service: "echo", security: keys.client(keys.listed))
        let serving = serveEcho(member)
        let memberGot = Collector<UInt64>()
        let memberListening = collect(member, "probe.tick.", into: memberGot)
        let intruders = [
            try harness.connect("unknown", service: "test", security: keys.client(keys.other)),
            try harness.connect("plain", service: "test", security: nil),
            // The right server key, a listed client's routing, but a pair of its own.
            try harness.connect("member", service: "test", security: keys.client(try CurveKeyPair.generate())),
        ]
        let intruderGot = Collector<UInt64>()
        let intruderListening = intruders.map { collect($0, "probe.tick.", into: intruderGot) }
        try await Task.sleep(for: .milliseconds(300))
        defer {
            serving.cancel(); memberListening.cancel(); intruderListening.forEach { $0.cancel() }
            member.shutdown(); intruders.forEach { $0.shutdown() }
        }
        #expect(try await echo(member, 1) == 1)  // the bus is up and serving
        for intruder in intruders {
            await #expect(throws: BusError.self) { _ = try await echo(intruder, 2) }
            for n in 100..<110 { intruder.publish(tick(UInt64(n))) }
        }
        for n in 1...5 { member.publish(tick(UInt64(n))) }
        #expect(await eventually(harness) { await memberGot.count == 5 })
        try await Task.sleep(for: .milliseconds(300))
        #expect(await memberGot.items == [1, 2, 3, 4, 5])  // nothing an intruder published arrived
        #expect(await intruderGot.count == 0)  // and no intruder heard the member
        let counters = Dictionary(uniqueKeysWithValues: harness.daemon.counters().map { ($0.name, $0.value) })
        #expect(counters["curve_refused_total", default: 0] >= 3)
    }
}
