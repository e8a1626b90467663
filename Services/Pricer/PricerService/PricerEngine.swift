import Messages
import Quant
import Trading

/// The pricer without the bus: the books of every underlying, fed with quotes and asked to
/// refresh. The service owns one behind a lock; tests and the chain benchmark drive it directly.
public struct PricerEngine: Sendable {
    public let configuration: PricerConfiguration
    var books: [String: UnderlyingBook] = [:]
    var calendar = ExpiryCalendar()

    public init(configuration: PricerConfiguration) {
        self.configuration = configuration
    }

    /// What one refresh of one underlying produced.
    public struct Update: Sendable {
        public var analytics: [Volta_V1_OptionAnalytics] = []
        public var surface: Volta_V1_VolSurface?
        public var volatilitiesComputed = 0
    }

    public var underlyings: [String] { books.keys.sorted() }

    /// Underlyings with quotes not yet reflected in their analytics.
    public var pending: [String] { books.values.filter(\.needsRefresh).map(\.symbol).sorted() }

    public mutating func apply(_ quote: Volta_V1_UnderlyingQuote, at timeNs: Int64) {
        guard !quote.symbol.isEmpty else { return }
        books[quote.symbol, default: UnderlyingBook(symbol: quote.symbol)].update(quote, at: timeNs)
    }

    /// - Returns: false for a quote that names no usable contract (counted by the caller).
    @discardableResult
    public mutating func apply(_ quote: Volta_V1_OptionQuote, at timeNs: Int64) -> Bool {
        let symbol = quote.contract.underlying
        guard !symbol.isEmpty, OptionState(quote.contract) != nil else { return false }
        books[symbol, default: UnderlyingBook(symbol: symbol)].update(quote, at: timeNs)
        return true
    }

    /// Marks every option of `symbol` for recomputation: time passed, or this worker just
    /// became the one that publishes it.
    public mutating func invalidate(_ symbol: String) {
        books[symbol]?.allDirty = true
    }

    /// Recomputes what the quotes since the last refresh touched.
    public mutating func refresh(_ symbol: String, now: Int64) -> Update {
        guard let market = books[symbol].map({ market($0, now: now) }) else { return Update() }
        // In place: a copy of the book taken out of the dictionary would copy every option on write.
        let refresh = books[symbol]!.refresh(market, calendar: &calendar, refitIntervalNs: configuration.refitIntervalNs)
        return Update(analytics: refresh.analytics, surface: refresh.surface, volatilitiesComputed: refresh.volatilitiesComputed)
    }

    /// The current analytics of every option of `symbol` (after a refresh): a snapshot.
    public func analytics(of symbol: String) -> [Volta_V1_OptionAnalytics] {
        analytics(of: symbol, under: "").map(\.message)
    }

    /// The analytics of `symbol`'s options whose topic starts with `prefix`, in topic order, each
    /// with its topic. A snapshot for one contract is asked every time execution starts to follow
    /// one: building each topic once and sorting only the matches keeps that from costing a sort
    /// of the whole chain by topics built anew at every comparison.
    public func analytics(of symbol: String, under prefix: String) -> [(topic: String, message: Volta_V1_OptionAnalytics)] {
        guard let book = books[symbol] else { return [] }
        return book.options.compactMap { option in
            option.analytics.flatMap { a in
                let topic = a.topic
                return topic.hasPrefix(prefix) ? (topic, a) : nil
            }
        }.sorted { $0.topic < $1.topic }
    }

    public func surface(of symbol: String) -> Volta_V1_VolSurface? {
        guard let book = books[symbol], !book.slices.isEmpty else { return nil }
        return SurfaceFit.message(underlying: symbol, spot: book.spot, slices: Array(book.slices.values))
    }

    func market(_ book: UnderlyingBook, now: Int64) -> ChainMarket {
        ChainMarket(spot: book.spot, rate: configuration.rate, dividend: configuration.dividendYield(of: book.symbol),
                    nowNs: now, model: configuration.model)
    }
}
