import Bus
import Foundation
import Market
import Messages
import TWS

/// Contract details, option chains and daily history, cached where IB's answer does not change
/// within a session (contracts and chains).
extension IBKRAdapter {
    public func contract(_ instrument: Volta_V1_Instrument) async throws -> Volta_V1_ContractDetails {
        let key = instrument.displayName
        if let cached = details.withLock({ $0[key] }) { return cached }
        let reqId = nextRequestId()
        let request = TWSRequestContractDetails(reqId: reqId, contract: TWSConversions.contract(instrument))
        let answer = try await replies.collect(reqId, timeout: config.replyTimeout, isEnd: { $0 is TWSContractDetailsEnd }) {
            try await self.send(request)
        }
        guard let found = answer.compactMap({ $0 as? TWSContractDetails }).first else {
            throw BadRequest("no contract matches \(key)")
        }
        var d = Volta_V1_ContractDetails()
        d.instrument = try TWSConversions.instrument(found.contract)
        d.brokerID = Int64(found.contract.conId)
        d.minTick = found.minTick
        d.multiplier = Int32(found.contract.multiplier) ?? 1
        d.cashSettled = found.underlyingSecType == "IND"
        d.exerciseStyle = found.contract.secType == "OPT" ? (found.underlyingSecType == "IND" ? "european" : "american") : ""
        details.withLock { $0[key] = d }
        return d
    }

    public func chain(underlying: String) async throws -> Volta_V1_OptionChainDefinition {
        if let cached = chains.withLock({ $0[underlying] }) { return cached }
        var u = Volta_V1_Instrument()
        u.symbol = underlying
        let conId = try await contract(u).brokerID
        let reqId = nextRequestId()
        let secType = TWSConversions.indexSymbols.contains(underlying) ? "IND" : "STK"
        let request = TWSRequestOptionParameters(reqId: reqId, symbol: underlying, secType: secType, conId: Int(conId))
        let answer = try await replies.collect(reqId, timeout: config.replyTimeout, isEnd: { $0 is TWSOptionParametersEnd }) {
            try await self.send(request)
        }
        let all = answer.compactMap { $0 as? TWSOptionParameters }
        let smart = all.filter { $0.exchange == "SMART" }
        guard !all.isEmpty else { throw BadRequest("no options listed on \(underlying)") }
        var d = Volta_V1_OptionChainDefinition()
        d.underlying = underlying
        d.exchange = "SMART"
        d.multiplier = Int32((smart.first ?? all[0]).multiplier) ?? 100
        d.expiries = (smart.isEmpty ? all : smart).flatMap { p in
            p.expirations.compactMap { e -> Volta_V1_ExpiryStrikes? in
                guard let iso = TWSConversions.isoDate(e) else { return nil }
                var x = Volta_V1_ExpiryStrikes()
                x.expiry = iso
                x.strikeMicros = p.strikes.map(TWSConversions.micros).sorted()
                x.tradingClass = p.tradingClass
                return x
            }
        }.sorted { ($0.expiry, $0.tradingClass) < ($1.expiry, $1.tradingClass) }
        chains.withLock { $0[underlying] = d }
        return d
    }

    public func history(symbol: String, days: Int) async throws -> Volta_V1_History {
        guard (1...1000).contains(days) else { throw BadRequest("history.days must be 1…1000, got \(days)") }
        let key = "\(symbol)|\(days)", today = NewYorkTime.local(clock.now()).date.description
        if let kept = histories.withLock({ $0[key] }), kept.day == today { return kept.history }
        var u = Volta_V1_Instrument()
        u.symbol = symbol
        var request = TWSRequestHistoricalData()
        request.reqId = nextRequestId()
        request.contract = TWSConversions.contract(u)
        // Calendar days cover the trading days asked for, with room for holidays.
        request.duration = days <= 250 ? "\(days * 7 / 5 + 5) D" : "\(days / 250 + 1) Y"
        let sent = request
        let answer = try await replies.collect(sent.reqId, timeout: config.replyTimeout * 3, isEnd: { $0 is TWSHistoricalData }) {
            try await self.send(sent)
        }
        var h = Volta_V1_History()
        h.symbol = symbol
        h.bars = (answer.compactMap { $0 as? TWSHistoricalData }.first?.bars ?? []).suffix(days).compactMap { b in
            guard let date = TWSConversions.isoDate(b.date) else { return nil }
            var bar = Volta_V1_DailyBar()
            bar.date = date
            (bar.open, bar.high, bar.low, bar.close) = (b.open, b.high, b.low, b.close)
            return bar
        }
        histories.withLock { $0[key] = (today, h) }
        return h
    }
}
