import Bus
import Market
import Messages

/// The simulated market and broker under one lock, and what each of their steps publishes.
struct SimSession: Sendable {
    var sim: MarketSimulation
    var broker: SimBroker
    let speed: Double
    let wallStart: Int64
    let parameters: MarketParameters
    /// The latest feed quote of every instrument, by underlying: the gateway's snapshot.
    var latest: [String: [InstrumentKey: FeedQuote]] = [:]
    var historyCache: [String: [DailyBar]]?

    init(sim: MarketSimulation, broker: SimBroker, speed: Double, wallStart: Int64, parameters: MarketParameters) {
        self.sim = sim
        self.broker = broker
        self.speed = speed
        self.wallStart = wallStart
        self.parameters = parameters
    }

    var account: String { broker.account.id }

    /// Advances the market to the simulated time of `wallNow`, works the orders, and returns
    /// the quote batches, order statuses, fills and positions that changed.
    mutating func step(wallNow: Int64, accountValues: Bool) -> [BrokerEvent] {
        let target = sim.start + Int64(Double(wallNow - wallStart) * speed)
        // The first step publishes the whole market even when the simulation has not moved (a
        // start before the open waits for it): a strategy's first look must find quotes.
        guard target > sim.now || latest.isEmpty else { return [] }
        let before = sim.now
        let tick = sim.advance(to: target)
        var events: [BrokerEvent] = []
        let changed = Dictionary(grouping: tick.underlyings + tick.options) { $0.instrument.underlyingSymbol }
        for (symbol, quotes) in changed {
            for q in quotes { latest[symbol, default: [:]][q.instrument] = q }
        }
        events += changed.keys.sorted().map { .quotes(SimConversions.batch($0, changed[$0]!, time: wallNow)) }
        var simEvents: [SimEvent] = []
        if !tick.closes.isEmpty { simEvents += broker.sessionClosed() }
        if !tick.expired.isEmpty {
            simEvents += broker.expire(tick.expired, market: sim)
            for (key, _) in tick.expired { latest[key.underlying]?[.option(key)] = nil }
        }
        if !tick.closes.isEmpty { simEvents += broker.assignEarly(market: sim) }
        simEvents += broker.match(market: sim, seconds: Double(sim.now - before) / 1e9)
        var touched: Set<InstrumentKey> = []
        for e in simEvents {
            switch e {
            case .status(let s): events.append(.status(SimConversions.status(s)))
            case .fill(let f):
                events.append(.fill(SimConversions.fill(f, account: account, market: sim)))
                touched.insert(f.instrument)
            }
        }
        // Every position with the periodic account values, else only those a fill touched.
        let positions = accountValues ? Set(broker.account.holdings.keys) : touched
        events += positions.sorted().map { .position(position($0)) }
        if accountValues { events += values().map { .accountValue($0) } }
        return events
    }

    func mark(_ key: InstrumentKey) -> Double? { sim.touch(of: key)?.mid }

    func position(_ key: InstrumentKey) -> Volta_V1_Position {
        let h = broker.account.holdings[key] ?? SimAccount.Holding(quantity: 0, averageCostMicros: 0)
        var p = Volta_V1_Position()
        p.account = account
        p.instrument = SimConversions.instrument(key, market: sim)
        p.quantity = h.quantity
        p.avgCostMicros = h.averageCostMicros
        p.marketPrice = mark(key) ?? Money.value(h.averageCostMicros)
        p.unrealizedPnl = broker.account.unrealized(key, mark: p.marketPrice)
        p.realizedPnl = Money.value(h.realizedMicros)
        return p
    }

    /// The values TWS reports under the same names.
    func values() -> [Volta_V1_AccountValue] {
        let a = broker.account
        let (netLiq, requirement) = a.valuation(in: sim)
        let unrealized = a.holdings.keys.reduce(0.0) { $0 + a.unrealized($1, mark: mark($1) ?? 0) }
        let pairs: [(String, Int64)] = [
            ("NetLiquidation", Money.micros(netLiq)), ("TotalCashValue", a.cashMicros),
            ("MaintMarginReq", Money.micros(requirement)), ("ExcessLiquidity", Money.micros(netLiq - requirement)),
            ("BuyingPower", Money.micros(max(0, netLiq - requirement) * 2)), ("RealizedPnL", a.realizedMicros),
            ("UnrealizedPnL", Money.micros(unrealized)), ("Commissions", a.commissionsMicros),
        ]
        return pairs.map { key, value in
            var v = Volta_V1_AccountValue()
            v.account = account
            v.key = key
            v.valueMicros = value
            v.currency = "USD"
            return v
        }
    }

