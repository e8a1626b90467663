import Testing
import Trading

@Suite("Execution rules: smart limits, combos, order progress")
struct SmartLimitTests {
    let rule = SmartLimit(participation: 0.5, slippage: 0.03, maxReprices: 5)

    @Test("the seed's example: the rule wins, the limit never goes under the bid")
    func seedExample() {
        // bid 3.50, ask 3.80, theo 2.95: the seed says 2.95, under its own bid.
        #expect(rule.price(sell: true, bid: 3.50, ask: 3.80, theo: 2.95) == 3.50)
    }

    @Test("a sell starts inside the spread, bounded by the theo band")
    func sellBounds() throws {
        // bid + 0.5 × spread = 10.25, inside [theo × 0.97, theo] for theo 10.40.
        #expect(abs(try #require(rule.price(sell: true, bid: 10.00, ask: 10.50, theo: 10.40)) - 10.25) < 1e-12)
        // theo 10.10 caps it.
        #expect(abs(try #require(rule.price(sell: true, bid: 10.00, ask: 10.50, theo: 10.10)) - 10.10) < 1e-12)
        // theo 11.00: the floor theo × 0.97 = 10.67 is over the ask's side; the limit is 10.67.
        #expect(abs(try #require(rule.price(sell: true, bid: 10.00, ask: 10.50, theo: 11.00)) - 10.67) < 1e-12)
    }

    @Test("a buy mirrors a sell")
    func buyMirror() throws {
        #expect(abs(try #require(rule.price(sell: false, bid: 10.00, ask: 10.50, theo: 10.20)) - 10.25) < 1e-12)
        #expect(abs(try #require(rule.price(sell: false, bid: 10.00, ask: 10.50, theo: 10.30)) - 10.30) < 1e-12)
        // theo over the ask: never above the ask.
        #expect(rule.price(sell: false, bid: 3.50, ask: 3.80, theo: 4.50) == 3.80)
    }

    @Test("reprices step toward the far side and reach it at the last one")
    func reprices() throws {
        let theo = 11.0
        var previous = Double.infinity
        for n in 0...5 {
            let p = try #require(SmartLimit(participation: 1, slippage: 0.5, maxReprices: 5).price(sell: true, bid: 10, ask: 11, theo: theo, reprice: n))
            #expect(p < previous)
            previous = p
        }
        #expect(previous == 10)
        #expect(SmartLimit(participation: 1, slippage: 0.5, maxReprices: 5).price(sell: true, bid: 10, ask: 11, theo: theo, reprice: 9) == 10)
    }

    @Test("no price from an unusable touch")
    func unusable() {
        #expect(rule.price(sell: true, bid: 0, ask: 0.05, theo: 0.03) == nil)
        #expect(rule.price(sell: true, bid: 1.2, ask: 1.1, theo: 1.15) == nil)
        #expect(rule.price(sell: true, bid: 1.0, ask: 1.1, theo: .nan) == nil)
        #expect(rule.price(sell: false, bid: 1.0, ask: 1.1, theo: 0) == nil)
    }

    @Test("ticks: toward the passive side, exact in micros")
    func ticks() {
        #expect(SmartLimit.onTick(3.65, tickMicros: 50_000, sell: true) == 3_650_000)
        #expect(SmartLimit.onTick(3.6499999999, tickMicros: 50_000, sell: true) == 3_650_000)
        #expect(SmartLimit.onTick(3.61, tickMicros: 50_000, sell: true) == 3_650_000)
        #expect(SmartLimit.onTick(3.64, tickMicros: 50_000, sell: false) == 3_600_000)
        #expect(SmartLimit.onTick(0.123, tickMicros: 10_000, sell: false) == 120_000)
    }

    @Test("walk-the-book: the mid, then a tick at a time, up to the maximum slippage")
    func comboWalk() {
        let walk = ComboWalk(maxSlippageTicks: 3)
        #expect(walk.limit(netBid: 1.00, netAsk: 1.20, tickMicros: 10_000, buy: true, step: 0) == 1_100_000)
        #expect(walk.limit(netBid: 1.00, netAsk: 1.20, tickMicros: 10_000, buy: true, step: 2) == 1_120_000)
        #expect(walk.limit(netBid: 1.00, netAsk: 1.20, tickMicros: 10_000, buy: true, step: 9) == 1_130_000)
        #expect(walk.limit(netBid: -2.10, netAsk: -1.90, tickMicros: 10_000, buy: false, step: 1) == -2_010_000)
        #expect(walk.limit(netBid: 1.2, netAsk: 1.0, tickMicros: 10_000, buy: true, step: 0) == nil)
    }

    @Test("order progress: partial fills, a fill seen twice, no overfill, terminal stays terminal")
    func progress() {
        var p = OrderProgress(quantity: 5, buy: false, multiplier: 100)
        p.apply(status: .submitted)
        #expect(p.state == .submitted)
        let check1 = p.apply(fillID: "e1", quantity: 2, priceMicros: 3_500_000)
        #expect(check1)
        #expect(p.state == .partiallyFilled)
        let check2 = !p.apply(fillID: "e1", quantity: 2, priceMicros: 3_500_000)
        #expect(check2)
        #expect(p.filled == 2)
        let check3 = !p.apply(fillID: "e2", quantity: 4, priceMicros: 3_400_000)
        #expect(check3)
        let check4 = p.apply(fillID: "e3", quantity: 3, priceMicros: 3_400_000)
        #expect(check4)
        #expect(p.state == .filled)
        #expect(p.averagePriceMicros == 3_440_000)
        p.apply(status: .submitted)
        p.apply(status: .cancelled)
        #expect(p.state == .filled)
        // Sold at 3.44 against a 3.50 theo: 0.06 of slippage per unit.
        #expect(p.slippageMicros(expectedMicros: 3_500_000) == 60_000)
        // Bought at 5.00, sold 5 at 3.44: −1.56 × 5 × 100.
        #expect(p.realizedPnLMicros(averageCostMicros: 5_000_000) == -780_000_000)
    }

    @Test("a short closed by a buy: P&L and slippage have the buyer's sign")
    func shortClose() {
        var p = OrderProgress(quantity: 1, buy: true, multiplier: 100)
        p.apply(fillID: "x", quantity: 1, priceMicros: 1_200_000)
        #expect(p.realizedPnLMicros(averageCostMicros: 2_000_000) == 80_000_000)
        #expect(p.slippageMicros(expectedMicros: 1_100_000) == 100_000)
        var c = OrderProgress(quantity: 3, buy: true, multiplier: 1)
        c.apply(status: .rejected, reason: "off tick")
        #expect(c.state == .rejected)
        #expect(c.reason == "off tick")
    }
}
