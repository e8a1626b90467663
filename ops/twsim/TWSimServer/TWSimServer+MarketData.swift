import Bus
import GatewayService
import Market
import Messages
import TWS

/// Market data: each request follows one instrument; every quote the market publishes for it
/// becomes ticks, live or delayed as the client asked.
extension TWSimServer {
    func subscribe(_ m: TWSRequestMarketData, _ session: TWSimSession) async {
        let target: TWSimTarget
        do { target = try await self.target(of: m.contract) } catch {
            session.send(TWSError(reqId: m.reqId, code: 200, message: "No security definition has been found for the request: \(error)"))
            return
        }
        // IB's allowance: a streaming line beyond it is refused (a snapshot here ends at once).
        if !m.snapshot {
            let held = state(of: session).requestTargets
            if held[m.reqId] == nil && held.count >= behaviour.maxMarketDataLines {
                session.send(TWSError(reqId: m.reqId, code: 101, message: "Max number of tickers has been reached"))
                return
            }
        }
        let type = state(of: session).marketDataType
        // No permission for the symbol: live data is refused; delayed is sent with TWS's notice.
        if !behaviour.noPermission.isEmpty, behaviour.noPermission.contains(await symbol(of: target, m.contract)) {
            guard type >= 3 else {
                session.send(TWSError(reqId: m.reqId, code: 354, message: "Requested market data is not subscribed."))
                return
            }
            session.send(TWSError(reqId: m.reqId, code: 10167, message: "Requested market data is not subscribed. Displaying delayed market data."))
        }
        if type != 1 {
            var notice = TWSMarketDataType()
            notice.reqId = m.reqId
            notice.type = type
            session.send(notice)
        }
        if !m.snapshot { update(session) { $0.subscribe(m.reqId, to: target) } }
        var state = TWSimClientState()
        state.subscribe(m.reqId, to: target)
        let current: [Volta_V1_QuoteBatch]
        switch target {
        case .underlying(let symbol): current = adapter.currentQuotes(symbols: [symbol], optionIDs: [])
        case .option(let id): current = adapter.currentQuotes(symbols: [], optionIDs: [id])
        }
        for batch in current { session.send(ticks(batch, for: state, delayed: type >= 3)) }
        if m.snapshot { session.send(TWSTickSnapshotEnd(reqId: m.reqId)) }
    }

    /// The symbol a target's market data permission is granted for: an option's underlying.
    func symbol(of target: TWSimTarget, _ contract: TWSContract) async -> String {
        switch target {
        case .underlying(let s): return s
        case .option(let id):
            if !contract.symbol.isEmpty { return contract.symbol }
            var i = Volta_V1_Instrument()
            i.option.brokerID = id
            do { return try await adapter.contract(i).instrument.option.underlying } catch { return "" }
        }
    }

    /// The instrument a market data request names, by id or by description.
    func target(of c: TWSContract) async throws -> TWSimTarget {
        if c.conId != 0 {
            if let symbol = (adapter.symbols + indexes).first(where: { MarketSimulation.brokerID(of: $0) == Int64(c.conId) }) {
                return .underlying(symbol)
            }
            var i = Volta_V1_Instrument()
            i.option.brokerID = Int64(c.conId)
            return .option(try await adapter.contract(i).brokerID)
        }
        let instrument = try TWSConversions.instrument(c)
        guard instrument.hasOption else {
            guard adapter.symbols.contains(c.symbol) || indexes.contains(c.symbol) else { throw BadRequest("unknown symbol \(c.symbol)") }
            return .underlying(c.symbol)
        }
        return .option(try await adapter.contract(instrument).brokerID)
    }

