import Messages

/// What happened, as a strategy sees it.
public enum StrategyEvent: Sendable {
    /// Once, after the host has subscribed and restored what peers published: a strategy sets
    /// its first timers here.
    case start
    /// A state of this strategy published by another worker (live, or from the snapshot asked at
    /// start): merge it, so a handover continues where the last owner was.
    case peerState(Volta_V1_StrategyState)
    case underlyingQuote(Volta_V1_UnderlyingQuote)
    case stats(Volta_V1_UnderlyingStats)
    case position(Volta_V1_Position)
    case fill(Volta_V1_Fill)
    case optionQuote(Volta_V1_OptionQuote)
    case analytics(Volta_V1_OptionAnalytics)
    /// Where one of this strategy's intents stands (risk, the order, fills), from execution.
    case intentReport(Volta_V1_IntentExecution)
    /// A timer this strategy set came due.
    case timer(id: String)
    /// An operator's "run now": do what the strategy's scheduled routine does, at once
    /// (`force`: even with the market closed). A strategy with no routine ignores it.
    case runNow(force: Bool)
    /// The pricer's answer to an ``StrategyAction/askTheo(id:contract:underlyingPrice:owner:)``.
    case theo(id: String, theo: Double)
    /// The pricer could not answer: ask again later if it still matters.
    case theoFailed(id: String, reason: String)
    /// The broker's answer to an ``StrategyAction/askChain(id:request:owner:)``: one expiry's quotes.
    case chain(id: String, Volta_V1_OptionChainSnapshot)
    /// The chain did not come (no such expiry, no line free, the broker away), in words.
    case chainFailed(id: String, reason: String)
}
