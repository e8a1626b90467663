import Messages

/// A trading strategy: typed events in, actions out. Pure and bus-free, like the rules in
/// `Trading`, so a strategy is tested by feeding it events and reading what it asks for, and the
/// same value runs in the live host over ZeroMQ and in the in-process kernel over history.
///
/// The host (the `strategy` executable) owns everything that is not the strategy's: which worker
/// acts on which key (rendezvous hashing over live workers), submitting intents and resubmitting
/// them until they end, asking the pricer, timers on the bus clock, publishing and restoring state,
/// and the exchange calendar. Every worker feeds every event to its copy of the strategy, so a
/// worker that gains a key on a handover already holds its state; only the owner's actions run.
///
/// `handle` is called serially: one event at a time, never concurrently.
public protocol Strategy: Sendable {
    /// The plug-in's name: what `strategy.enabled` lists, the `strategy` of its intents, the
    /// level of its state topics.
    var name: String { get }
    /// The streams it reads; the host subscribes to their union.
    var feeds: Set<StrategyFeed> { get }
    /// What a broker that quotes only what is asked (IB's market data lines) must stream for it;
    /// the host asks the gateway while the strategy runs. By default each option feed's
    /// underlying with its options near the money.
    var quotesWanted: QuotesWanted { get }
    /// One event at `context.now`: what to do about it.
    mutating func handle(_ event: StrategyEvent, _ context: StrategyContext) -> [StrategyAction]
    /// An operator edited this strategy's parameters while it runs: `fresh` is an instance made
    /// from the edited configuration. Take its settings, keep what is held (positions, the day's
    /// intents, fired stops), and return what the change calls for (a routine moved to its new
    /// time). nil: this strategy's parameters are fixed while it runs (the default).
    mutating func adoptSettings(of fresh: Self, _ context: StrategyContext) -> [StrategyAction]?
}

extension Strategy {
    public mutating func adoptSettings(of fresh: Self, _ context: StrategyContext) -> [StrategyAction]? { nil }

    public var quotesWanted: QuotesWanted {
        var wanted = QuotesWanted()
        for case .optionQuotes(let underlying) in feeds { wanted.optionUnderlyings.insert(underlying) }
        for case .analytics(let underlying) in feeds { wanted.underlyings.insert(underlying) }
        return wanted
    }

    /// ``adoptSettings(of:_:)`` for an instance the host knows only as a strategy.
    public mutating func adoptSettings(from fresh: any Strategy, _ context: StrategyContext) -> [StrategyAction]? {
        guard let same = fresh as? Self else { return nil }
        return adoptSettings(of: same, context)
    }
}

/// A stream a strategy reads from the bus.
public enum StrategyFeed: Hashable, Sendable {
    /// Every underlying's validated quote (`md.quote.*`), the indexes and the VIX among them.
    case underlyingQuotes
    /// Marketdata's statistics (beta, ATR, realized vol, VIX) per symbol.
    case stats
    /// The broker's positions.
    case positions
    /// The broker's fills.
    case fills
    /// The option quotes of one underlying's chain.
    case optionQuotes(underlying: String)
    /// The pricer's theos and greeks of one underlying's options.
    case analytics(underlying: String)
}

/// The quotes a strategy needs streamed, beyond its positions and working orders (which the
/// gateway keeps quoted by itself).
public struct QuotesWanted: Hashable, Sendable {
    /// Quoted as underlyings: an index, the VIX, a stock.
    public var underlyings: Set<String> = []
    /// Quoted with their options near the money.
    public var optionUnderlyings: Set<String> = []

    public init(underlyings: Set<String> = [], optionUnderlyings: Set<String> = []) {
        self.underlyings = underlyings
        self.optionUnderlyings = optionUnderlyings
    }

    public func union(_ other: QuotesWanted) -> QuotesWanted {
        QuotesWanted(underlyings: underlyings.union(other.underlyings), optionUnderlyings: optionUnderlyings.union(other.optionUnderlyings))
    }
}
