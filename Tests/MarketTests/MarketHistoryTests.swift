import Foundation
import Testing
@testable import Market

/// The history the sim serves before its start behaves like the market that follows it.
@Suite struct MarketHistoryTests {
    @Test func historyHasTheModelsVolatilityAndEndsAtTheStartingPrices() {
        var parameters = MarketParameters()
        parameters.index.jumpsPerYear = 0
        let start = NewYorkTime.instant(CivilDate("2026-11-23")!, minute: 10 * 60)
        let history = MarketHistory.generate(parameters, endingBefore: start, days: 120)
        let spx = history["SPX"]!
        #expect(spx.count == 120 && spx.last!.date == CivilDate("2026-11-20"))
        #expect(abs(spx.last!.close - parameters.index.price) < 1e-6)
        let closes = spx.map(\.close)
        let r = zip(closes.dropFirst(), closes).map { log($0 / $1) }
        let vol = (r.map { $0 * $0 }.reduce(0, +) / Double(r.count) * 252).squareRoot()
        // The variance process starts at 0.02 and reverts to 0.03: a realized vol near 15%.
        #expect(vol > 0.08 && vol < 0.3, "realized \(vol)")
        #expect(spx.allSatisfy { $0.low <= min($0.open, $0.close) && $0.high >= max($0.open, $0.close) })
    }
}
