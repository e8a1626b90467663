import Messages
import TWS

/// Market data lines and the quotes they build. Ticks arrive one field at a time; each line's
/// quote collects them, and `flush` sends what changed as one burst per underlying, the shape
/// the simulated market's bursts have.
struct IBKRQuotes: Sendable {
    var lines: [Int: Volta_V1_Instrument] = [:]
    var lineOf: [String: Int] = [:]
    var underlyings: [String: Volta_V1_UnderlyingQuote] = [:]
    var options: [Int: Volta_V1_OptionQuote] = [:]
    var changed: [String: Set<Int>] = [:]
    /// Instruments wanted but left without a line: the cap reached, or TWS refused (101).
    var unquoted: Set<String> = []
    /// When TWS refused an instrument's line (101, 354): it is not asked again for a while.
    var refused: [String: Int64] = [:]
    /// Each consumer's quotes wanted (`gw.interest.`), until its lease lapses.
    var interests: [String: Volta_V1_MarketDataInterest] = [:]
    /// The bid's and the ask's computations (ticks 10 and 11) of each option line.
    var sides: [Int: SideComputations] = [:]
    /// Underlyings whose window could not be chosen (no chain, no price), said once a connection.
    var windowsFailed: Set<String> = []

    func isSubscribed(_ i: Volta_V1_Instrument) -> Bool { lineOf[i.displayName] != nil }

    mutating func add(_ reqId: Int, _ instrument: Volta_V1_Instrument) {
        let key = instrument.displayName
        lines[reqId] = instrument
        lineOf[key] = reqId
        unquoted.remove(key)
        if instrument.hasOption {
            var q = Volta_V1_OptionQuote()
            q.contract = instrument.option
            options[reqId] = q
        } else if underlyings[instrument.symbol] == nil {
            var q = Volta_V1_UnderlyingQuote()
            q.symbol = instrument.symbol
            underlyings[instrument.symbol] = q
        }
    }

    /// A line TWS refused (error 101, 354): freed, and its instrument noted as without quotes
    /// and not asked again for `IBKRAdapter.refusalRetry`.
    mutating func refuse(_ reqId: Int, now: Int64) -> Volta_V1_Instrument? {
        guard let instrument = release(reqId) else { return nil }
        unquoted.insert(instrument.displayName)
        refused[instrument.displayName] = now
        return instrument
    }

    /// A line given up (no longer needed, refused, or a snapshot ended): its quote and what was
    /// collected for it go with it.
    mutating func release(_ reqId: Int) -> Volta_V1_Instrument? {
        guard let instrument = lines.removeValue(forKey: reqId) else { return nil }
        if lineOf[instrument.displayName] == reqId { lineOf[instrument.displayName] = nil }
        options[reqId] = nil
        sides[reqId] = nil
        changed[instrument.underlyingSymbol]?.remove(reqId)
        return instrument
    }

    /// The streamed lines (snapshots in flight are not).
    var streamedLines: [Int: Volta_V1_Instrument] { lineOf.values.reduce(into: [:]) { $0[$1] = lines[$1] } }

    /// The interests whose lease holds at `now` (the lapsed are dropped): underlyings asked for,
    /// and underlyings whose options near the money are.
    mutating func interestsHolding(at now: Int64) -> (underlyings: Set<String>, optionUnderlyings: Set<String>, instruments: [Volta_V1_Instrument]) {
        interests = interests.filter { $0.value.timeNs + $0.value.leaseNs >= now }
        return interests.keys.sorted().reduce(into: ([], [], [])) { all, owner in
            let i = interests[owner]!
            all.underlyings.formUnion(i.underlyings)
            all.optionUnderlyings.formUnion(i.optionUnderlyings)
            all.instruments += i.instruments
        }
    }

    /// A snapshot's line: its ticks build a quote like a streamed line's, but nothing asks for it
    /// again after a reconnect.
    mutating func addSnapshot(_ reqId: Int, _ instrument: Volta_V1_Instrument) {
        lines[reqId] = instrument
        options[reqId] = Volta_V1_OptionQuote.with { $0.contract = instrument.option }
    }

