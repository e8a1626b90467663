/// One order's life as execution tracks it: the broker's statuses and fills folded into a state
/// machine (pending → submitted → partially filled → filled, or cancelled / rejected / expired).
///
/// Fills are keyed by the broker's execution id, so a fill seen twice (a replay after a
/// reconnect, a status and its fill racing) counts once. Terminal states stay terminal: a late
/// "submitted" after "filled" does not reopen the order.
public struct OrderProgress: Sendable, Equatable {
    public enum State: String, Sendable {
        case pending, submitted, partiallyFilled, filled, cancelled, rejected, expired
        public var isTerminal: Bool { self == .filled || self == .cancelled || self == .rejected || self == .expired }
    }

    public let quantity: Int64
    /// +1 when the order buys, −1 when it sells.
    public let direction: Int64
    public let multiplier: Int64
    public private(set) var state: State = .pending
    public private(set) var filled: Int64 = 0
    /// Σ price × quantity over fills, exact in micros.
    public private(set) var notionalMicros: Int64 = 0
    public private(set) var fillIDs: Set<String> = []
    public private(set) var reason = ""

    public init(quantity: Int64, buy: Bool, multiplier: Int64) {
        self.quantity = quantity
        self.direction = buy ? 1 : -1
        self.multiplier = multiplier
    }

    public var remaining: Int64 { quantity - filled }

    /// The average fill price in micros, rounded to the nearest micro; 0 before any fill.
    public var averagePriceMicros: Int64 {
        guard filled > 0 else { return 0 }
        let (q, r) = notionalMicros.quotientAndRemainder(dividingBy: filled)
        return 2 * abs(r) >= filled ? q + (r >= 0 ? 1 : -1) : q
    }

    /// A broker fill. Returns false for one already counted, or one that would overfill.
    @discardableResult
    public mutating func apply(fillID: String, quantity q: Int64, priceMicros: Int64) -> Bool {
        guard q > 0, !fillIDs.contains(fillID), filled + q <= quantity else { return false }
        fillIDs.insert(fillID)
        filled += q
        notionalMicros += q * priceMicros
        if filled == quantity { state = .filled } else if !state.isTerminal { state = .partiallyFilled }
        return true
    }

    /// A broker status. Quantities come from fills, not statuses, which may run ahead of the
    /// fills that explain them (a fill still counts after the status that reported it); a
    /// terminal state is never left.
    public mutating func apply(status: State, reason: String = "") {
        guard !state.isTerminal else { return }
        switch status {
        case .partiallyFilled:
            state = .partiallyFilled
        case .pending:
            break
        default:
            state = status
            if !reason.isEmpty { self.reason = reason }
        }
    }

    /// The same progress for an order whose side and multiplier are now known: an order adopted
    /// from the broker after a restart is booked before its intent is resubmitted.
    public func with(buy: Bool, multiplier: Int64) -> OrderProgress {
        var p = OrderProgress(quantity: quantity, buy: buy, multiplier: multiplier)
        p.state = state
        p.filled = filled
        p.notionalMicros = notionalMicros
        p.fillIDs = fillIDs
        p.reason = reason
        return p
    }

    /// Slippage per unit against the expected price, positive when worse for us: selling under
    /// or buying over what the strategy expected.
    public func slippageMicros(expectedMicros: Int64) -> Int64 {
        guard filled > 0 else { return 0 }
        return direction * (averagePriceMicros - expectedMicros)
    }

    /// Realized P&L of the filled part of a closing order against the position's average cost
    /// per unit: a sell closes a long (gain when sold above cost), a buy closes a short.
    public func realizedPnLMicros(averageCostMicros: Int64) -> Int64 {
        -direction * (notionalMicros - filled * averageCostMicros) * multiplier
    }
}
