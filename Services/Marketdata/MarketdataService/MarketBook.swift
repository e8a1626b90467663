import Market
import Messages

/// Marketdata's view of the market: the last valid quote of every instrument, when it last
/// changed, daily bars (history from the gateway, today's from live prices) and the
/// statistics derived from them.
public struct MarketBook: Sendable {
    struct Entry<Q: Sendable>: Sendable {
        var quote: Q
        var updated: Int64
        var flaggedStale = false
    }

    var underlyings: [String: Entry<Volta_V1_UnderlyingQuote>] = [:]
    var options: [String: [String: Entry<Volta_V1_OptionQuote>]] = [:]   // underlying → topic → quote
    var bars: [String: [DailyBar]] = [:]
    var historyLoaded: Set<String> = []
    /// The newest burst time accepted per underlying: an older one arriving later is stale.
    var newestBatch: [String: Int64] = [:]
    var lastStats: [String: Volta_V1_UnderlyingStats] = [:]

    public init() {}

    mutating func accept(_ q: Volta_V1_UnderlyingQuote, at now: Int64) {
        underlyings[q.symbol] = Entry(quote: q, updated: now)
        let price = q.last > 0 ? q.last : (q.bid + q.ask) / 2
        guard price > 0 else { return }
        let today = NewYorkTime.local(now).date
        var list = bars[q.symbol] ?? []
        if var bar = list.last, bar.date == today {
            bar.high = max(bar.high, price)
            bar.low = min(bar.low, price)
            bar.close = price
            list[list.count - 1] = bar
        } else if list.last.map({ $0.date < today }) ?? true {
            list.append(DailyBar(date: today, open: price, high: price, low: price, close: price))
        }
        bars[q.symbol] = list
    }

    mutating func accept(_ q: Volta_V1_OptionQuote, topic: String, at now: Int64) {
        options[q.contract.underlying, default: [:]][topic] = Entry(quote: q, updated: now)
    }

    /// Merges history under the live bars: history wins for past days, live for today.
    mutating func loadHistory(_ symbol: String, _ history: [DailyBar]) {
        let live = bars[symbol] ?? []
        let firstLive = live.first?.date
        bars[symbol] = history.filter { firstLive == nil || $0.date < firstLive! } + live
        historyLoaded.insert(symbol)
    }

    /// Options whose expiry date is before `today` leave the book: they are quoted no more, and
    /// kept they would grow every stale scan and chain snapshot for as long as the process runs
    /// (five years of a backtest made housekeeping three quarters of the work).
    /// - Returns: how many left.
    mutating func dropExpired(before today: CivilDate) -> Int {
        var dropped = 0
        for u in options.keys.sorted() {
            let kept = options[u]!.filter { CivilDate($0.value.quote.contract.expiry).map { $0 >= today } ?? true }
            dropped += options[u]!.count - kept.count
            options[u] = kept
        }
        return dropped
    }

    /// Quotes not updated since `cutoff` and not yet flagged, now flagged and returned.
    mutating func newlyStale(before cutoff: Int64) -> (underlyings: [Volta_V1_UnderlyingQuote], options: [Volta_V1_OptionQuote]) {
        var stale: (underlyings: [Volta_V1_UnderlyingQuote], options: [Volta_V1_OptionQuote]) = ([], [])
        // In key order: a dictionary's order is not even the same twice in one process, and
        // the kernel's runs must publish in one order. Only the stale are sorted: this runs every
        // housekeeping pass over every quote, and almost none is stale.
        func due<Quote>(_ entries: [String: Entry<Quote>]) -> [String] {
            entries.compactMap { $0.value.updated < cutoff && !$0.value.flaggedStale ? $0.key : nil }.sorted()
        }
        for symbol in due(underlyings) {
            underlyings[symbol]!.flaggedStale = true
            var q = underlyings[symbol]!.quote
            q.stale = true
            stale.underlyings.append(q)
        }
        for u in options.keys.sorted() {
            for topic in due(options[u]!) {
                options[u]![topic]!.flaggedStale = true
                var q = options[u]![topic]!.quote
                q.stale = true
                stale.options.append(q)
            }
        }
        return stale
    }

    /// The statistics of `symbol`, with `betas` configured overriding the estimate.
    func statistics(_ symbol: String, index: String, betas: [String: Double]) -> Volta_V1_UnderlyingStats {
        var s = Volta_V1_UnderlyingStats()
        s.symbol = symbol
        let bars = self.bars[symbol] ?? []
        s.last = bars.last?.close ?? 0
        s.historyDays = Int32(bars.count)
        s.realizedVol20D = MarketStatistics.realizedVolatility(bars) ?? 0
        s.atr14 = MarketStatistics.averageTrueRange(bars) ?? 0
        s.betaEstimated = symbol == index ? 1 : MarketStatistics.beta(bars, to: self.bars[index] ?? []) ?? 0
        if let configured = betas[symbol] {
            s.beta = configured
            s.betaSource = "configured"
        } else {
            s.beta = s.betaEstimated
            s.betaSource = "estimated"
        }
        s.vix = underlyings["VIX"]?.quote.last ?? 0
        return s
    }

    func chain(_ underlying: String, now: Int64) -> Volta_V1_OptionChainSnapshot {
        var c = Volta_V1_OptionChainSnapshot()
        c.underlying = underlying
        let u = underlyings[underlying]?.quote
        c.underlyingPrice = u.map { $0.last > 0 ? $0.last : ($0.bid + $0.ask) / 2 } ?? 0
        c.quotes = (options[underlying] ?? [:]).sorted { $0.key < $1.key }.map(\.value.quote)
        c.asOfNs = now
        return c
    }
}
