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

    public static func check(_ q: Volta_V1_UnderlyingQuote) -> QuoteRejection? {
        // An index has a level and no market: its bid and ask are its level.
        check(bid: q.bid, ask: q.ask, last: q.last, stale: q.stale) ?? (q.last < 0 ? .nonPositive : nil)
    }

    public static func check(_ q: Volta_V1_OptionQuote) -> QuoteRejection? {
        guard q.contract.strikeMicros > 0, !q.contract.underlying.isEmpty, !q.contract.expiry.isEmpty else { return .nonPositive }
        return check(bid: q.bid, ask: q.ask, last: q.last, stale: q.stale)
            ?? (q.underlyingPrice.isFinite && q.underlyingPrice >= 0 ? nil : .notFinite)
    }
}
