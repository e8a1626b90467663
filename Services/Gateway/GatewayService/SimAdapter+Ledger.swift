import Market
import Messages

/// What a backtest reads of the simulated venue between steps, without going through the bus:
/// the account marked at the close, and the market around a fill (the trade's entry context).
public struct VenueLedger: Sendable, Equatable {
    public var now: Int64
    public var cashMicros: Int64
    public var netLiquidation: Double
    public var commissionsMicros: Int64
    /// Every open position: instrument, signed quantity, mark (the mid, or the cost without one).
    public var positions: [(instrument: Volta_V1_Instrument, quantity: Int64, mark: Double)]

    public static func == (a: Self, b: Self) -> Bool {
        a.now == b.now && a.cashMicros == b.cashMicros && a.netLiquidation == b.netLiquidation
            && a.commissionsMicros == b.commissionsMicros && a.positions.count == b.positions.count
            && zip(a.positions, b.positions).allSatisfy { $0.instrument == $1.instrument && $0.quantity == $1.quantity && $0.mark == $1.mark }
    }
}

/// An option's market as the feed last showed it.
public struct VenueOptionMarket: Sendable, Equatable {
    public var underlyingPrice: Double
    public var impliedVol: Double
    public var delta: Double
}

extension SimAdapter {
    public func ledger() -> VenueLedger {
        state.withLock { s in
            let a = s.broker.account
            let keys = a.holdings.keys.filter { a.holdings[$0]!.quantity != 0 }.sorted()
            return VenueLedger(
                now: s.sim.now, cashMicros: a.cashMicros, netLiquidation: a.valuation(in: s.sim).netLiquidation,
                commissionsMicros: a.commissionsMicros,
                positions: keys.map { k in
                    (SimConversions.instrument(k, market: s.sim), a.holdings[k]!.quantity,
                     s.mark(k) ?? Money.value(a.holdings[k]!.averageCostMicros))
                })
        }
    }

    /// The option's last feed quote: the underlying, the implied vol and delta the venue showed.
    public func optionMarket(_ instrument: Volta_V1_Instrument) -> VenueOptionMarket? {
        state.withLock { s in
            guard let key = try? SimConversions.key(instrument, market: s.sim),
                  let q = s.latest[instrument.symbol]?[key] else { return nil }
            return VenueOptionMarket(underlyingPrice: q.underlyingPrice, impliedVol: q.volatility, delta: q.greeks?.delta ?? 0)
        }
    }

    /// A price level now: an underlying's, the index's or the VIX's.
    public func price(of symbol: String) -> Double? { state.withLock { $0.sim.price(of: symbol) } }
}
