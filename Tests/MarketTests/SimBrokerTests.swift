import Testing
@testable import Market

/// Every order type and fill rule of the simulated broker, against exact touches.
@Suite struct SimBrokerTests {
    typealias M = StubMarket

    func order(_ id: String, _ instrument: InstrumentKey = M.put, _ side: SimSide = .buy, _ quantity: Int64 = 5,
               _ type: SimOrderType = .market, limit: String? = nil, stop: String? = nil, tif: SimTimeInForce = .day) -> SimOrderRequest {
        SimOrderRequest(orderID: id, legs: [SimLeg(instrument: instrument, side: side)], quantity: quantity, type: type,
                        limitMicros: limit.flatMap { Money.micros($0) }, stopMicros: stop.flatMap { Money.micros($0) }, tif: tif)
    }

    @Test func marketOrdersTakeTheTouchAndFillPartiallyBeyondItsSize() {
        var m = M.standard(), b = SimBroker.rich()
        #expect(b.place(order("m1", M.put, .buy, 10), market: m).state == .submitted)
        #expect(b.match(market: m, seconds: 0.01).isEmpty)           // latency: not at the exchange yet
        var fills = b.run(&m, steps: 1).fills
        #expect(fills.map(\.quantity) == [7] && fills[0].priceMicros == 4_300_000)
        #expect(b.status(of: "m1")?.state == .partiallyFilled && b.status(of: "m1")?.remaining == 3)
        fills = b.run(&m, steps: 1).fills
        #expect(fills.map(\.quantity) == [3])
        #expect(b.status(of: "m1")?.state == .filled && b.status(of: "m1")?.averagePriceMicros == 4_300_000)
        #expect(b.account.holdings[M.put]?.quantity == 10)
        #expect(b.account.cashMicros == 1_000_000_000_000 - 10 * 4_300_000 * 100 - 10 * 650_000)
    }

    @Test func limitsCrossingFillAtTheTouchAndInsideFillAtTheirPrice() {
        var m = M.standard(), b = SimBroker.rich()
        _ = b.place(order("through", M.put, .buy, 2, .limit, limit: "4.50"), market: m)
        _ = b.place(order("inside", M.put, .sell, 2, .limit, limit: "4.15"), market: m)   // leans hard toward the bid
        _ = b.place(order("away", M.put, .buy, 2, .limit, limit: "4.00"), market: m)
        let fills = b.run(&m, steps: 600).fills
        #expect(fills.first { $0.orderID == "through" }?.priceMicros == 4_300_000)
        #expect(fills.filter { $0.orderID == "inside" }.allSatisfy { $0.priceMicros == 4_150_000 })
        #expect(b.status(of: "inside")?.state == .filled)
        #expect(b.status(of: "away")?.state == .submitted)
        m.touches[M.put] = Touch(bid: 3.80, ask: 3.95, bidSize: 5, askSize: 5)           // the market comes to it
        _ = b.run(&m, steps: 1)
        #expect(b.status(of: "away")?.state == .filled && b.status(of: "away")?.averagePriceMicros == 3_950_000)
    }

    @Test func stopsTriggerOnTheirSideOfTheTouch() {
        var m = M.standard(), b = SimBroker.rich()
        b.account.seed(M.put, quantity: 10, priceMicros: 4_000_000)
        _ = b.place(order("stop", M.put, .sell, 5, .stop, stop: "3.50", tif: .gtc), market: m)
        _ = b.place(order("stoplimit", M.put, .sell, 5, .stopLimit, limit: "3.40", stop: "3.50", tif: .gtc), market: m)
        #expect(b.run(&m, steps: 5).fills.isEmpty)
        m.touches[M.put] = Touch(bid: 3.50, ask: 3.70, bidSize: 50, askSize: 50)
        let fills = b.run(&m, steps: 1).fills
        #expect(fills.first { $0.orderID == "stop" }?.priceMicros == 3_500_000)
        #expect(fills.first { $0.orderID == "stoplimit" }?.priceMicros == 3_500_000)   // limit 3.40 is through the bid
        m.touches[M.put] = Touch(bid: 3.20, ask: 3.40, bidSize: 50, askSize: 50)
        #expect(b.status(of: "stop")?.state == .filled)
    }

