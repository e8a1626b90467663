/// The simulated account: cash, positions at average cost, realized P&L and commissions, all in
/// micros. Marks (and so unrealized P&L, net liquidation and margin) come from the market.
public struct SimAccount: Sendable, Equatable {
    public struct Holding: Sendable, Equatable {
        /// Signed: negative is short.
        public var quantity: Int64
        /// Average price per unit (per share, per option in premium points), in micros.
        public var averageCostMicros: Int64
        public var realizedMicros: Int64 = 0

        public init(quantity: Int64, averageCostMicros: Int64, realizedMicros: Int64 = 0) {
            self.quantity = quantity
            self.averageCostMicros = averageCostMicros
            self.realizedMicros = realizedMicros
        }
    }

    public var id: String
    public var cashMicros: Int64
    public private(set) var holdings: [InstrumentKey: Holding] = [:]
    public private(set) var commissionsMicros: Int64 = 0

    public init(id: String, cashMicros: Int64) {
        self.id = id
        self.cashMicros = cashMicros
    }

    /// A position the scenario starts with, entered at its price without touching cash (it
    /// was paid for before the simulation began).
    public mutating func seed(_ instrument: InstrumentKey, quantity: Int64, priceMicros: Int64) {
        holdings[instrument] = Holding(quantity: quantity, averageCostMicros: priceMicros)
    }

    /// Books a fill: cash moves by price × quantity × multiplier and the commission; a fill
    /// against the position realizes P&L on the closed part at the average cost.
    public mutating func apply(_ instrument: InstrumentKey, side: SimSide, quantity: Int64, priceMicros: Int64,
                               commissionMicros: Int64) {
        let m = instrument.multiplier
        let signed = side.sign * quantity
        cashMicros -= signed * priceMicros * m + commissionMicros
        commissionsMicros += commissionMicros
        var h = holdings[instrument] ?? Holding(quantity: 0, averageCostMicros: 0)
        if h.quantity == 0 || (h.quantity > 0) == (signed > 0) {
            let total = abs(h.quantity) + quantity
            h.averageCostMicros = (abs(h.quantity) * h.averageCostMicros + quantity * priceMicros + total / 2) / total
            h.quantity += signed
        } else {
            let closed = min(abs(h.quantity), quantity)
            h.realizedMicros += closed * (priceMicros - h.averageCostMicros) * m * (h.quantity > 0 ? 1 : -1)
            h.quantity += signed
            if abs(signed) > closed { h.averageCostMicros = priceMicros }   // crossed through zero
        }
        holdings[instrument] = h
    }

    public var realizedMicros: Int64 { holdings.values.reduce(0) { $0 + $1.realizedMicros } }

    public func unrealized(_ instrument: InstrumentKey, mark: Double) -> Double {
        guard let h = holdings[instrument] else { return 0 }
        return Double(h.quantity) * (mark - Money.value(h.averageCostMicros)) * Double(instrument.multiplier)
    }

    /// Cash plus every position at its mark (positions without a mark at their cost).
    public func netLiquidation(mark: (InstrumentKey) -> Double?) -> Double {
        holdings.reduce(Money.value(cashMicros)) { total, entry in
            total + Double(entry.value.quantity) * (mark(entry.key) ?? Money.value(entry.value.averageCostMicros))
                * Double(entry.key.multiplier)
        }
    }

    /// Options expiring at a close: those in the money by a cent or more are exercised or
    /// assigned (shares at the strike for equity options, cash for the index), the rest expire
    /// worthless. Booked as a close of the option at its intrinsic value plus, for physical
    /// delivery, shares at the settlement price: the same cash as delivery at the strike.
    /// - Returns: the bookings made, as fills.
    public mutating func settle(_ option: OptionKey, settlement: Double, cashSettled: Bool, time: Int64) -> [SimFill] {
        let key = InstrumentKey.option(option)
        guard let h = holdings[key], h.quantity != 0 else { return [] }
        let intrinsic = option.right == .call ? settlement - option.strike : option.strike - settlement
        let exercised = intrinsic >= 0.01
        let value = exercised ? Money.micros(intrinsic) : 0
        let closeSide: SimSide = h.quantity > 0 ? .sell : .buy
        let contracts = abs(h.quantity)
        var fills = [SimFill(executionID: "EXP-\(option)-\(time)", orderID: exercised ? "exercise" : "expiry", instrument: key,
                             side: closeSide, quantity: contracts, priceMicros: value, commissionMicros: 0, time: time)]
        apply(key, side: closeSide, quantity: contracts, priceMicros: value, commissionMicros: 0)
        if exercised && !cashSettled {
            // A long call or a short put ends long shares; a long put or a short call, short.
            let buysShares = (option.right == .call) == (h.quantity > 0)
            let shares = InstrumentKey.underlying(option.underlying)
            let fill = SimFill(executionID: "EXS-\(option)-\(time)", orderID: "exercise", instrument: shares,
                               side: buysShares ? .buy : .sell, quantity: contracts * 100,
                               priceMicros: Money.micros(settlement), commissionMicros: 0, time: time)
            apply(shares, side: fill.side, quantity: fill.quantity, priceMicros: fill.priceMicros, commissionMicros: 0)
            fills.append(fill)
        }
        return fills
    }
}
