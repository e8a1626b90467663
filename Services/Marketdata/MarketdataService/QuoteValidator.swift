import Messages

/// Why a broker quote is refused before any strategy can see it.
public enum QuoteRejection: String, CaseIterable, Sendable {
    /// A NaN or infinite price.
    case notFinite = "not_finite"
    /// No ask, or a negative bid (TWS sends −1 for "no market").
    case nonPositive = "non_positive"
    /// Bid above ask.
    case crossed
    /// Flagged stale by the broker, or older than the newest already accepted.
    case stale
}

/// The rules every quote passes before marketdata republishes it.
public enum QuoteValidator {
    public static func check(bid: Double, ask: Double, last: Double, stale: Bool) -> QuoteRejection? {
        guard bid.isFinite, ask.isFinite, last.isFinite else { return .notFinite }
        guard ask > 0, bid >= 0 else { return .nonPositive }
        guard bid <= ask else { return .crossed }
        return stale ? .stale : nil
    }

    /// An underlying with a two-sided market is checked as any quote. One without (an index:
    /// TWS quotes VIX and SPX by their last and close, with no bid or ask, or −1 for each) is a
    /// level, accepted when its last is a price: refusing it would keep the index, and every
    /// stop sized from it, from ever reaching a strategy.
    public static func check(_ q: Volta_V1_UnderlyingQuote) -> QuoteRejection? {
        guard q.bid.isFinite, q.ask.isFinite, q.last.isFinite else { return .notFinite }
        guard hasMarket(q) else { return q.last > 0 ? (q.stale ? .stale : nil) : .nonPositive }
        return check(bid: q.bid, ask: q.ask, last: q.last, stale: q.stale) ?? (q.last < 0 ? .nonPositive : nil)
    }

    /// Whether the quote has a market (an ask, and a bid that is not "no bid"); else it is a level.
    public static func hasMarket(_ q: Volta_V1_UnderlyingQuote) -> Bool { q.ask > 0 && q.bid >= 0 }

    public static func check(_ q: Volta_V1_OptionQuote) -> QuoteRejection? {
        guard q.contract.strikeMicros > 0, !q.contract.underlying.isEmpty, !q.contract.expiry.isEmpty else { return .nonPositive }
        return check(bid: q.bid, ask: q.ask, last: q.last, stale: q.stale)
            ?? (q.underlyingPrice.isFinite && q.underlyingPrice >= 0 ? nil : .notFinite)
    }
}