    @Test func stopLimitsWaitWhenTheMarketGapsThroughTheLimit() {
        var m = M.standard(), b = SimBroker.rich()
        _ = b.place(order("sl", M.put, .sell, 5, .stopLimit, limit: "3.40", stop: "3.50"), market: m)
        m.touches[M.put] = Touch(bid: 3.00, ask: 3.10, bidSize: 50, askSize: 50)
        #expect(b.run(&m, steps: 30).fills.isEmpty)
        #expect(b.status(of: "sl")?.state == .submitted)
    }

    @Test func trailingStopsRatchetAndTrigger() {
        var m = M.standard(), b = SimBroker.rich()
        var r = order("trail", M.call, .sell, 3, .trailingStop, tif: .gtc)
        r.trailAmountMicros = 500_000
        _ = b.place(r, market: m)
        for bid in [6.00, 6.50, 7.00, 6.80, 6.60] {                              // stop ratchets to 6.50
            m.touches[M.call] = Touch(bid: bid, ask: bid + 0.2, bidSize: 10, askSize: 10)
            #expect(b.run(&m, steps: 1).fills.isEmpty)
        }
        m.touches[M.call] = Touch(bid: 6.45, ask: 6.65, bidSize: 10, askSize: 10)
        #expect(b.run(&m, steps: 1).fills.map(\.priceMicros) == [6_450_000])
        var pct = order("trailpct", M.spy, .sell, 100, .trailingStop)
        pct.trailPercent = 1
        _ = b.place(pct, market: m)
        #expect(b.run(&m, steps: 1).fills.isEmpty)                                   // stop at 589.99 × 0.99
        m.touches[M.spy] = Touch(bid: 584.00, ask: 584.02, bidSize: 500, askSize: 500)   // −1.0%: 589.99 × 0.99 = 584.09
        #expect(b.run(&m, steps: 1).fills.first?.quantity == 100)
    }

    @Test func dayOrdersEndAtTheCloseAndGTCOrdersStay() {
        var m = M.standard(), b = SimBroker.rich()
        _ = b.place(order("day", M.put, .buy, 1, .limit, limit: "3.00"), market: m)
        _ = b.place(order("gtc", M.put, .buy, 1, .limit, limit: "3.00", tif: .gtc), market: m)
        _ = b.run(&m, steps: 2)
        let ended = b.sessionClosed()
        #expect(ended.count == 1 && b.status(of: "day")?.state == .expired && b.status(of: "gtc")?.state == .submitted)
    }

    @Test func combosFillAllLegsAtTheirNetLimit() {
        var m = M.standard(), b = SimBroker.rich()
        // A put spread bought for a debit: buy the 550 put, sell the 600 call (a risk reversal).
        let legs = [SimLeg(instrument: M.put, side: .buy), SimLeg(instrument: M.call, side: .sell)]
        // Net at the far side: 4.30 − 6.00 = −1.70 (a credit); a limit of −1.80 asks for more.
        var r = SimOrderRequest(orderID: "combo", legs: legs, quantity: 4, type: .limit, limitMicros: -1_800_000)
        _ = b.place(r, market: m)
        _ = b.run(&m, steps: 3)
        r.orderID = "combo2"
        r.limitMicros = -1_700_000
        _ = b.place(r, market: m)
        let fills = b.run(&m, steps: 1).fills.filter { $0.orderID == "combo2" }
        #expect(fills.map(\.quantity) == [4, 4])
        #expect(fills.map(\.priceMicros) == [4_300_000, 6_000_000])
        #expect(b.status(of: "combo2")?.averagePriceMicros == -1_700_000)
    }

    @Test func bracketsHoldTheirChildrenAndOCAReducesTheOther() {
        var m = M.standard(), b = SimBroker.rich()
        _ = b.place(order("parent", M.put, .buy, 6, .limit, limit: "4.30"), market: m)
        var tp = order("tp", M.put, .sell, 6, .limit, limit: "5.00", tif: .gtc)
        tp.parentID = "parent"; tp.ocaGroup = "bracket-1"
        var sl = order("sl", M.put, .sell, 6, .stop, stop: "3.50", tif: .gtc)
        sl.parentID = "parent"; sl.ocaGroup = "bracket-1"
        #expect(b.place(tp, market: m).state == .held)
        #expect(b.place(sl, market: m).state == .held)
        _ = b.run(&m, steps: 1)
        #expect(b.status(of: "parent")?.state == .filled)
        #expect(b.status(of: "tp")?.state == .submitted && b.status(of: "sl")?.state == .submitted)
        m.touches[M.put] = Touch(bid: 5.00, ask: 5.20, bidSize: 4, askSize: 10)        // 4 of 6 take profit
        _ = b.run(&m, steps: 1)
        #expect(b.status(of: "tp")?.filled == 4 && b.status(of: "sl")?.remaining == 2)
        m.touches[M.put] = Touch(bid: 3.40, ask: 3.60, bidSize: 10, askSize: 10)
        _ = b.run(&m, steps: 1)
        #expect(b.status(of: "sl")?.state == .filled && b.status(of: "sl")?.filled == 2)
        #expect(b.status(of: "tp")?.state == .filled && b.status(of: "tp")?.filled == 4)
        #expect(b.account.holdings[M.put]?.quantity == 0)
    }

