import RecorderService
import Testing

@Suite("Trade ledger")
struct TradeLedgerTests {
    func fill(_ quantity: Int64, at price: Double, order: String = "ex-1", reason: String? = nil, expected: Double? = nil,
              commission: Double = 0, time: Int64 = 1) -> TradeFill {
        TradeFill(account: "A", instrument: "SPY 2026-12-18 C 600", underlying: "SPY", multiplier: 100, quantity: quantity, price: price,
                  commission: commission, timeNs: time, orderID: order, strategy: "stops", intentReason: reason, expectedPrice: expected)
    }

    @Test func aStopLossClosesTheTradeWithItsPnLAndSlippage() throws {
        let opened = try #require(TradeLedger.apply(fill(2, at: 3.00, commission: 1.30), to: nil).first)
        #expect(opened.status == "OPEN" && opened.quantity == 2 && opened.entryPrice == 3.00 && opened.realizedPnl == -1.30)
        let closed = TradeLedger.apply(fill(-2, at: 2.50, order: "ex-stop", reason: "stop_loss", expected: 2.60, commission: 1.30, time: 9), to: opened)
        #expect(closed.count == 1)
        let t = closed[0]
        #expect(t.status == "CLOSED" && t.exitReason == "STOP_LOSS" && t.exitPrice == 2.50 && t.exitNs == 9)
        #expect(abs(t.realizedPnl - (-100 - 2.60)) < 1e-9)
        #expect(abs(t.slippage! - 0.10) < 1e-12, "sold 0.10 under the expected price: 0.10 worse")
    }

    @Test func aShortClosedByABuyAndAPartialExitStaysOpen() throws {
        let short = try #require(TradeLedger.apply(fill(-3, at: 4.00), to: nil).first)
        let partial = try #require(TradeLedger.apply(fill(1, at: 3.00, reason: "take_profit"), to: short).first)
        #expect(partial.status == "OPEN" && partial.exitQuantity == 1 && partial.realizedPnl == 100)
        let done = try #require(TradeLedger.apply(fill(2, at: 2.00, reason: "take_profit", expected: 1.95), to: partial).first)
        #expect(done.status == "CLOSED" && done.exitReason == "TAKE_PROFIT")
        #expect(abs(done.exitPrice! - 7.0 / 3) < 1e-12)
        #expect(abs(done.realizedPnl - 500) < 1e-9)
        #expect(abs(done.slippage! - (done.exitPrice! - 1.95)) < 1e-12, "bought above the expected price: worse")
    }

    @Test func addingAveragesTheEntryAndAnOversizedExitOpensTheOtherSide() throws {
        let a = try #require(TradeLedger.apply(fill(1, at: 2.00), to: nil).first)
        let b = try #require(TradeLedger.apply(fill(1, at: 4.00), to: a).first)
        #expect(b.quantity == 2 && b.entryPrice == 3.00)
        let turned = TradeLedger.apply(fill(-5, at: 5.00, commission: 5), to: b)
        #expect(turned.count == 2)
        #expect(turned[0].status == "CLOSED" && turned[0].exitReason == "MANUAL" && abs(turned[0].realizedPnl - (400 - 2)) < 1e-9)
        #expect(turned[1].status == "OPEN" && turned[1].quantity == -3 && turned[1].entryPrice == 5.00 && abs(turned[1].commissions - 3) < 1e-9)
    }

    @Test func expiryAndAssignmentNameTheirExit() throws {
        let long = try #require(TradeLedger.apply(fill(1, at: 1.00), to: nil).first)
        #expect(TradeLedger.apply(fill(-1, at: 0, order: "expiry"), to: long)[0].exitReason == "EXPIRED_WORTHLESS")
        #expect(TradeLedger.apply(fill(-1, at: 3, order: "exercise"), to: long)[0].exitReason == "EXERCISED")
        let short = try #require(TradeLedger.apply(fill(-1, at: 1.00), to: nil).first)
        #expect(TradeLedger.apply(fill(1, at: 3, order: "exercise"), to: short)[0].exitReason == "ASSIGNED")
    }
}
