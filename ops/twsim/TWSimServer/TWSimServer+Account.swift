import Foundation
import GatewayService
import Market
import Messages
import TWS

/// Positions, portfolio and account values: answered on request, then streamed to the clients
/// that subscribed, as the broker reports changes.
extension TWSimServer {
    func publish(_ event: BrokerEvent) {
        switch event {
        case .quotes(let batch):
            guard !book.withLock(\.farmDown) else { return }
            forEachClient(where: { !$0.requestTargets.isEmpty }) { session, state in
                session.send(ticks(batch, for: state, delayed: state.marketDataType >= 3))
            }
        case .status(let status): record(status)
        case .fill(let fill): record(fill)
        case .position(let p):
            forEachClient(where: \.wantsPositions) { session, _ in session.send(position(p)) }
            forEachClient(where: \.accountUpdates) { session, _ in session.send(portfolio(p)) }
        case .accountValue(let v):
            forEachClient(where: \.accountUpdates) { session, _ in session.send(accountValue(v)) }
        }
    }

    func sendPositions(_ session: TWSimSession) async {
        guard let snapshot = try? await adapter.accountSnapshot() else { return }
        update(session) { $0.wantsPositions = true }
        for p in snapshot.positions where p.quantity != 0 { session.send(position(p)) }
        session.send(TWSPositionEnd())
    }

    func accountUpdates(_ m: TWSRequestAccountUpdates, _ session: TWSimSession) async {
        update(session) { $0.accountUpdates = m.subscribe }
        guard m.subscribe, let snapshot = try? await adapter.accountSnapshot() else { return }
        for v in snapshot.values { session.send(accountValue(v)) }
        for p in snapshot.positions where p.quantity != 0 { session.send(portfolio(p)) }
        var time = TWSAccountUpdateTime()
        time.time = TWSHandshake.utc(Date(), format: "HH:mm")
        session.send(time)
        var end = TWSAccountDownloadEnd()
        end.account = snapshot.account
        session.send(end)
    }

    func accountUpdatesMulti(_ m: TWSRequestAccountUpdatesMulti, _ session: TWSimSession) async {
        let snapshot = try? await adapter.accountSnapshot()
        for v in snapshot?.values ?? [] {
            var u = TWSAccountUpdateMulti()
            u.reqId = m.reqId
            u.account = v.account
            u.modelCode = m.modelCode
            u.key = v.key
            u.value = Money.format(v.valueMicros)
            u.currency = v.currency
            session.send(u)
        }
        session.send(TWSAccountUpdateMultiEnd(reqId: m.reqId))
    }

    /// An instrument's contract, the id of an underlying included.
    func contract(_ instrument: Volta_V1_Instrument) -> TWSContract {
        var c = TWSConversions.contract(instrument)
        if !instrument.hasOption { c.conId = Int(MarketSimulation.brokerID(of: instrument.symbol)) }
        return c
    }

    /// IB reports the average cost per contract, the multiplier included.
    func position(_ p: Volta_V1_Position) -> TWSPosition {
        var m = TWSPosition()
        m.account = p.account
        m.contract = contract(p.instrument)
        m.position = Double(p.quantity)
        m.averageCost = Money.value(p.avgCostMicros) * Double(TWSConversions.multiplier(of: p.instrument))
        return m
    }

    func portfolio(_ p: Volta_V1_Position) -> TWSPortfolioValue {
        var m = TWSPortfolioValue()
        m.contract = contract(p.instrument)
        m.contract.primaryExchange = m.contract.exchange
        m.position = Double(p.quantity)
        m.marketPrice = p.marketPrice
        m.marketValue = Double(p.quantity) * p.marketPrice * Double(TWSConversions.multiplier(of: p.instrument))
        m.averageCost = Money.value(p.avgCostMicros) * Double(TWSConversions.multiplier(of: p.instrument))
        m.unrealizedPNL = p.unrealizedPnl
        m.realizedPNL = p.realizedPnl
        m.account = p.account
        return m
    }

    func accountValue(_ v: Volta_V1_AccountValue) -> TWSAccountValue {
        TWSAccountValue(key: v.key, value: Money.format(v.valueMicros), currency: v.currency, account: v.account)
    }
}
