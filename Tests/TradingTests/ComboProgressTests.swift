import Testing
import Trading

/// A combo fills leg by leg but trades as one: whole units in ratio, at the net in its direction.
@Suite("Combo progress: whole units, the net in the combo's direction")
struct ComboProgressTests {
    /// Sell the 100 put, buy the 95 put: a credit spread, sold.
    static func soldSpread(quantity: Int64, ratios: (Int64, Int64) = (1, 1)) -> OrderProgress {
        OrderProgress(quantity: quantity, buy: false, multiplier: 100,
                      legs: [.init(ratio: ratios.0, withDirection: true), .init(ratio: ratios.1, withDirection: false)])
    }

    @Test("one leg filled is no spread filled; both legs make a unit at the credit")
    func legByLeg() {
        var p = Self.soldSpread(quantity: 2)
        let r1 = p.apply(fillID: "a", leg: 0, quantity: 2, priceMicros: 3_000_000)
        #expect(r1)
        #expect(p.filled == 0 && p.state == .partiallyFilled)
        let r2 = p.apply(fillID: "b", leg: 1, quantity: 1, priceMicros: 1_200_000)
        #expect(r2)
        #expect(p.filled == 1 && p.averagePriceMicros == 1_800_000)
        let r3 = p.apply(fillID: "b", leg: 1, quantity: 1, priceMicros: 1_200_000)
        #expect(!r3, "a fill seen twice counts once")
        let r4 = p.apply(fillID: "c", leg: 1, quantity: 1, priceMicros: 1_300_000)
        #expect(r4)
        #expect(p.filled == 2 && p.state == .filled)
        // 3.00 received, 1.25 paid on average: a 1.75 credit.
        #expect(p.averagePriceMicros == 1_750_000)
        let r5 = p.apply(fillID: "d", leg: 0, quantity: 1, priceMicros: 3_000_000)
        #expect(!r5, "no overfill of a leg")
        // Sold for 1.75 against an expected 1.85: 0.10 worse, as for any sale.
        #expect(p.slippageMicros(expectedMicros: 1_850_000) == 100_000)
    }

    @Test("ratios: a 1×2 spread is one unit when the second leg has filled twice")
    func ratios() {
        var p = Self.soldSpread(quantity: 1, ratios: (1, 2))
        let r6 = p.apply(fillID: "a", leg: 0, quantity: 1, priceMicros: 4_000_000)
        #expect(r6)
        let r7 = p.apply(fillID: "b", leg: 1, quantity: 1, priceMicros: 1_000_000)
        #expect(r7)
        #expect(p.filled == 0)
        let r8 = p.apply(fillID: "c", leg: 1, quantity: 1, priceMicros: 1_100_000)
        #expect(r8)
        #expect(p.filled == 1 && p.averagePriceMicros == 1_900_000)
        let r9 = p.apply(fillID: "e", leg: 2, quantity: 1, priceMicros: 1)
        #expect(!r9, "no such leg")
    }

    @Test("a status that reports fills never seen books the rest at its net, once")
    func statusFill() {
        var p = Self.soldSpread(quantity: 3)
        p.apply(fillID: "a", leg: 0, quantity: 1, priceMicros: 3_000_000)
        p.apply(fillID: "b", leg: 1, quantity: 1, priceMicros: 1_000_000)
        let r10 = p.apply(fillID: "status", quantity: 2, priceMicros: 2_500_000)
        #expect(r10)
        #expect(p.filled == 3 && p.state == .filled)
        #expect(p.averagePriceMicros == 2_333_333)
        let r11 = p.apply(fillID: "late", leg: 0, quantity: 1, priceMicros: 3_000_000)
        #expect(!r11)
    }

    @Test("adopted after a restart: what was booked stays, the legs fill the rest")
    func adopted() {
        var bare = OrderProgress(quantity: 2, buy: true, multiplier: 1)
        bare.apply(fillID: "s", quantity: 1, priceMicros: 1_500_000)
        var p = bare.with(buy: false, multiplier: 100, legs: [.init(ratio: 1, withDirection: true), .init(ratio: 1, withDirection: false)])
        #expect(p.filled == 1 && p.direction == -1 && p.averagePriceMicros == 1_500_000)
        let r12 = p.apply(fillID: "s", leg: 0, quantity: 1, priceMicros: 1)
        #expect(!r12, "the fill booked before is not counted again")
        p.apply(fillID: "x", leg: 0, quantity: 1, priceMicros: 3_000_000)
        p.apply(fillID: "y", leg: 1, quantity: 1, priceMicros: 1_400_000)
        #expect(p.filled == 2 && p.averagePriceMicros == 1_550_000)
    }
}
