import Market
@testable import MarketdataService
import Messages
import Testing

/// Marketdata forgets an option once its expiry date has passed: a long run's book, stale scans
/// and chain snapshots hold only what can still trade.
@Suite struct MarketBookExpiryTests {
    static func quote(_ expiry: String) -> Volta_V1_OptionQuote {
        .with {
            $0.contract = .with { c in c.underlying = "SPY"; c.expiry = expiry; c.strikeMicros = 500_000_000; c.right = .put }
            $0.bid = 1
            $0.ask = 1.1
        }
    }

    @Test func optionsPastTheirExpiryLeaveTheBookOnTheNextDay() {
        var book = MarketBook()
        for expiry in ["2018-10-19", "2018-10-26", "2018-11-16"] {
            let q = Self.quote(expiry)
            book.accept(q, topic: Topics.optionQuote(q.contract), at: 0)
        }
        #expect(book.dropExpired(before: CivilDate("2018-10-19")!) == 0)
        #expect(book.dropExpired(before: CivilDate("2018-10-22")!) == 1)
        #expect(book.chain("SPY", now: 0).quotes.map(\.contract.expiry) == ["2018-10-26", "2018-11-16"])
    }
}
