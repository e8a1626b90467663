import Messages

/// What a strategy asks the host to do. Each action names its owner key (usually an
/// underlying): the host performs it only on the worker that owns that key, and drops it on the
/// others, whose copies of the strategy emit the same actions from the same events.
public enum StrategyAction: Sendable, Equatable {
    /// Submits an intent to execution. The host publishes it once (`strategy.intent.<strategy>`),
    /// resubmits it with the same id until execution reports it ended (a restarted execution or a
    /// worker that takes the key over thereby continues it; execution never places it twice), and
    /// feeds the reports back as ``StrategyEvent/intentReport(_:)``.
    case submit(Volta_V1_OrderIntent, owner: String)
    /// Cancels an intent's order (or stops it before it is placed).
    case cancel(intentID: String, owner: String)
    /// Publishes the strategy's state for one key (`strategy.state.<strategy>.<key>`).
    case publish(Volta_V1_StrategyState)
    /// Tells an operator something (`strategy.alert.<strategy>` and the log).
    case alert(level: AlertLevel, message: String, owner: String)
    /// Fires ``StrategyEvent/timer(id:)`` at `at` (bus time, ns). Setting an id again moves it.
    case timer(id: String, at: Int64)
    /// Asks the pricer for the theo of `contract` with its underlying at `underlyingPrice`; the
    /// answer comes back as ``StrategyEvent/theo(id:theo:)``. Asks of one id already in flight
    /// are not sent again.
    case askTheo(id: String, contract: Volta_V1_OptionContract, underlyingPrice: Double, owner: String)
    /// Asks the broker, through the gateway, for one expiry's chain as it is now, streamed or not
    /// (at IB only a window near the money streams); the answer comes back as
    /// ``StrategyEvent/chain(id:_:)`` or ``StrategyEvent/chainFailed(id:reason:)``. Asks of one
    /// id already in flight are not sent again.
    case askChain(id: String, request: Volta_V1_ChainSnapshotRequest, owner: String)

    /// The key whose owner performs this action (a state's `owner_key`; timers are every worker's).
    public var owner: String? {
        switch self {
        case .submit(_, let owner), .cancel(_, let owner), .alert(_, _, let owner), .askTheo(_, _, _, let owner), .askChain(_, _, let owner): owner
        case .publish(let state): state.ownerKey
        case .timer: nil
        }
    }

    /// A submit or a cancel: the host performs these before the rest of a batch.
    public var isOrder: Bool {
        switch self {
        case .submit, .cancel: true
        default: false
        }
    }
}

public enum AlertLevel: String, Sendable {
    case info, warning, critical
}