    /// The snapshot's quote, and its line freed.
    mutating func endSnapshot(_ reqId: Int) -> Volta_V1_OptionQuote? {
        var q = options[reqId]
        guard let instrument = release(reqId) else { return nil }
        if q?.underlyingPrice == 0, let u = spot(instrument.underlyingSymbol) { q?.underlyingPrice = u }
        return q
    }

    /// The quote of an instrument that streams, if it does.
    func streamed(_ instrument: Volta_V1_Instrument) -> Volta_V1_OptionQuote? {
        lineOf[instrument.displayName].flatMap { options[$0] }
    }

    /// A new connection's request ids start over, and TWS may allow again what it refused;
    /// the interests are kept (the lines are planned again from them).
    mutating func dropLines() {
        lines = [:]
        lineOf = [:]
        changed = [:]
        sides = [:]
        refused = [:]
        windowsFailed = []
    }

    /// Applies a tick; false when the message is not one for a known line.
    mutating func apply(_ message: any TWSMessage) -> Bool {
        switch message {
        case let m as TWSTickPrice:
            return update(m.reqId) { u in
                Self.price(&u, m)
                // An index before its first trade of the day has only its close: that is its level.
                if TWSTickType.live(m.tickType) == TWSTickType.close, u.last == 0, m.price > 0 { u.last = m.price }
            } option: { o in Self.price(&o, m) }
        case let m as TWSTickSize:
            return update(m.reqId) { u in Self.size(&u, m) } option: { o in
                Self.size(&o, m)
                if [TWSTickType.optionCallOpenInterest, TWSTickType.optionPutOpenInterest].contains(m.tickType) { o.openInterest = TWSConversions.count(m.size) }
            }
        case let m as TWSTickOptionComputation:
            switch TWSTickType.live(m.tickType) {
            case TWSTickType.modelOption:
                return update(m.reqId) { _ in } option: { o in Self.greeks(&o, m) }
            case TWSTickType.bidOption, TWSTickType.askOption:
                let isBid = TWSTickType.live(m.tickType) == TWSTickType.bidOption
                sides[m.reqId, default: SideComputations()][isBid] = m
                let sides = sides[m.reqId]!
                return update(m.reqId) { _ in } option: { o in
                    if isBid { o.bidIv = m.impliedVol ?? 0 } else { o.askIv = m.impliedVol ?? 0 }
                    // Before the model's first computation, the greeks of the bid's and the ask's.
                    if o.greeks.model != "broker", let middle = sides.middle { Self.greeks(&o, middle, model: "broker-sides") }
                }
            default:
                return lines[m.reqId] != nil
            }
        default: return false
        }
    }

    /// One computation's greeks, in Volta's units: IB quotes vega per volatility point and theta
    /// per day; Volta per 1.00 and per year.
    static func greeks(_ o: inout Volta_V1_OptionQuote, _ m: TWSTickOptionComputation, model: String = "broker") {
        o.greeks.delta = m.delta ?? o.greeks.delta
        o.greeks.gamma = m.gamma ?? o.greeks.gamma
        o.greeks.vega = m.vega.map { $0 * 100 } ?? o.greeks.vega
        o.greeks.theta = m.theta.map { $0 * 365 } ?? o.greeks.theta
        o.greeks.iv = m.impliedVol ?? o.greeks.iv
        o.greeks.theo = m.optionPrice ?? o.greeks.theo
        o.greeks.model = model
        if let u = m.underlyingPrice { o.underlyingPrice = u }
    }

    mutating func update(_ reqId: Int, underlying: (inout Volta_V1_UnderlyingQuote) -> Void,
                         option: (inout Volta_V1_OptionQuote) -> Void) -> Bool {
        guard let instrument = lines[reqId] else { return false }
        if instrument.hasOption {
            option(&options[reqId, default: Volta_V1_OptionQuote()])
            changed[instrument.option.underlying, default: []].insert(reqId)
        } else {
            underlying(&underlyings[instrument.symbol, default: Volta_V1_UnderlyingQuote()])
            changed[instrument.symbol, default: []].insert(reqId)
        }
        return true
    }

