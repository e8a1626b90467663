import Bus
import Foundation
import Messages
import SwiftProtobuf
import TestSupport
import Testing

@Suite("EnvelopeHeader")
struct EnvelopeHeaderTests {
    func check(_ bytes: [UInt8]) {
        guard let full = try? Volta_V1_Envelope(serializedBytes: bytes) else { return }
        // Whatever swift-protobuf accepts, the in-place reader reads the same way.
        guard let header = try? EnvelopeHeader.parse(bytes) else {
            Issue.record("header rejected an envelope swift-protobuf accepts: \(bytes)")
            return
        }
        #expect(header.instance == full.source.instance)
        #expect(header.epoch == full.source.epoch)
        #expect(header.sequence == full.sequence)
        #expect(Array(bytes[header.payloadRange]) == Array(full.payload))
        #expect(header.hasType(full.type, in: bytes))
    }

    @Test func agreesWithSwiftProtobufOnRandomEnvelopes() throws {
        var rng = TestRandom("EnvelopeHeaderTests.agreesWithSwiftProtobuf")
        for _ in 0..<3_000 {
            var e = Volta_V1_Envelope()
            e.type = ["", "volta.v1.ProbeTick", "volta.v1.Héartbeat"].randomElement(using: &rng)!
            if Bool.random(using: &rng) {
                e.source.service = "svc"
                e.source.instance = ["", "p", "a-long-instance-name-beyond-fifteen-bytes"].randomElement(using: &rng)!
                e.source.epoch = [0, 1, UInt64.max, UInt64.random(in: 0...UInt64.max, using: &rng)].randomElement(using: &rng)!
            }
            e.sequence = [0, 1, 128, UInt64.max, UInt64.random(in: 0...UInt64.max, using: &rng)].randomElement(using: &rng)!
            e.eventTimeNs = Int64.random(in: Int64.min...Int64.max, using: &rng)
            e.correlationID = Bool.random(using: &rng) ? "c-1" : ""
            e.payload = Data((0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
            e.topic = "probe.tick.x"
            var bytes: [UInt8] = try e.serializedBytes()
            // Unknown fields from a newer publisher: varint, fixed64, bytes, fixed32.
            if Bool.random(using: &rng) { bytes += [0x98, 0x06, 0x2a, 0xa1, 0x06] + [UInt8](repeating: 1, count: 8) + [0xaa, 0x06, 0x02, 0x68, 0x69, 0xb5, 0x06, 1, 2, 3, 4] }
            check(bytes)
        }
    }

    @Test func randomAndTruncatedBytesNeverCrash() throws {
        var rng = TestRandom("EnvelopeHeaderTests.randomAndTruncatedBytes")
        var e = Volta_V1_Envelope()
        e.type = "volta.v1.ProbeTick"
        e.source.instance = "p1"
        e.source.epoch = 7
        e.sequence = 42
        e.payload = Data(repeating: 9, count: 40)
        let valid: [UInt8] = try e.serializedBytes()
        for cut in 0...valid.count { check(Array(valid.prefix(cut))) }
        for _ in 0..<20_000 {
            var junk = (0..<Int.random(in: 0...60, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if Bool.random(using: &rng) { junk = Array(valid.prefix(Int.random(in: 0...valid.count, using: &rng))) + junk }
            check(junk)
        }
    }
}
