@testable import Bus
import Foundation
import Messages
import SwiftProtobuf
import TestSupport
import Testing

@Suite("EnvelopeEncoder")
struct EnvelopeEncoderTests {
    func randomString(_ max: Int, _ rng: inout TestRandom) -> String {
        let alphabet = Array("abcXYZ09._-é€😀 ")
        return String((0..<Int.random(in: 0...max, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    }

    @Test func matchesSwiftProtobufByteForByte() throws {
        var rng = TestRandom("EnvelopeEncoderTests.matchesSwiftProtobuf")
        for _ in 0..<3_000 {
            var source = Volta_V1_Source()
            source.service = randomString(12, &rng)
            source.instance = randomString(20, &rng)
            source.epoch = Bool.random(using: &rng) ? 0 : UInt64.random(in: 0...UInt64.max, using: &rng)
            var e = Volta_V1_Envelope()
            e.type = randomString(30, &rng)
            e.source = source
            e.sequence = [0, 1, 127, 128, 300, UInt64.max, UInt64.random(in: 0...UInt64.max, using: &rng)].randomElement(using: &rng)!
            e.eventTimeNs = [0, 1, -1, Int64.min, Int64.max, Int64.random(in: Int64.min...Int64.max, using: &rng)].randomElement(using: &rng)!
            e.sendTimeNs = [0, 1_795_260_760_362_235_268, Int64.random(in: Int64.min...Int64.max, using: &rng)].randomElement(using: &rng)!
            e.correlationID = randomString(10, &rng)
            e.idempotencyKey = randomString(10, &rng)
            e.payload = Data((0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
            e.topic = randomString(40, &rng)
            // An empty source is left out by swift-protobuf only if the message is unset.
            if source == Volta_V1_Source() { e.clearSource() }
            let expected: [UInt8] = try e.serializedBytes()
            let actual = EnvelopeEncoder(source: source).encode(
                type: e.type, sequence: e.sequence, eventTimeNs: e.eventTimeNs, sendTimeNs: e.sendTimeNs,
                correlationID: e.correlationID, idempotencyKey: e.idempotencyKey, payload: Array(e.payload), topic: e.topic)
            #expect(actual == expected)
            #expect(try Volta_V1_Envelope(serializedBytes: actual) == e)
        }
    }
}
