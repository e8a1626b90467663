import Bus
import GatewayService
import Market
import Messages
import TWS

/// Contract details, option parameters and daily bars, from the simulated market.
extension TWSimServer {
    func contractDetails(_ m: TWSRequestContractDetails, _ session: TWSimSession) async {
        do {
            let found = try await matching(m.contract)
            guard !found.isEmpty else { throw BadRequest("nothing matches") }
            for d in found { session.send(details(d, reqId: m.reqId)) }
            session.send(TWSContractDetailsEnd(reqId: m.reqId))
        } catch {
            session.send(TWSError(reqId: m.reqId, code: 200, message: "No security definition has been found for the request: \(error)"))
        }
    }

    /// Every listed contract a (possibly partial) description matches: an option with its
    /// expiry, strike and right names one; leave some out and the chain is searched.
    func matching(_ c: TWSContract) async throws -> [Volta_V1_ContractDetails] {
        if c.conId != 0 || c.secType == "STK" || c.secType == "IND" {
            var i = Volta_V1_Instrument()
            switch try await target(of: c) {
            case .underlying(let s): i.symbol = s
            case .option(let id): i.option.brokerID = id
            }
            return [try await adapter.contract(i)]
        }
        guard c.secType == "OPT" else { throw BadRequest("security type '\(c.secType)' is not listed") }
        if !c.lastTradeDate.isEmpty, c.strike > 0, !c.right.isEmpty {
            return [try await adapter.contract(try TWSConversions.instrument(c))]
        }
        let chain = try await adapter.chain(underlying: c.symbol)
        var found: [Volta_V1_ContractDetails] = []
        for expiry in chain.expiries where TWSConversions.ibDate(expiry.expiry).hasPrefix(c.lastTradeDate) {
            for strike in expiry.strikeMicros where c.strike == 0 || TWSConversions.micros(c.strike) == strike {
                for right in ["C", "P"] where c.right.isEmpty || c.right.hasPrefix(right) {
                    guard found.count < 1_000 else { return found }
                    var option = c
                    option.lastTradeDate = TWSConversions.ibDate(expiry.expiry)
                    option.strike = Money.value(strike)
                    option.right = right
                    found.append(try await adapter.contract(try TWSConversions.instrument(option)))
                }
            }
        }
        return found
    }

    func details(_ d: Volta_V1_ContractDetails, reqId: Int) -> TWSContractDetails {
        var m = TWSContractDetails()
        m.reqId = reqId
        m.contract = TWSConversions.contract(d.instrument)
        m.contract.conId = Int(d.brokerID)
        m.minTick = d.minTick
        m.orderTypes = "LMT,MKT,STP,STP LMT,TRAIL"
        m.validExchanges = "SMART"
        m.timeZoneId = "US/Eastern"
        m.longName = d.instrument.symbol
        if d.instrument.hasOption {
            let o = d.instrument.option
            m.contract.multiplier = String(d.multiplier)
            m.contract.localSymbol = Self.occSymbol(o)
            m.marketName = o.tradingClass
            m.underlyingConId = Int(MarketSimulation.brokerID(of: o.underlying))
            m.underlyingSymbol = o.underlying
            m.underlyingSecType = TWSConversions.indexSymbols.contains(o.underlying) ? "IND" : "STK"
            m.contractMonth = String(m.contract.lastTradeDate.prefix(6))
            m.realExpirationDate = m.contract.lastTradeDate
        } else {
            m.contract.localSymbol = d.instrument.symbol
            m.marketName = d.instrument.symbol
        }
        return m
    }

    /// The OCC symbol IB shows as an option's localSymbol: `SPY   261218C00450000`.
    static func occSymbol(_ o: Volta_V1_OptionContract) -> String {
        let root = o.tradingClass.isEmpty ? o.underlying : o.tradingClass
        let date = TWSConversions.ibDate(o.expiry).dropFirst(2)
        let strike = String(o.strikeMicros / 1_000)
        return root.padding(toLength: 6, withPad: " ", startingAt: 0) + date + (o.right == .call ? "C" : "P")
            + String(repeating: "0", count: max(0, 8 - strike.count)) + strike
    }

