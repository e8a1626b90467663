import Messages
import TWS

/// Market data lines and the quotes they build. Ticks arrive one field at a time; each line's
/// quote collects them, and `flush` sends what changed as one burst per underlying, the shape
/// the simulated market's bursts have.
struct IBKRQuotes: Sendable {
    var lines: [Int: Volta_V1_Instrument] = [:]
    var lineOf: [String: Int] = [:]
    /// Instruments in the order they were first subscribed: what a reconnect subscribes again.
    var wanted: [Volta_V1_Instrument] = []
    var underlyings: [String: Volta_V1_UnderlyingQuote] = [:]
    var options: [Int: Volta_V1_OptionQuote] = [:]
    var changed: [String: Set<Int>] = [:]
    /// Instruments wanted but left without a line: the cap reached, or TWS refused (101).
    var unquoted: Set<String> = []

    func isSubscribed(_ i: Volta_V1_Instrument) -> Bool { lineOf[i.displayName] != nil }

    mutating func add(_ reqId: Int, _ instrument: Volta_V1_Instrument) {
        let key = instrument.displayName
        lines[reqId] = instrument
        lineOf[key] = reqId
        unquoted.remove(key)
        if !wanted.contains(where: { $0.displayName == key }) { wanted.append(instrument) }
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

    /// A line TWS refused (error 101): freed, and its instrument noted as without quotes.
    mutating func refuse(_ reqId: Int) -> Volta_V1_Instrument? {
        guard let instrument = lines.removeValue(forKey: reqId) else { return nil }
        if lineOf[instrument.displayName] == reqId {
            lineOf[instrument.displayName] = nil
            unquoted.insert(instrument.displayName)
        }
        options[reqId] = nil
        return instrument
    }

    /// A snapshot's line: its ticks build a quote like a streamed line's, but nothing asks for it
    /// again after a reconnect.
    mutating func addSnapshot(_ reqId: Int, _ instrument: Volta_V1_Instrument) {
        lines[reqId] = instrument
        options[reqId] = Volta_V1_OptionQuote.with { $0.contract = instrument.option }
    }

    /// The snapshot's quote, and its line freed.
    mutating func endSnapshot(_ reqId: Int) -> Volta_V1_OptionQuote? {
        guard let instrument = lines.removeValue(forKey: reqId) else { return nil }
        changed[instrument.underlyingSymbol]?.remove(reqId)
        var q = options.removeValue(forKey: reqId)
        if q?.underlyingPrice == 0, let u = spot(instrument.underlyingSymbol) { q?.underlyingPrice = u }
        return q
    }

    /// The quote of an instrument that streams, if it does.
    func streamed(_ instrument: Volta_V1_Instrument) -> Volta_V1_OptionQuote? {
        lineOf[instrument.displayName].flatMap { options[$0] }
    }

    /// A new connection's request ids start over; the instruments are kept to subscribe again.
    mutating func dropLines() {
        lines = [:]
        lineOf = [:]
        changed = [:]
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
            guard TWSTickType.live(m.tickType) == TWSTickType.modelOption else { return lines[m.reqId] != nil }
            return update(m.reqId) { _ in } option: { o in
                // IB quotes vega per volatility point and theta per day; Volta per 1.00 and per year.
                o.greeks.delta = m.delta ?? o.greeks.delta
                o.greeks.gamma = m.gamma ?? o.greeks.gamma
                o.greeks.vega = m.vega.map { $0 * 100 } ?? o.greeks.vega
                o.greeks.theta = m.theta.map { $0 * 365 } ?? o.greeks.theta
                o.greeks.iv = m.impliedVol ?? o.greeks.iv
                o.greeks.theo = m.optionPrice ?? o.greeks.theo
                o.greeks.model = "broker"
                if let u = m.underlyingPrice { o.underlyingPrice = u }
            }
        default: return false
        }
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