    @Test func theAdaptiveAlgoWorksInsideTheSpreadAndNeverPastItsCap() {
        var m = M.standard(), b = SimBroker.rich()
        m.touches[M.put] = Touch(bid: 4.00, ask: 5.00, bidSize: 40, askSize: 40)
        var r = order("algo", M.put, .buy, 20, .limit, limit: "4.80")
        r.adaptive = .urgent
        _ = b.place(r, market: m)
        let fills = b.run(&m, steps: 300).fills
        #expect(b.status(of: "algo")?.state == .filled)
        #expect(fills.allSatisfy { $0.priceMicros > 4_000_000 && $0.priceMicros <= 4_800_000 }, "\(fills.map(\.priceMicros))")
    }

    @Test func rejectsSayWhy() {
        let m = M.standard()
        var b = SimBroker.rich()
        let unknown = InstrumentKey.option(OptionKey("SPY 2026-12-18 P 551")!)
        #expect(b.place(order("u", unknown), market: m).reason.contains("unknown contract"))
        #expect(b.place(order("t", M.put, .buy, 1, .limit, limit: "4.123"), market: m).reason.contains("off the 0.01 tick"))
        #expect(b.place(order("t5", M.aaplCall, .buy, 1, .limit, limit: "5.12"), market: m).reason.contains("off the 0.05 tick"))
        #expect(b.place(order("q", M.put, .buy, 0), market: m).state == .rejected)
        #expect(b.place(order("l", M.put, .buy, 1, .limit), market: m).reason.contains("needs a limit"))
        var poor = SimBroker(account: SimAccount(id: "P", cashMicros: 10_000 * 1_000_000))
        #expect(poor.place(order("naked", M.put, .sell, 50), market: m).reason.contains("insufficient buying power"))
        #expect(poor.place(order("small", M.put, .sell, 1), market: m).state == .submitted)
        poor.account.seed(M.put, quantity: -50, priceMicros: 4_000_000)
        #expect(poor.place(order("close", M.put, .buy, 50, .limit, limit: "4.30"), market: m).state == .submitted)
    }

    @Test func theSameOrderIDNeverBecomesTwoOrders() {
        var m = M.standard(), b = SimBroker.rich()
        let first = b.place(order("once", M.put, .buy, 3), market: m)
        let again = b.place(order("once", M.put, .buy, 3), market: m)
        #expect(first.brokerID == again.brokerID)
        _ = b.run(&m, steps: 2)
        _ = b.place(order("once", M.put, .buy, 3), market: m)
        _ = b.run(&m, steps: 2)
        #expect(b.account.holdings[M.put]?.quantity == 3)
    }

    @Test func modifyAndCancel() {
        var m = M.standard(), b = SimBroker.rich()
        _ = b.place(order("w", M.put, .buy, 5, .limit, limit: "3.00", tif: .gtc), market: m)
        var changed = order("w", M.put, .buy, 5, .limit, limit: "4.30", tif: .gtc)
        changed.quantity = 4
        #expect((try? b.modify(changed, market: m).get())?.remaining == 4)
        _ = b.run(&m, steps: 1)
        #expect(b.status(of: "w")?.state == .filled && b.status(of: "w")?.filled == 4)
        _ = b.place(order("c", M.put, .buy, 5, .limit, limit: "3.00"), market: m)
        #expect(b.cancel("c")?.state == .cancelled)
        if case .failure(let e) = b.modify(order("c", M.put, .buy, 5, .limit, limit: "3.10"), market: m) {
            #expect(e.reason.contains("cancelled"))
        } else { Issue.record("modified a cancelled order") }
    }
}
