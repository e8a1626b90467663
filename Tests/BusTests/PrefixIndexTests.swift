@testable import Bus
import TestSupport
import Testing

/// The hub's prefix index gives exactly what a scan of every subscription with `hasPrefix`
/// gives, in subscription order, through inserts and removals.
@Suite("Prefix index")
struct PrefixIndexTests {
    @Test func matchesWhatAScanOfEveryPrefixFinds() {
        var rng = TestRandom("PrefixIndexTests.matchesWhatAScan")
        let levels = ["md", "px", "exec", "quote", "option", "SPY", "SPX", "2026-12-18", "C600", "P550", ""]
        func topic() -> String {
            (0..<Int.random(in: 1...5, using: &rng)).map { _ in levels.randomElement(using: &rng)! }.joined(separator: ".")
        }
        var index = PrefixIndex<Int>()
        var all: [(id: Int, prefix: String)] = []
        for id in 0..<400 {
            var prefix = topic()
            if Bool.random(using: &rng) { prefix += "." }
            if Int.random(in: 0..<10, using: &rng) == 0 { prefix = String(prefix.prefix(Int.random(in: 0...prefix.count, using: &rng))) }
            index.insert(prefix, id: id, id)
            all.append((id, prefix))
            if Int.random(in: 0..<5, using: &rng) == 0, let gone = all.randomElement(using: &rng) {
                index.remove(gone.prefix, id: gone.id)
                all.removeAll { $0.id == gone.id }
            }
        }
        for _ in 0..<2_000 {
            let t = topic()
            #expect(index.matches(t) == all.filter { t.hasPrefix($0.prefix) }.map(\.id), "topic \(t)")
            #expect(index.matchesAny(t) == all.contains { t.hasPrefix($0.prefix) }, "topic \(t)")
        }
    }
}