    func optionParameters(_ m: TWSRequestOptionParameters, _ session: TWSimSession) async {
        do {
            let chain = try await adapter.chain(underlying: m.underlyingSymbol)
            for (tradingClass, expiries) in Dictionary(grouping: chain.expiries, by: \.tradingClass).sorted(by: { $0.key < $1.key }) {
                var p = TWSOptionParameters()
                p.reqId = m.reqId
                p.exchange = "SMART"
                p.underlyingConId = Int(MarketSimulation.brokerID(of: m.underlyingSymbol))
                p.tradingClass = tradingClass
                p.multiplier = String(chain.multiplier)
                p.expirations = expiries.map { TWSConversions.ibDate($0.expiry) }.sorted()
                p.strikes = Set(expiries.flatMap(\.strikeMicros)).sorted().map(Money.value)
                session.send(p)
            }
            session.send(TWSOptionParametersEnd(reqId: m.reqId))
        } catch {
            session.send(TWSError(reqId: m.reqId, code: 200, message: "No security definition has been found for the request: \(error)"))
        }
    }

    func historicalData(_ m: TWSRequestHistoricalData, _ session: TWSimSession) async {
        do {
            guard m.barSize == "1 day" else { throw BadRequest("twsim serves daily bars ('1 day') only") }
            if behaviour.historicalPacing, let violation = pace("\(m.contract.symbol)|\(m.duration)|\(m.barSize)|\(m.whatToShow)") {
                throw BadRequest(violation)
            }
            let history = try await adapter.history(symbol: m.contract.symbol, days: try Self.days(in: m.duration))
            var reply = TWSHistoricalData()
            reply.reqId = m.reqId
            reply.bars = history.bars.map { b in
                var bar = TWSBar()
                bar.date = TWSConversions.ibDate(b.date)
                (bar.open, bar.high, bar.low, bar.close) = (b.open, b.high, b.low, b.close)
                bar.wap = (b.high + b.low + b.close) / 3
                return bar
            }
            reply.start = (reply.bars.first?.date ?? "") + " 00:00:00"
            reply.end = (reply.bars.last?.date ?? "") + " 23:59:59"
            session.send(reply)
        } catch {
            session.send(TWSError(reqId: m.reqId, code: 162, message: "Historical Market Data Service error message:\(error)"))
        }
    }

    /// TWS's historical pacing, across every client: no identical request within 15 s, no more
    /// than 60 within ten minutes. The violation in TWS's words, or nil when the request may go.
    func pace(_ key: String) -> String? {
        let now = ContinuousClock.now
        return book.withLock { b in
            b.historyRequests.removeAll { now - $0.at >= .seconds(600) }
            if b.historyRequests.contains(where: { $0.key == key && now - $0.at < .seconds(15) }) {
                return "Historical data request pacing violation: an identical request within 15 seconds"
            }
            if b.historyRequests.count >= 60 { return "Historical data request pacing violation: 60 requests within ten minutes" }
            b.historyRequests.append((key, now))
            return nil
        }
    }

    /// Trading days in an IB duration: `30 D`, `4 W`, `6 M`, `1 Y`.
    static func days(in duration: String) throws -> Int {
        let parts = duration.split(separator: " ")
        guard parts.count == 2, let n = Int(parts[0]), n > 0 else { throw BadRequest("duration '\(duration)' is not like '30 D'") }
        let perUnit = ["D": 1, "W": 5, "M": 21, "Y": 252]
        guard let unit = perUnit[String(parts[1])] else { throw BadRequest("duration unit '\(parts[1])' is not D, W, M or Y") }
        return min(n * unit, 1_000)
    }
}
