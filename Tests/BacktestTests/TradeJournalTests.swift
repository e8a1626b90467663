@testable import BacktestEngine
import Messages
import Synchronization
import Testing

/// Round trips from fills: averaging in, partial exits, through zero, and the venue's expiry and
/// exercise named by what they did to whom.
@Suite struct TradeJournalTests {
    static let call = Volta_V1_Instrument.with {
        $0.symbol = "SPY"
        $0.option = .with { o in o.underlying = "SPY"; o.expiry = "2018-10-19"; o.strikeMicros = 290_000_000; o.right = .call; o.multiplier = 100 }
    }
    static let counter = Atomic<Int>(0)

    static func fill(_ side: Volta_V1_Side, _ quantity: Int64, _ price: Double, order: String = "o", commission: Double = 0.65) -> Volta_V1_Fill {
        let n = counter.add(1, ordering: .relaxed).newValue
        return .with {
            $0.fillID = "f\(n)-\(order)-\(quantity)-\(price)"
            $0.orderID = order
            $0.instrument = call
            $0.side = side
            $0.quantity = quantity
            $0.priceMicros = Int64((price * 1e6).rounded())
            $0.commissionMicros = Int64((commission * 1e6).rounded())
            $0.timeNs = Int64(n)
        }
    }

    @Test func averagesInAndClosesOnceFlatWithTheStrategysReason() {
        var j = TradeJournal()
        let entry = FillCause(strategy: "timed-bracket", reason: "timed_entry")
        j.book(Self.fill(.buy, 1, 2.00), cause: entry, market: (290, 0.15, 0.3))
        j.book(Self.fill(.buy, 1, 3.00), cause: entry, market: nil)
        j.book(Self.fill(.sell, 1, 4.00), cause: FillCause(strategy: "stops", reason: "stop_loss"), market: nil)
        #expect(j.closed.isEmpty)
        j.book(Self.fill(.sell, 1, 5.00), cause: FillCause(strategy: "stops", reason: "stop_loss"), market: nil)
        let t = j.closed[0]
        #expect(t.quantity == 2 && t.entryPrice == 2.5 && t.exitPrice == 4.5 && t.exitReason == "stop_loss")
        #expect(abs(t.pnl - (2 * 2 * 100 - 4 * 0.65)) < 1e-9 && t.strategy == "timed-bracket" && t.underlyingAtEntry == 290)
    }

    @Test func aFillThroughZeroClosesOneTripAndOpensTheNext() {
        var j = TradeJournal()
        j.book(Self.fill(.sell, 2, 1.00), cause: nil, market: nil)
        j.book(Self.fill(.buy, 3, 0.50, commission: 3), cause: FillCause(strategy: "s", reason: "take_profit"), market: nil)
        #expect(j.closed.count == 1 && j.closed[0].quantity == -2 && j.closed[0].exitReason == "take_profit")
        #expect(abs(j.closed[0].pnl - (0.5 * 2 * 100 - 0.65 - 2)) < 1e-9)
        let open = j.trips(mark: { _ in 0.75 }, now: 0).filter(\.isOpen)
        #expect(open.count == 1 && open[0].quantity == 1 && abs(open[0].pnl - (25 - 1)) < 1e-9)
    }

    @Test func theVenuesExpiryAndExerciseNameWhatHappened() {
        var j = TradeJournal()
        j.book(Self.fill(.sell, 1, 1.00), cause: nil, market: nil)
        j.book(Self.fill(.buy, 1, 0.40, order: "exercise", commission: 0), cause: nil, market: nil)
        j.book(Self.fill(.buy, 1, 1.00), cause: nil, market: nil)
        j.book(Self.fill(.sell, 1, 0, order: "expiry", commission: 0), cause: nil, market: nil)
        j.book(Self.fill(.buy, 1, 1.00), cause: nil, market: nil)
        j.book(Self.fill(.sell, 1, 0.3, order: "exercise", commission: 0), cause: nil, market: nil)
        #expect(j.closed.map(\.exitReason) == ["assigned", "expired", "exercised"])
    }

    @Test func aRepeatedFillIsBookedOnce() {
        var j = TradeJournal()
        let f = Self.fill(.buy, 1, 1.00)
        j.book(f, cause: nil, market: nil)
        j.book(f, cause: nil, market: nil)
        #expect(j.trips(mark: { _ in 1 }, now: 0)[0].quantity == 1)
    }
}
