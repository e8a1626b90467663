import Bus
import Foundation
import Messages
import SwiftProtobuf
import TestSupport
import Testing

@Suite("Messages: topics and the registry")
struct MessagesTests {
    @Test func topicsAreDerivedFromTheMessage() {
        var q = Volta_V1_UnderlyingQuote()
        q.symbol = "BRK.B"
        #expect(q.topic == "md.quote.BRK_B")
        var c = Volta_V1_OptionContract()
        c.underlying = "SPY"
        c.expiry = "2026-12-18"
        c.strikeMicros = 450_500_000
        c.right = .put
        var o = Volta_V1_OptionQuote()
        o.contract = c
        #expect(o.topic == "md.option.SPY.2026-12-18.P450_5")
        c.strikeMicros = 600_000_000
        c.right = .call
        o.contract = c
        #expect(o.topic == "md.option.SPY.2026-12-18.C600")
        var hb = Volta_V1_Heartbeat()
        hb.source.service = "strategy"
        hb.source.instance = "strategy-2"
        #expect(hb.topic == "sys.heartbeat.strategy.strategy-2")
        var fill = Volta_V1_Fill()
        fill.orderID = "o-1"
        #expect(fill.topic == "exec.fill.o-1")
    }

    @Test func everyRegisteredTypeRoundTripsAndResolvesByShortName() throws {
        for type in MessageRegistry.all {
            let name = type.protoMessageName
            #expect(MessageRegistry.type(named: name) != nil)
            #expect(MessageRegistry.resolve(shortName: String(name.split(separator: ".").last!)) == name)
            let empty = try type.init(jsonString: "{}")
            let bytes: [UInt8] = try empty.serializedBytes()
            #expect(try MessageRegistry.decode(typeName: name, payload: bytes) != nil)
        }
        #expect(MessageRegistry.resolve(shortName: "heartbeat") == "volta.v1.Heartbeat")
        #expect(try MessageRegistry.decode(typeName: "volta.v1.Nope", payload: []) == nil)
    }

    @Test func randomAndTruncatedEnvelopesNeverCrashTheDecoder() throws {
        var rng = TestRandom("MessagesTests.randomAndTruncatedEnvelopes")
        var envelope = Volta_V1_Envelope()
        envelope.type = "volta.v1.ProbeTick"
        envelope.topic = "probe.tick.x"
        envelope.sequence = 42
        envelope.payload = Data(repeating: 7, count: 100)
        let valid: [UInt8] = try envelope.serializedBytes()
        for cut in 0..<valid.count { _ = try? Volta_V1_Envelope(serializedBytes: Array(valid.prefix(cut))) }
        for _ in 0..<5_000 {
            let junk = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = try? Volta_V1_Envelope(serializedBytes: junk)
            for type in MessageRegistry.all { _ = try? MessageRegistry.decode(typeName: type.protoMessageName, payload: junk) }
        }
    }
}