    /// IB sends −1 (or 0) for a side with no quote: that side is absent, not a price.
    static func price(_ q: inout some Touching, _ m: TWSTickPrice) {
        let p = max(m.price, 0)
        switch TWSTickType.live(m.tickType) {
        case TWSTickType.bid: q.bid = p; if let s = m.size { q.bidSize = TWSConversions.count(s) }
        case TWSTickType.ask: q.ask = p; if let s = m.size { q.askSize = TWSConversions.count(s) }
        case TWSTickType.last: q.last = p
        default: break
        }
    }

    static func size(_ q: inout some Touching, _ m: TWSTickSize) {
        switch TWSTickType.live(m.tickType) {
        case TWSTickType.bidSize: q.bidSize = TWSConversions.count(m.size)
        case TWSTickType.askSize: q.askSize = TWSConversions.count(m.size)
        case TWSTickType.volume: q.volume = TWSConversions.count(m.size)
        default: break
        }
    }

    /// What changed since the last flush, one burst per underlying.
    mutating func flush(time: Int64) -> [Volta_V1_QuoteBatch] {
        defer { changed = [:] }
        return changed.keys.sorted().map { batch($0, reqIds: changed[$0]!.sorted(), time: time) }
    }

    /// Every quote, for the gateway's snapshot.
    func current(time: Int64) -> [Volta_V1_QuoteBatch] {
        let byUnderlying = Dictionary(grouping: lines.keys) { lines[$0]!.underlyingSymbol }
        return byUnderlying.keys.sorted().map { batch($0, reqIds: byUnderlying[$0]!.sorted(), time: time) }
    }

    func batch(_ underlying: String, reqIds: [Int], time: Int64) -> Volta_V1_QuoteBatch {
        var b = Volta_V1_QuoteBatch()
        b.underlying = underlying
        b.marketTimeNs = time
        for id in reqIds {
            guard let instrument = lines[id] else { continue }
            if instrument.hasOption {
                if var q = options[id] {
                    if q.underlyingPrice == 0, let u = underlyings[underlying] { q.underlyingPrice = u.referencePrice }
                    b.options.append(q)
                }
            } else if let q = underlyings[instrument.symbol] {
                b.underlyings.append(q)
            }
        }
        return b
    }

    /// The underlying's reference price (its mid, else its last), once it has one.
    func spot(_ symbol: String) -> Double? {
        guard let price = underlyings[symbol]?.referencePrice, price > 0 else { return nil }
        return price
    }
}

/// The quote fields ticks set, shared by underlying and option quotes.
protocol Touching {
    var bid: Double { get set }
    var ask: Double { get set }
    var last: Double { get set }
    var bidSize: Int64 { get set }
    var askSize: Int64 { get set }
    var volume: Int64 { get set }
}

extension Volta_V1_UnderlyingQuote: Touching {}
extension Volta_V1_OptionQuote: Touching {}

/// An option's bid and ask computations (IB's ticks 10 and 11): the volatility each side implies,
/// and the delta at it.
struct SideComputations: Sendable {
    var bid: TWSTickOptionComputation?
    var ask: TWSTickOptionComputation?

    subscript(isBid: Bool) -> TWSTickOptionComputation? {
        get { isBid ? bid : ask }
        set { if isBid { bid = newValue } else { ask = newValue } }
    }

    /// Halfway between the two, field by field where both have it: the greeks at the mid's
    /// volatility, near enough until the model's own computation (tick 13) comes.
    var middle: TWSTickOptionComputation? {
        guard let bid, let ask else { return nil }
        func mean(_ a: Double?, _ b: Double?) -> Double? { a.flatMap { a in b.map { (a + $0) / 2 } } }
        var m = TWSTickOptionComputation()
        m.impliedVol = mean(bid.impliedVol, ask.impliedVol)
        m.delta = mean(bid.delta, ask.delta)
        m.optionPrice = mean(bid.optionPrice, ask.optionPrice)
        m.gamma = mean(bid.gamma, ask.gamma)
        m.vega = mean(bid.vega, ask.vega)
        m.theta = mean(bid.theta, ask.theta)
        m.underlyingPrice = bid.underlyingPrice ?? ask.underlyingPrice
        return m
    }
}
