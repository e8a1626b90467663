import Testing
@testable import Market

/// Average cost, realized P&L, Reg-T margin, and exercise and assignment at expiry.
@Suite struct SimAccountTests {
    let put = InstrumentKey.option(OptionKey("SPY 2026-12-18 P 550")!)
    let call = InstrumentKey.option(OptionKey("SPY 2026-12-18 C 600")!)

    @Test func averageCostAndRealizedPnLAreExact() {
        var a = SimAccount(id: "A", cashMicros: 100_000_000_000)
        a.apply(put, side: .sell, quantity: 2, priceMicros: 4_200_000, commissionMicros: 1_300_000)
        a.apply(put, side: .sell, quantity: 1, priceMicros: 4_500_000, commissionMicros: 650_000)
        #expect(a.holdings[put] == SimAccount.Holding(quantity: -3, averageCostMicros: 4_300_000))
        a.apply(put, side: .buy, quantity: 2, priceMicros: 2_000_000, commissionMicros: 1_300_000)
        let realized = a.holdings[put]?.realizedMicros ?? 0
        #expect(realized == Int64(2 * 2_300_000 * 100))                           // short at 4.30, bought back at 2.00
        #expect(a.cashMicros == 100_000_000_000 + (2 * 4_200_000 + 4_500_000 - 2 * 2_000_000) * 100 - 3_250_000)
        a.apply(put, side: .buy, quantity: 3, priceMicros: 1_000_000, commissionMicros: 0)   // through zero: long 2 at 1.00
        #expect(a.holdings[put]?.quantity == 2 && a.holdings[put]?.averageCostMicros == 1_000_000)
        #expect(a.unrealized(put, mark: 1.5) == 100)
    }

    @Test func regTRequirementsForShortOptions() {
        var holdings: [InstrumentKey: SimAccount.Holding] = [:]
        holdings[put] = .init(quantity: -2, averageCostMicros: 4_000_000)
        let mark: (InstrumentKey) -> Double? = { _ in 4.0 }
        // 4.00 + max(20% × 590 − 40 OTM, 10% × 550) = 82.00 per share, × 100 × 2.
        let naked = RegTMargin.requirement(holdings, mark: mark, spot: { _ in 590 }, isIndex: { _ in false })
        #expect(abs(naked - 16_400) < 1e-6)
        holdings[call] = .init(quantity: -1, averageCostMicros: 6_000_000)
        holdings[.underlying("SPY")] = .init(quantity: 100, averageCostMicros: 590_000_000)
        let covered = RegTMargin.requirement(holdings, mark: { k in k == .underlying("SPY") ? 590 : 4.0 },
                                             spot: { _ in 590 }, isIndex: { _ in false })
        #expect(abs(covered - (16_400 + 0.5 * 100 * 590)) < 1e-6)   // the call is covered by the shares
    }

    @Test func expiryExercisesAndAssignsInTheMoneyAndLetsTheRestExpire() {
        var a = SimAccount(id: "A", cashMicros: 0)
        a.seed(put, quantity: -2, priceMicros: 4_000_000)      // assigned: buys 200 shares at 550
        a.seed(call, quantity: 1, priceMicros: 3_000_000)      // out of the money: expires
        let putFills = a.settle(OptionKey("SPY 2026-12-18 P 550")!, settlement: 540, cashSettled: false, time: 1)
        let callFills = a.settle(OptionKey("SPY 2026-12-18 C 600")!, settlement: 540, cashSettled: false, time: 1)
        #expect(putFills.count == 2 && callFills.count == 1)
        #expect(a.holdings[.underlying("SPY")]?.quantity == 200)
        #expect(a.cashMicros == -200 * 550_000_000)              // paid the strike for 200 shares
        #expect(a.holdings[put]?.realizedMicros == -2 * 6_000_000 * 100)   // sold at 4.00, closed at intrinsic 10.00
        #expect(a.holdings[call]?.realizedMicros == -3_000_000 * 100)
        var index = SimAccount(id: "I", cashMicros: 0)
        let spxCall = OptionKey("SPX 2026-12-18 C 5800")!
        index.seed(.option(spxCall), quantity: 1, priceMicros: 50_000_000)
        _ = index.settle(spxCall, settlement: 5900, cashSettled: true, time: 1)
        #expect(index.cashMicros == 100_000_000 * 100 && index.holdings[.underlying("SPX")] == nil)
    }

    @Test func moneyParsesExactly() {
        #expect(Money.micros("4.20") == 4_200_000)
        #expect(Money.micros("-0.05") == -50_000)
        #expect(Money.micros("1.0000001") == nil)
        #expect(Money.micros("abc") == nil)
        #expect(Money.format(550_500_000) == "550.5")
        #expect(OptionKey("SPY 2026-12-18 P 550.5")?.description == "SPY 2026-12-18 P 550.5")
    }
}
