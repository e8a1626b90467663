/// One order's life as execution tracks it: the broker's statuses and fills folded into a state
/// machine (pending → submitted → partially filled → filled, or cancelled / rejected / expired).
///
/// Fills are keyed by the broker's execution id, so a fill seen twice (a replay after a
/// reconnect, a status and its fill racing) counts once. Terminal states stay terminal: a late
/// "submitted" after "filled" does not reopen the order.
///
/// A combo is filled leg by leg (the broker reports each leg's executions), but traded and
/// priced as one: its filled quantity is the whole units its legs have filled in ratio, and its
/// price is the net in its direction (the first leg's side), so a sold spread's price is the
/// credit received. Counting each leg's fill as units of the combo would call a spread filled
/// when one leg had traded, and book the spread at that leg's price.
public struct OrderProgress: Sendable, Equatable {
    /// One leg of a combo: its ratio, +1 when it trades in the combo's direction (−1 against
    /// it), and what it has filled.
    public struct Leg: Sendable, Equatable {
        public let ratio: Int64
        public let sign: Int64
        public var filled: Int64 = 0
        public var notionalMicros: Int64 = 0

        public init(ratio: Int64, withDirection: Bool) {
            self.ratio = max(ratio, 1)
            self.sign = withDirection ? 1 : -1
        }
    }

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
    /// A combo's legs; empty for a single instrument.
    public private(set) var legs: [Leg]
    /// Units booked from a status whose fills never came (see `apply(fillID:quantity:priceMicros:)`).
    private var statusUnits: Int64 = 0
    private var statusNotionalMicros: Int64 = 0

    public init(quantity: Int64, buy: Bool, multiplier: Int64, legs: [Leg] = []) {
        self.quantity = quantity
        self.direction = buy ? 1 : -1
        self.multiplier = multiplier
        self.legs = legs.count > 1 ? legs : []
    }

    public var remaining: Int64 { quantity - filled }

    /// The average fill price in micros, rounded to the nearest micro; 0 before any fill.
    public var averagePriceMicros: Int64 {
        guard filled > 0 else { return 0 }
        let (q, r) = notionalMicros.quotientAndRemainder(dividingBy: filled)
        return 2 * abs(r) >= filled ? q + (r >= 0 ? 1 : -1) : q
    }

    /// A broker fill of the whole order (a single instrument, or a combo's net units from a
    /// status). Returns false for one already counted, or one that would overfill.
    @discardableResult
    public mutating func apply(fillID: String, quantity q: Int64, priceMicros: Int64) -> Bool {
        guard q > 0, !fillIDs.contains(fillID), filled + q <= quantity else { return false }
        fillIDs.insert(fillID)
        if legs.isEmpty {
            filled += q
            notionalMicros += q * priceMicros
        } else {
            statusUnits += q
            statusNotionalMicros += q * priceMicros
            recount()
        }
        markFilled()
        return true
    }

    /// A broker fill of one of a combo's legs, at that leg's own price. Returns false for one
    /// already counted, one that would overfill its leg, or one on an order without that leg.
    @discardableResult
    public mutating func apply(fillID: String, leg: Int, quantity q: Int64, priceMicros: Int64) -> Bool {
        guard legs.indices.contains(leg), q > 0, !fillIDs.contains(fillID), filled < quantity,
              legs[leg].filled + q <= quantity * legs[leg].ratio else { return false }
        fillIDs.insert(fillID)
        legs[leg].filled += q
        legs[leg].notionalMicros += q * priceMicros
        recount()
        markFilled()
        return true
    }

    /// A combo's whole units and their net notional: each leg's average price times its ratio,
    /// signed by its direction, over the units every leg has filled.
    private mutating func recount() {
        let units = legs.map { $0.filled / $0.ratio }.min() ?? 0
        var net: Int64 = 0
        for l in legs where units > 0 {
            // This leg's notional for `units` whole units, at its average price so far.
            net += l.sign * (l.notionalMicros * units * l.ratio / l.filled)
        }
        filled = min(quantity, units + statusUnits)
        notionalMicros = net + statusNotionalMicros
    }

    private mutating func markFilled() {
        if filled == quantity { state = .filled } else if !state.isTerminal { state = .partiallyFilled }
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

    /// The same progress for an order whose side, multiplier and legs are now known: an order
    /// adopted from the broker after a restart is booked before its intent is resubmitted. What
    /// was booked stays booked (a combo's as whole units at their net), and a fill seen before
    /// is still not counted again.
    public func with(buy: Bool, multiplier: Int64, legs: [Leg] = []) -> OrderProgress {
        var p = OrderProgress(quantity: quantity, buy: buy, multiplier: multiplier, legs: legs)
        p.state = state
        p.fillIDs = fillIDs
        p.reason = reason
        if p.legs.isEmpty {
            p.filled = filled
            p.notionalMicros = notionalMicros
        } else {
            p.statusUnits = filled
            p.statusNotionalMicros = notionalMicros
            p.recount()
        }
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
