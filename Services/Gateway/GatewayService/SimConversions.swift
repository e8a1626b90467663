import Bus
import Market
import Messages
import Quant

/// Between the bus's messages and the simulated broker's types. A request the broker cannot
/// understand is a `BadRequest` naming the field, never a guess.
enum SimConversions {
    static func contract(_ key: OptionKey, brokerID: Int64) -> Volta_V1_OptionContract {
        var c = Volta_V1_OptionContract()
        c.underlying = key.underlying
        c.expiry = key.expiry.description
        c.strikeMicros = key.strikeMicros
        c.right = key.right == .call ? .call : .put
        c.multiplier = 100
        c.brokerID = brokerID
        c.exchange = "SIM"
        c.tradingClass = tradingClass(key.underlying, key.expiry)
        return c
    }

    /// SPX weeklies trade as SPXW; every other class is its underlying's symbol.
    static func tradingClass(_ underlying: String, _ expiry: CivilDate) -> String {
        underlying == "SPX" && !OptionListing.isMonthly(expiry) ? "SPXW" : underlying
    }

    static func instrument(_ key: InstrumentKey, market: MarketSimulation) -> Volta_V1_Instrument {
        var i = Volta_V1_Instrument()
        i.symbol = key.underlyingSymbol
        if case .option(let o) = key { i.option = contract(o, brokerID: market.brokerID(of: o) ?? 0) }
        return i
    }

    static func key(_ i: Volta_V1_Instrument, market: MarketSimulation) throws -> InstrumentKey {
        guard i.hasOption else {
            guard !i.symbol.isEmpty else { throw BadRequest("instrument.symbol is empty") }
            return .underlying(i.symbol)
        }
        let o = i.option
        if o.brokerID != 0, let key = market.option(id: o.brokerID) { return .option(key) }
        guard let expiry = CivilDate(o.expiry) else { throw BadRequest("option.expiry '\(o.expiry)' is not YYYY-MM-DD") }
        guard o.right == .call || o.right == .put else { throw BadRequest("option.right is missing") }
        guard o.strikeMicros > 0 else { throw BadRequest("option.strike_micros must be positive") }
        let underlying = o.underlying.isEmpty ? i.symbol : o.underlying
        return .option(OptionKey(underlying: underlying, expiry: expiry, strikeMicros: o.strikeMicros, right: o.right == .call ? .call : .put))
    }

    static func request(_ o: Volta_V1_Order, market: MarketSimulation) throws -> SimOrderRequest {
        guard !o.orderID.isEmpty else { throw BadRequest("order_id is empty") }
        let legs = try o.legs.map { leg -> SimLeg in
            guard leg.side == .buy || leg.side == .sell else { throw BadRequest("leg side is missing") }
            return SimLeg(instrument: try key(leg.instrument, market: market), side: leg.side == .buy ? .buy : .sell,
                          ratio: Int64(max(leg.ratio, 1)))
        }
        let type: SimOrderType
        switch o.orderType {
        case .market: type = .market
        case .limit: type = .limit
        case .stop: type = .stop
        case .stopLimit: type = .stopLimit
        case .trailingStop: type = .trailingStop
        default: throw BadRequest("order_type is missing")
        }
        let tif: SimTimeInForce = o.tif == .gtc ? .gtc : o.tif == .ioc ? .ioc : .day
        var adaptive: AdaptivePriority?
        switch o.algo {
        case "": break
        case "adaptive":
            adaptive = o.algoPriority.isEmpty ? .normal : AdaptivePriority(rawValue: o.algoPriority)
            guard adaptive != nil else { throw BadRequest("algo_priority '\(o.algoPriority)' is not patient, normal or urgent") }
        default: throw BadRequest("algo '\(o.algo)' is unknown (the simulated broker offers 'adaptive')")
        }
        let usesLimit = [.limit, .stopLimit].contains(type)
        return SimOrderRequest(
            orderID: o.orderID, legs: legs, quantity: o.quantity, type: type,
            limitMicros: usesLimit || (o.limitPriceMicros != 0 && adaptive != nil) ? o.limitPriceMicros : nil,
            stopMicros: [.stop, .stopLimit].contains(type) ? o.stopPriceMicros : nil,
            trailAmountMicros: o.trailAmountMicros > 0 ? o.trailAmountMicros : nil,
            trailPercent: o.trailPercent > 0 ? o.trailPercent : nil, tif: tif,
            parentID: o.parentOrderID.isEmpty ? nil : o.parentOrderID, ocaGroup: o.ocaGroup.isEmpty ? nil : o.ocaGroup,
            adaptive: adaptive)
    }

    static func status(_ s: SimOrderStatus) -> Volta_V1_OrderStatus {
        var m = Volta_V1_OrderStatus()
        m.orderID = s.orderID
        m.brokerOrderID = s.brokerID
        m.filledQuantity = s.filled
        m.remainingQuantity = s.remaining
        m.avgFillPriceMicros = s.averagePriceMicros
        m.reason = s.reason
        switch s.state {
        case .pendingSubmit, .held: m.state = .pendingSubmit
        case .submitted: m.state = .submitted
        case .partiallyFilled: m.state = .partiallyFilled
        case .filled: m.state = .filled
        case .cancelled: m.state = .cancelled
        case .rejected: m.state = .rejected
        case .expired: m.state = .expired
        }
        return m
    }

    static func fill(_ f: SimFill, account: String, market: MarketSimulation) -> Volta_V1_Fill {
        var m = Volta_V1_Fill()
        m.fillID = f.executionID
        m.orderID = f.orderID
        m.instrument = instrument(f.instrument, market: market)
        m.side = f.side == .buy ? .buy : .sell
        m.quantity = f.quantity
        m.priceMicros = f.priceMicros
        m.commissionMicros = f.commissionMicros
        m.timeNs = f.time
        m.account = account
        return m
    }

    /// One burst of an underlying's feed quotes, in the order given.
    static func batch(_ underlying: String, _ quotes: some Sequence<FeedQuote>, time: Int64) -> Volta_V1_QuoteBatch {
        var b = Volta_V1_QuoteBatch()
        b.underlying = underlying
        b.marketTimeNs = time
        for q in quotes {
            switch quote(q) {
            case (let u?, _): b.underlyings.append(u)
            case (_, let o?): b.options.append(o)
            default: break
            }
        }
        return b
    }

    static func quote(_ q: FeedQuote) -> (Volta_V1_UnderlyingQuote?, Volta_V1_OptionQuote?) {
        switch q.instrument {
        case .underlying(let symbol):
            var m = Volta_V1_UnderlyingQuote()
            m.symbol = symbol
            m.bid = q.touch.bid
            m.ask = q.touch.ask
            m.last = q.last
            m.bidSize = q.touch.bidSize
            m.askSize = q.touch.askSize
            m.volume = q.volume
            return (m, nil)
        case .option(let key):
            var m = Volta_V1_OptionQuote()
            m.contract = contract(key, brokerID: q.brokerID)
            m.bid = q.touch.bid
            m.ask = q.touch.ask
            m.bidSize = q.touch.bidSize
            m.askSize = q.touch.askSize
            m.underlyingPrice = q.underlyingPrice
            if let g = q.greeks {
                m.greeks.delta = g.delta
                m.greeks.gamma = g.gamma
                m.greeks.vega = g.vega
                m.greeks.theta = g.theta
                m.greeks.rho = g.rho
                m.greeks.iv = q.volatility
                m.greeks.theo = g.price
                m.greeks.model = "broker"
            }
            return (nil, m)
        }
    }
}
