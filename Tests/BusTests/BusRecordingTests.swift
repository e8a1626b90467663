import Bus
import TestSupport
import Testing

@Suite("BusRecording")
struct BusRecordingTests {
    let records = (1...20).map { n in
        BusRecording.Record(receivedNs: Int64(n) * 1_000, frame: RawFrame(topic: "probe.tick.\(n)", envelope: Array(repeating: UInt8(n), count: n * 3)))
    }

    @Test func roundTrip() throws {
        let bytes = BusRecording.magic + records.flatMap(BusRecording.encode)
        let (decoded, truncated) = try BusRecording.decode(bytes)
        #expect(decoded == records)
        #expect(!truncated)
    }

    @Test func everyTruncationKeepsTheCompleteRecords() throws {
        let encoded = records.map(BusRecording.encode)
        let bytes = BusRecording.magic + encoded.flatMap { $0 }
        var boundaries: [Int] = [BusRecording.magic.count]
        for e in encoded { boundaries.append(boundaries.last! + e.count) }
        for cut in BusRecording.magic.count..<bytes.count {
            let (decoded, truncated) = try BusRecording.decode(Array(bytes.prefix(cut)))
            let complete = boundaries.lastIndex { $0 <= cut }!
            #expect(decoded == Array(records.prefix(complete)))
            #expect(truncated == !boundaries.contains(cut))
        }
    }

    @Test func randomBytesNeverCrash() throws {
        var rng = TestRandom("BusRecordingTests.randomBytesNeverCrash")
        #expect(throws: BusRecording.ReadError.notARecording) { try BusRecording.decode([1, 2, 3]) }
        for _ in 0..<500 {
            let junk = BusRecording.magic + (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = try BusRecording.decode(junk)
        }
    }
}
