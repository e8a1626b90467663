/// One line of a scenario's script, relative to the simulation's start.
public struct MarketEvent: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// `symbol` moves by `fraction` (−0.03 is a 3% fall) spread evenly over `seconds`;
        /// a move of the index carries every underlying with its beta.
        case move(symbol: String, fraction: Double, seconds: Double)
        /// The index's variance jumps, or glides over `seconds`, until the VIX reads `level`.
        case vix(level: Double, seconds: Double)
        /// Quotes of `symbol` go bad for `seconds`: the published feed only, never the market
        /// orders fill against.
        case fault(symbol: String, kind: QuoteFault, scope: FaultScope, seconds: Double)
    }

    public var atSeconds: Double
    public var action: Action

    public init(atSeconds: Double, action: Action) {
        self.atSeconds = atSeconds
        self.action = action
    }

    public var durationSeconds: Double {
        switch action {
        case .move(_, _, let s), .vix(_, let s), .fault(_, _, _, let s): return s
        }
    }
}

public enum QuoteFault: String, Codable, Sendable, CaseIterable {
    /// Quotes stop updating while the market moves on.
    case stale
    /// Bid above ask.
    case crossed
    /// No market: bid and ask −1, as TWS sends.
    case missing
}

public enum FaultScope: String, Codable, Sendable {
    case options, underlying, all
}
