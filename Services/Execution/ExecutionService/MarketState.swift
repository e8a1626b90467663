import Messages

/// The latest touch and theo of what execution works on, from marketdata and the pricer.
struct MarketState: Sendable {
    var options: [String: Volta_V1_OptionQuote] = [:]
    var underlyings: [String: Double] = [:]
    var theos: [String: Double] = [:]

    mutating func apply(_ q: Volta_V1_OptionQuote) { options[Topics.optionQuote(q.contract)] = q }
    mutating func apply(_ q: Volta_V1_UnderlyingQuote) {
        if q.referencePrice > 0, !q.stale { underlyings[q.symbol] = q.referencePrice }
    }
    mutating func apply(_ a: Volta_V1_OptionAnalytics) {
        if a.hasOwn, a.own.theo > 0 { theos[Topics.optionQuote(a.contract)] = a.own.theo }
    }

    /// A usable two-sided touch: not stale, not crossed.
    func touch(_ i: Volta_V1_Instrument) -> (bid: Double, ask: Double)? {
        guard i.hasOption, let q = options[Topics.optionQuote(i.option)], !q.stale, q.bid >= 0, q.ask > 0, q.ask >= q.bid else { return nil }
        return (q.bid, q.ask)
    }

    func theo(_ i: Volta_V1_Instrument) -> Double? { i.hasOption ? theos[Topics.optionQuote(i.option)] : nil }

    /// Whether an intent's cancel condition holds: its underlying last traded through the level.
    /// Unknown (no price yet) is not met.
    func isMet(_ c: Volta_V1_CancelCondition) -> Bool {
        guard !c.underlying.isEmpty, c.level > 0, let p = underlyings[c.underlying] else { return false }
        return c.above ? p > c.level : p < c.level
    }
}
