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

    /// Whether the underlying has come back through the level that fired a stop exit.
    func hasRecovered(_ t: Volta_V1_StopTrigger) -> Bool {
        guard !t.underlying.isEmpty, t.level > 0, let p = underlyings[t.underlying] else { return false }
        return t.below ? p > t.level : p < t.level
    }
}
