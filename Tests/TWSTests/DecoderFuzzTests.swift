import Foundation
import Testing
@testable import TWS

/// Mutated frames — truncated, with fields dropped, added or garbled, with unknown ids — decode
/// to a message or to a `TWSProtocolError`, never to a crash. Seeded, so a failure repeats.
@Suite struct DecoderFuzzTests {
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    /// Every valid frame the other tests know: the clients' requests and TWS's captured replies.
    static let corpus: [[String]] = {
        let requests = RequestEncodingTests.fixtures.map { f in
            Array(f.payload.split(separator: "|", omittingEmptySubsequences: false).dropLast().map(String.init))
        }
        return requests + ReplyDecodingTests.captures.values.map(\.fields)
    }()

    static let garbage = ["", "-1", "0", "1e308", "-1e308", "NaN", "inf", "9999999999999999999999", "1.7976931348623157E308",
                          "abc", "\u{00e9}", "2147483647", "-2147483648", "None", "?", "1.5", String(repeating: "9", count: 400)]

    static func mutate(_ fields: [String], _ rng: inout SplitMix) -> [String] {
        var f = fields
        switch rng.below(7) {
        case 0: f = Array(f.prefix(rng.below(f.count + 1)))
        case 1: if !f.isEmpty { f.remove(at: rng.below(f.count)) }
        case 2: f.insert(garbage[rng.below(garbage.count)], at: rng.below(f.count + 1))
        case 3: if !f.isEmpty { f[rng.below(f.count)] = garbage[rng.below(garbage.count)] }
        case 4: if !f.isEmpty { f[0] = String(rng.below(300)) }
        case 5: f += (0..<rng.below(20)).map { _ in garbage[rng.below(garbage.count)] }
        default: for _ in 0..<3 where !f.isEmpty { f[rng.below(f.count)] = garbage[rng.below(garbage.count)] }
        }
        return f
    }

    @Test func mutatedFramesDecodeOrAreRefused() {
        var rng = SplitMix(state: 20_261_121)
        var decoded = 0, refused = 0
        for _ in 0..<30_000 {
            let fields = Self.mutate(Self.corpus[rng.below(Self.corpus.count)], &rng)
            let version = TWSHandshake.minVersion + rng.below(TWSHandshake.maxVersion - TWSHandshake.minVersion + 1)
            for table in [TWSMessageTable.requests, TWSMessageTable.replies] {
                do {
                    let message = try table.decode(fields, version: version)
                    _ = message.payload(version: version)
                    decoded += 1
                } catch is TWSProtocolError {
                    refused += 1
                } catch {
                    Issue.record("not a protocol error: \(error)")
                }
            }
        }
        #expect(decoded > 1_000 && refused > 10_000)
    }

    @Test func framesSurviveAnySplitAndOverlongOnesAreRefused() throws {
        var rng = SplitMix(state: 7)
        let payloads = Self.corpus.map { Array(($0.joined(separator: "\0") + "\0").utf8) }
        let stream = payloads.flatMap(TWSFrame.frame)
        var buffer = FrameBuffer()
        var out: [[UInt8]] = []
        var i = 0
        while i < stream.count {
            let n = 1 + rng.below(64)
            buffer.append(stream[i..<min(i + n, stream.count)])
            i += n
            while let frame = try buffer.next() { out.append(frame) }
        }
        #expect(out == payloads)
        var bad = FrameBuffer()
        bad.append([0x7F, 0xFF, 0xFF, 0xFF, 0x41])
        #expect(throws: TWSProtocolError.self) { try bad.next() }
    }

    @Test func handshakeRangesAreCheckedNotTrusted() throws {
        #expect(try TWSHandshake.parseRange(Array("v100..157".utf8)) == 100...157)
        #expect(try TWSHandshake.parseRange(Array("v157..178 +PACEAPI".utf8)) == 157...178)
        #expect(try TWSHandshake.negotiate(100...157) == 157)
        #expect(try TWSHandshake.negotiate(157...225) == 178)
        for bad in ["", "v", "v..", "x100..157", "v200..100", "API"] {
            #expect(throws: TWSProtocolError.self) { try TWSHandshake.parseRange(Array(bad.utf8)) }
        }
        #expect(throws: TWSProtocolError.self) { try TWSHandshake.negotiate(190...200) }
    }
}