    /// The ticks a quote batch makes for one client's requests.
    func ticks(_ batch: Volta_V1_QuoteBatch, for state: TWSimClientState, delayed: Bool) -> [any TWSMessage] {
        var out: [any TWSMessage] = []
        for u in batch.underlyings {
            for reqId in state.underlyingRequests[u.symbol] ?? [] {
                if indexes.contains(u.symbol) {
                    out += levelTicks(reqId, level: u.referencePrice, delayed: delayed)
                    continue
                }
                out += touchTicks(reqId, bid: u.bid, ask: u.ask, bidSize: u.bidSize, askSize: u.askSize, last: u.last,
                                  volume: u.volume, delayed: delayed)
            }
        }
        for o in batch.options {
            for reqId in state.optionRequests[o.contract.brokerID] ?? [] {
                out += touchTicks(reqId, bid: o.bid, ask: o.ask, bidSize: o.bidSize, askSize: o.askSize, last: o.last,
                                  volume: o.volume, delayed: delayed)
                if o.hasGreeks { out += computationTicks(reqId, o, delayed: delayed) }
            }
        }
        return out
    }

    /// An index as TWS quotes it: its last, and −1 for a bid and an ask it does not have.
    func levelTicks(_ reqId: Int, level: Double, delayed: Bool) -> [any TWSMessage] {
        func type(_ live: Int) -> Int { delayed ? TWSTickType.delayed(live) : live }
        return [
            TWSTickPrice(reqId: reqId, tickType: type(TWSTickType.bid), price: -1, size: 0),
            TWSTickPrice(reqId: reqId, tickType: type(TWSTickType.ask), price: -1, size: 0),
            TWSTickPrice(reqId: reqId, tickType: type(TWSTickType.last), price: level, size: 0),
        ]
    }

    func touchTicks(_ reqId: Int, bid: Double, ask: Double, bidSize: Int64, askSize: Int64, last: Double, volume: Int64,
                    delayed: Bool) -> [any TWSMessage] {
        func type(_ live: Int) -> Int { delayed ? TWSTickType.delayed(live) : live }
        var out: [any TWSMessage] = [
            TWSTickPrice(reqId: reqId, tickType: type(TWSTickType.bid), price: bid, size: Double(bidSize)),
            TWSTickPrice(reqId: reqId, tickType: type(TWSTickType.ask), price: ask, size: Double(askSize)),
            TWSTickSize(reqId: reqId, tickType: type(TWSTickType.bidSize), size: Double(bidSize)),
            TWSTickSize(reqId: reqId, tickType: type(TWSTickType.askSize), size: Double(askSize)),
        ]
        if last > 0 { out.append(TWSTickPrice(reqId: reqId, tickType: type(TWSTickType.last), price: last, size: 0)) }
        if volume > 0 { out.append(TWSTickSize(reqId: reqId, tickType: type(TWSTickType.volume), size: Double(volume))) }
        return out
    }

    /// The bid's, the ask's and the model's computations (ticks 10, 11 and 13, or 80, 81 and 83
    /// delayed), in IB's units: vega per volatility point, theta per day. A side's volatility is
    /// the model's moved by the side's distance from the theo over vega (first order: the
    /// simulated market's spreads are a few vegas of a point at most); its other greeks are the
    /// model's. A side with no price has no volatility (IB's −1).
    func computationTicks(_ reqId: Int, _ o: Volta_V1_OptionQuote, delayed: Bool) -> [TWSTickOptionComputation] {
        let g = o.greeks
        func tick(_ live: Int, price: Double?, iv: Double?) -> TWSTickOptionComputation {
            var t = TWSTickOptionComputation()
            t.reqId = reqId
            t.tickType = delayed ? TWSTickType.delayed(live) : live
            t.impliedVol = iv
            t.delta = g.delta
            t.optionPrice = price
            t.pvDividend = 0
            t.gamma = g.gamma
            t.vega = g.vega / 100
            t.theta = g.theta / 365
            t.underlyingPrice = o.underlyingPrice > 0 ? o.underlyingPrice : nil
            return t
        }
        func sideIV(_ price: Double) -> Double? {
            guard price > 0, g.iv > 0, g.vega > 0, g.theo > 0 else { return nil }
            return max(g.iv + (price - g.theo) / g.vega, 0.001)
        }
        return [tick(TWSTickType.bidOption, price: o.bid > 0 ? o.bid : nil, iv: sideIV(o.bid)),
                tick(TWSTickType.askOption, price: o.ask > 0 ? o.ask : nil, iv: sideIV(o.ask)),
                tick(TWSTickType.modelOption, price: g.theo > 0 ? g.theo : nil, iv: g.iv > 0 ? g.iv : nil)]
    }
}
