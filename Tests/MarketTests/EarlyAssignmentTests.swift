import Testing
@testable import Market

/// LEAN's early assignment: a short equity option deep in the money near expiry, when its holder
/// gains by exercising; never far from expiry, never with time value left, never for the index.
@Suite struct EarlyAssignmentTests {
    typealias M = StubMarket

    /// SPY at 500, a short 550 put (10% in the money) bid at `bid`, on `date` at the close.
    func setup(bid: Double, date: String, enabled: Bool = true) -> (StubMarket, SimBroker) {
        var m = M.standard()
        m.now = NewYorkTime.instant(CivilDate(date)!, minute: NYSECalendar.regularClose)
        m.prices["SPY"] = 500
        m.touches[M.spy] = Touch(bid: 499.99, ask: 500.01, bidSize: 500, askSize: 500)
        m.touches[M.put] = Touch(bid: bid, ask: bid + 0.2, bidSize: 10, askSize: 10)
        var b = SimBroker.rich()
        b.account.seed(M.put, quantity: -2, priceMicros: 4_000_000)
        b.earlyAssignment = enabled
        return (m, b)
    }

    @Test func aDeepShortPutWithNoTimeValueIsAssignedWithinFourDays() {
        var (m, b) = setup(bid: 49.5, date: "2026-12-15")
        let events = b.assignEarly(market: m)
        let fills = events.compactMap { if case .fill(let f) = $0 { f } else { nil } }
        // The put closed at its intrinsic value at the ask (50.01 − 0.02), 200 shares bought.
        #expect(fills.count == 2 && fills[0].orderID == "exercise" && fills[1].instrument == M.spy && fills[1].quantity == 200)
        #expect(b.account.holdings[M.put]?.quantity == 0 && b.account.holdings[M.spy]?.quantity == 200)
        m.now += 1
        #expect(b.assignEarly(market: m).isEmpty)
    }

    @Test func notFarFromExpiryNorWithTimeValueNorWhenOff() {
        var (m, b) = setup(bid: 49.5, date: "2026-12-10")
        #expect(b.assignEarly(market: m).isEmpty)
        (m, b) = setup(bid: 50.5, date: "2026-12-16")
        #expect(b.assignEarly(market: m).isEmpty)
        (m, b) = setup(bid: 49.5, date: "2026-12-16", enabled: false)
        #expect(b.assignEarly(market: m).isEmpty)
    }
}