    func accountSnapshot() -> Volta_V1_AccountSnapshot {
        var s = Volta_V1_AccountSnapshot()
        s.account = account
        s.positions = broker.account.holdings.keys.sorted().map(position)
        s.values = values()
        s.openOrders = broker.openOrders.map(SimConversions.status)
        s.doneOrders = broker.doneOrders.map(SimConversions.status)
        return s
    }

    func currentQuotes(now: Int64) -> [Volta_V1_QuoteBatch] {
        latest.keys.sorted().map { symbol in
            SimConversions.batch(symbol, latest[symbol]!.sorted { $0.key < $1.key }.map(\.value), time: now)
        }
    }

    /// The current quotes `keep` picks, converted alone: one instrument's, not the whole market's.
    func currentQuotes(now: Int64, keep: (FeedQuote) -> Bool) -> [Volta_V1_QuoteBatch] {
        latest.keys.sorted().compactMap { symbol in
            let picked = latest[symbol]!.filter { keep($0.value) }.sorted { $0.key < $1.key }.map(\.value)
            return picked.isEmpty ? nil : SimConversions.batch(symbol, picked, time: now)
        }
    }

    func contract(_ instrument: Volta_V1_Instrument) throws -> Volta_V1_ContractDetails {
        let key = try SimConversions.key(instrument, market: sim)
        guard let touch = sim.touch(of: key) ?? (sim.price(of: key.underlyingSymbol).map { Touch(bid: $0, ask: $0, bidSize: 0, askSize: 0) }) else {
            throw BadRequest("unknown contract: \(key)")
        }
        var d = Volta_V1_ContractDetails()
        d.instrument = SimConversions.instrument(key, market: sim)
        d.multiplier = Int32(key.multiplier)
        switch key {
        case .underlying(let s):
            d.brokerID = MarketSimulation.brokerID(of: s)
            d.minTick = TickRules.shareTick
        case .option(let o):
            d.brokerID = sim.brokerID(of: o) ?? 0
            d.minTick = TickRules.optionTick(price: touch.mid, isIndex: sim.isIndex(o.underlying), kind: sim.kind(of: o.underlying))
            d.cashSettled = sim.isIndex(o.underlying)
            d.exerciseStyle = sim.isIndex(o.underlying) ? "european" : "american"
        }
        return d
    }

    func chainDefinition(_ underlying: String) throws -> Volta_V1_OptionChainDefinition {
        let chain = sim.chain(of: underlying)
        guard !chain.isEmpty else { throw BadRequest("no options listed on \(underlying)") }
        var d = Volta_V1_OptionChainDefinition()
        d.underlying = underlying
        d.multiplier = 100
        d.exchange = "SIM"
        d.expiries = chain.map { expiry, strikes in
            var e = Volta_V1_ExpiryStrikes()
            e.expiry = expiry.description
            e.strikeMicros = strikes
            e.tradingClass = SimConversions.tradingClass(underlying, expiry)
            return e
        }
        return d
    }

    mutating func history(_ symbol: String, days: Int) throws -> Volta_V1_History {
        guard (1...1000).contains(days) else { throw BadRequest("history.days must be 1…1000, got \(days)") }
        if historyCache == nil || historyCache!.values.first!.count < days {
            historyCache = MarketHistory.generate(parameters, endingBefore: sim.start, days: max(days, 60))
        }
        guard let bars = historyCache?[symbol] else { throw BadRequest("no history for \(symbol)") }
        var h = Volta_V1_History()
        h.symbol = symbol
        h.bars = bars.suffix(days).map { b in
            var m = Volta_V1_DailyBar()
            m.date = b.date.description
            m.open = b.open
            m.high = b.high
            m.low = b.low
            m.close = b.close
            return m
        }
        return h
    }
}
