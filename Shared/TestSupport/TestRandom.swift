import Foundation

/// The random source of every test that draws: seeded from `VOLTA_TEST_SEED` when set, drawn
/// otherwise, and the seed is printed, so a failing run can be replayed exactly
/// (`VOLTA_TEST_SEED=<seed> swift test --filter …`). SplitMix64: small, fast, and good enough for
/// fuzzing and chaos schedules.
public struct TestRandom: RandomNumberGenerator {
    public let seed: UInt64
    private var state: UInt64

    public init(_ name: String, seed fixed: UInt64? = nil) {
        let environment = ProcessInfo.processInfo.environment["VOLTA_TEST_SEED"].flatMap(UInt64.init)
        seed = fixed ?? environment ?? UInt64.random(in: 0...UInt64.max)
        state = seed
        print("\(name): random seed \(seed) (VOLTA_TEST_SEED=\(seed) replays it)")
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
