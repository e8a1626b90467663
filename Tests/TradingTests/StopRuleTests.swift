import Foundation
import Testing
import Trading

@Suite("Stops: sizing and trailing")
struct StopRuleTests {
    let vix22 = IndexVolatility.from(vix: 22, atr: nil, indexPrice: nil)!

    @Test("the issue's TSLA example, exact: 174.76 with no floor, 172.80 with the 4% floor")
    func tslaExample() {
        var noFloor = StopProfile.paper
        noFloor.minTrail = 0
        let trail = StopSizing.trail(beta: 2.1, sigma: vix22, daysToExpiry: 45, profile: noFloor)
        // Computed from the formula directly, not from the seed's rounded 0.0292.
        let expected = 1.0 * 2.1 * (0.22 / sqrt(252.0))
        #expect(abs(trail - expected) < 1e-15)
        let stop = TrailingStop(below: true, entry: 180, trail: trail)
        #expect(abs(stop.level - 180 * (1 - expected)) < 1e-12)
        #expect((stop.level * 100).rounded() / 100 == 174.76)
        // The seed rounds the trail to 2.92% and gets 174.74: the exact value is 174.7614.
        #expect(abs(stop.level - 174.7614) < 1e-4)

        let floored = StopSizing.trail(beta: 2.1, sigma: vix22, daysToExpiry: 45, profile: .paper)
        #expect(floored == 0.04)
        #expect(abs(TrailingStop(below: true, entry: 180, trail: floored).level - 172.80) < 1e-12)
    }

    @Test("the seed's two sizing examples and the DTE bands")
    func seedExamples() {
        var p = StopProfile.paper
        p.minTrail = 0
        let calm = StopSizing.trail(beta: 2.0, sigma: IndexVolatility.from(vix: 15, atr: nil, indexPrice: nil)!, daysToExpiry: 60, profile: p)
        #expect(abs(calm - 2.0 * 0.15 / sqrt(252)) < 1e-15)
        let stressed = StopSizing.trail(beta: 0.6, sigma: IndexVolatility.from(vix: 35, atr: nil, indexPrice: nil)!, daysToExpiry: 60, profile: p)
        #expect(abs(stressed - 0.6 * 0.35 / sqrt(252)) < 1e-15)
        #expect(p.dte.multiplier(daysToExpiry: 31) == 1.0)
        #expect(p.dte.multiplier(daysToExpiry: 30) == 1.5)
        #expect(p.dte.multiplier(daysToExpiry: 7) == 1.5)
        #expect(p.dte.multiplier(daysToExpiry: 6) == 2.0)
        #expect(p.dte.multiplier(daysToExpiry: 0) == 2.0)
        let short = StopSizing.trail(beta: 2.0, sigma: IndexVolatility.from(vix: 15, atr: nil, indexPrice: nil)!, daysToExpiry: 3, profile: p)
        #expect(abs(short - 2 * calm) < 1e-15)
        // The cap.
        #expect(StopSizing.trail(beta: 9, sigma: IndexVolatility.from(vix: 80, atr: nil, indexPrice: nil)!, daysToExpiry: 1, profile: p) == p.maxTrail)
    }

    @Test("without the VIX, the index's ATR over its price; without either, no size")
    func atrFallback() {
        let s = IndexVolatility.from(vix: nil, atr: 60, indexPrice: 6000)
        #expect(s == IndexVolatility(daily: 0.01, source: .atr))
        #expect(IndexVolatility.from(vix: 0, atr: 60, indexPrice: 6000)?.source == .atr)
        #expect(IndexVolatility.from(vix: nil, atr: nil, indexPrice: 6000) == nil)
        #expect(IndexVolatility.from(vix: .nan, atr: 60, indexPrice: 0) == nil)
    }

    @Test("the profiles are the seed's; allow and deny lists")
    func profiles() {
        #expect(StopProfile.named("live-conservative")?.k == 0.7)
        #expect(StopProfile.named("live-conservative")?.minTrail == 0.06)
        #expect(StopProfile.named("live-aggressive")?.k == 1.5)
        #expect(StopProfile.named("live-aggressive")?.minTrail == 0.08)
        #expect(StopProfile.named("nope") == nil)
        var p = StopProfile.paper
        p.deny = ["TSLA"]
        #expect(!p.manages("TSLA"))
        #expect(p.manages("SPY"))
        p.allow = ["QQQ"]
        #expect(!p.manages("SPY"))
        #expect(p.manages("QQQ"))
    }

    @Test("which side the stop sits on, for every kind of position")
    func sides() {
        #expect(TrailingStop.gainsWhenUnderlyingRises(quantity: 2, isPut: false))   // long call
        #expect(TrailingStop.gainsWhenUnderlyingRises(quantity: -2, isPut: true))   // short put
        #expect(!TrailingStop.gainsWhenUnderlyingRises(quantity: 2, isPut: true))   // long put
        #expect(!TrailingStop.gainsWhenUnderlyingRises(quantity: -2, isPut: false)) // short call
        #expect(TrailingStop.gainsWhenUnderlyingRises(quantity: 100, isPut: nil))   // long shares
    }

    @Test("a stop below trails the high and never loosens")
    func trailsBelow() {
        var s = TrailingStop(below: true, entry: 100, trail: 0.05)
        #expect(s.level == 95)
        s.observe(110)
        #expect(s.best == 110)
        #expect(abs(s.level - 104.5) < 1e-12)
        s.observe(105)
        #expect(s.best == 110)
        #expect(abs(s.level - 104.5) < 1e-12)
        #expect(!s.isCrossed(by: 105))
        #expect(s.isCrossed(by: 104.5))
        s.resize(trail: 0.10)  // wider: the level stays
        #expect(abs(s.level - 104.5) < 1e-12)
        s.resize(trail: 0.02)  // tighter: it moves up
        #expect(abs(s.level - 107.8) < 1e-12)
    }

    @Test("a stop above trails the low and never loosens")
    func trailsAbove() {
        var s = TrailingStop(below: false, entry: 100, trail: 0.05)
        #expect(s.level == 105)
        s.observe(90)
        #expect(abs(s.level - 94.5) < 1e-12)
        s.observe(99)
        #expect(abs(s.level - 94.5) < 1e-12)
        #expect(s.isCrossed(by: 94.5))
        #expect(!s.isCrossed(by: 94.4))
        s.observe(.nan)
        #expect(s.best == 90)
    }

    @Test("a restored stop keeps its best level and its tighter level")
    func restored() {
        let s = TrailingStop(below: true, entry: 100, best: 120, trail: 0.05, level: 116)
        #expect(s.best == 120)
        #expect(s.level == 116)
        let fresh = TrailingStop(below: true, entry: 100, best: 120, trail: 0.05, level: 90)
        #expect(fresh.level == 114)
    }
}
