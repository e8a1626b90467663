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
    /// One event at `context.now`: what to do about it.
    mutating func handle(_ event: StrategyEvent, _ context: StrategyContext) -> [StrategyAction]
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
