import Bus
import Market
import Messages
import TWS

/// What the `ibkr` adapter knows of the account, kept across reconnects: orders by Volta id and
/// TWS id, their last status, positions, account values and fills already seen. Each message
/// from TWS updates it and yields the events the gateway publishes; it does no I/O, so the
/// rules (order ids mapped back through orderRef, a fill once per execution id, informational
/// errors not failures) are tested without a socket.
struct IBKRBook: Sendable {
    var account = ""
    var accounts: [String] = []
    var nextOrderId = 0
    var haveNextId = false
    var positionsComplete = false
    /// This connection's executions have been read: every order this client id placed before
    /// (in an earlier run of the gateway too) is known, so a repeated order id is recognised.
    var executionsComplete = false
    /// Today's completed orders have been read: those that ended with no execution too.
    var completedOrdersComplete = false
    /// Both: every order of today is known, ended or working.
    var ordersKnown: Bool { executionsComplete && completedOrdersComplete }
    var twsIdOf: [String: Int] = [:]
    var voltaIdOf: [Int: String] = [:]
    var statuses: [String: Volta_V1_OrderStatus] = [:]
    /// Executions waiting for their commission report.
    var pendingFills: [String: (fill: Volta_V1_Fill, since: Int64)] = [:]
    /// Executions whose contract could not be converted, with why, until the adapter takes them.
    var unreadExecutions: [String] = []
    var seenExecutions: Set<String> = []
    /// Orders on a BAG: TWS reports each leg's executions, in leg quantities at leg prices, so
    /// only its orderStatus (whole units at the net price) moves the combo's status.
    var comboOrders: Set<String> = []
    /// What each order trades (its legs' instruments): a working order's contracts keep their
    /// market data lines while it works (IBKRAdapter+MarketData).
    var instrumentsOf: [String: [Volta_V1_Instrument]] = [:]
    var positions: [String: Volta_V1_Position] = [:]
    /// Options whose position went to zero after their expiry, waiting for an exercise
    /// execution before they are booked as expired (IBKRBook+Settlement).
    var expiring: [String: (position: Volta_V1_Position, since: Int64)] = [:]
    /// When a non-API option execution (an exercise or assignment) was last heard, by underlying.
    var exercisedAt: [String: Int64] = [:]
    /// Options an exercise or assignment execution closed: their zero position is not an expiry.
    var exercised: Set<String> = []
    var values: [String: Volta_V1_AccountValue] = [:]
    /// Errors by code, informational ones included.
    var errors: [Int: Int] = [:]
    /// The last error about the connection itself (no request id), such as 326, the client id
    /// in use: why a handshake that ends early ended.
    var lastConnectionError: String?
    /// What TWS says is broken behind the socket (a data farm, its own link to IB).
    var outages = TWSOutages()

    /// The account values the gateway publishes, as TWS names them.
    static let valueKeys: Set<String> = ["NetLiquidation", "TotalCashValue", "MaintMarginReq", "InitMarginReq", "ExcessLiquidity",
                                         "BuyingPower", "AvailableFunds", "RealizedPnL", "UnrealizedPnL", "GrossPositionValue",
                                         "Commissions"]

    var isReady: Bool { haveNextId && !accounts.isEmpty }

    mutating func allocateOrderId(for orderID: String) -> Int {
        let id = nextOrderId
        nextOrderId += 1
        link(orderID, id)
        return id
    }

    mutating func link(_ orderID: String, _ twsId: Int) {
        twsIdOf[orderID] = twsId
        voltaIdOf[twsId] = orderID
        nextOrderId = max(nextOrderId, twsId + 1)
    }

    /// Applies one message; returns what changed for the bus.
    mutating func apply(_ message: any TWSMessage, now: Int64) -> [BrokerEvent] {
        switch message {
        case let m as TWSNextValidId:
            nextOrderId = max(nextOrderId, m.orderId)
            haveNextId = true
        case let m as TWSManagedAccounts: accounts = m.list
        case let m as TWSOrderStatus:
            guard let id = voltaIdOf[m.orderId] else { return [] }
            return status(id, twsId: m.orderId) { s in
                s.state = TWSConversions.voltaState(m.status, filled: m.filled)
                s.filledQuantity = TWSConversions.count(m.filled)
                s.remainingQuantity = TWSConversions.count(m.remaining)
                s.avgFillPriceMicros = TWSConversions.micros(m.avgFillPrice)
                if m.permId != 0 { s.brokerOrderID = Int64(m.permId) }
            }
        case let m as TWSOpenOrder: return openOrder(m)
        case let m as TWSCompletedOrder: return completedOrder(m)
        case let m as TWSError: return error(m)
        case let m as TWSExecution: return execution(m, now: now)
        case let m as TWSCommissionReport:
            guard var pending = pendingFills.removeValue(forKey: m.execId)?.fill else { return [] }
            pending.commissionMicros = TWSConversions.micros(m.commission)
            return [.fill(pending)]
        case let m as TWSPosition:
            guard m.account == account || account.isEmpty,
                  let p = position(m.contract, quantity: m.position, averageCost: m.averageCost, now: now) else { return [] }
            return [.position(p)]
        case let m as TWSPortfolioValue:
            guard var p = position(m.contract, quantity: m.position, averageCost: m.averageCost, now: now) else { return [] }
            p.marketPrice = m.marketPrice
            p.unrealizedPnl = m.unrealizedPNL
            p.realizedPnl = m.realizedPNL
            positions[p.instrument.displayName] = p
            return [.position(p)]
        case let m as TWSAccountValue:
            guard Self.valueKeys.contains(m.key), m.currency == "USD" || m.currency == "BASE",
                  let micros = Money.micros(m.value) ?? Double(m.value).map(TWSConversions.micros) else { return [] }
            var v = Volta_V1_AccountValue()
            v.account = m.account
            v.key = m.key
            v.valueMicros = micros
            v.currency = "USD"
            guard values[m.key] != v else { return [] }
            values[m.key] = v
            return [.accountValue(v)]
        default: break
        }
        return []
    }

    /// Changes an order's status and reports it when it changed.
    mutating func status(_ id: String, twsId: Int, _ change: (inout Volta_V1_OrderStatus) -> Void) -> [BrokerEvent] {
        var s = statuses[id] ?? Volta_V1_OrderStatus.with {
            $0.orderID = id
            $0.brokerOrderID = Int64(twsId)
        }
        let before = s
        change(&s)
        guard s != before || statuses[id] == nil else { return [] }
        statuses[id] = s
        return [.status(s)]
    }

    /// An open order maps its TWS id back to Volta's through orderRef, even after a restart.
    mutating func openOrder(_ m: TWSOpenOrder) -> [BrokerEvent] {
        let id = voltaIdOf[m.order.orderId] ?? (m.order.orderRef.isEmpty ? "tws-\(m.order.permId)" : m.order.orderRef)
        link(id, m.order.orderId)
        if m.contract.isCombo { comboOrders.insert(id) }
        if instrumentsOf[id] == nil, !m.contract.isCombo, let instrument = try? TWSConversions.instrument(m.contract) {
            instrumentsOf[id] = [instrument]
        }
        let state = TWSConversions.voltaState(m.status, filled: Double(statuses[id]?.filledQuantity ?? 0))
        return status(id, twsId: m.order.orderId) { s in
            if state != .unspecified { s.state = state }
            if s.remainingQuantity == 0 && s.filledQuantity == 0 { s.remainingQuantity = TWSConversions.count(m.order.totalQuantity) }
            if m.order.permId != 0 { s.brokerOrderID = Int64(m.order.permId) }
        }
    }

    mutating func error(_ m: TWSError) -> [BrokerEvent] {
        errors[m.code, default: 0] += 1
        if m.reqId == -1 && !m.isInformational { lastConnectionError = "\(m.code): \(m.message)" }
        guard !m.isInformational, let id = voltaIdOf[m.reqId] else { return [] }
        switch m.code {
        case 202: return status(id, twsId: m.reqId) { $0.state = .cancelled; $0.reason = m.message }
        case 103, 104, 105, 106, 107, 109, 110, 111, 113, 116, 117, 118, 135, 161, 200, 201, 203, 321, 383, 387, 10147, 10148:
            guard statuses[id].map({ ![.filled, .cancelled].contains($0.state) }) ?? true else { return [] }
            return status(id, twsId: m.reqId) { s in
                if m.code != 161 && m.code != 10147 && m.code != 10148 { s.state = .rejected }
                s.reason = "\(m.code): \(m.message)"
            }
        default: return []
        }
    }

    /// A completed order names its Volta id in orderRef. An order that ended while the gateway was
    /// away with no execution (a cancel) is known again this way, so placing its id again sends
    /// nothing; one already known ended stays as it is.
    mutating func completedOrder(_ m: TWSCompletedOrder) -> [BrokerEvent] {
        let id = m.order.orderRef
        guard !id.isEmpty, statuses[id]?.state.isEnded != true else { return [] }
        let state = TWSConversions.voltaState(m.status, filled: m.filledQuantity)
        guard state.isEnded else { return [] }
        return status(id, twsId: twsIdOf[id] ?? 0) { s in
            s.state = state
            s.filledQuantity = TWSConversions.count(m.filledQuantity)
            s.remainingQuantity = max(0, TWSConversions.count(m.order.totalQuantity) - s.filledQuantity)
            if m.order.permId != 0 { s.brokerOrderID = Int64(m.order.permId) }
        }
    }

    /// An execution becomes a fill once its commission arrives (or `flushStaleFills` gives up
    /// waiting). It also moves its order's status: after a reconnect, executions are how an order
    /// that filled meanwhile is known to be filled, since reqOpenOrders no longer lists it.
    mutating func execution(_ m: TWSExecution, now: Int64) -> [BrokerEvent] {
        guard !seenExecutions.contains(m.execId) else { return [] }
        seenExecutions.insert(m.execId)
        // An execution of a contract Volta cannot read is still money that moved: its order's
        // status moves, and the failure is kept for the adapter to count and log. Its fill is not
        // published, since a fill without its instrument would book a position on nothing.
        var instrument: Volta_V1_Instrument?
        do { instrument = try TWSConversions.instrument(m.contract) } catch {
            unreadExecutions.append("execution \(m.execId) of order \(m.orderId) (\(m.contract.secType) \(m.contract.symbol)): \(error)")
        }
        var f = Volta_V1_Fill()
        f.fillID = m.execId
        f.orderID = settlementOrderID(m, instrument, now: now) ?? voltaIdOf[m.orderId] ?? (m.orderRef.isEmpty ? "tws-\(m.permId)" : m.orderRef)
        if voltaIdOf[m.orderId] == nil && !m.orderRef.isEmpty { link(m.orderRef, m.orderId) }
        f.side = m.side == "BOT" ? .buy : .sell
        f.quantity = TWSConversions.count(m.shares)
        f.priceMicros = TWSConversions.micros(m.price)
        f.timeNs = TWSConversions.executionTime(m.time) ?? 0
        f.account = m.account
        if let instrument {
            f.instrument = instrument
            pendingFills[m.execId] = (f, now)
        }
        guard statuses[f.orderID] != nil || !m.orderRef.isEmpty, !comboOrders.contains(f.orderID) else { return [] }
        return status(f.orderID, twsId: m.orderId) { s in
            let total = s.filledQuantity + s.remainingQuantity
            let filled = s.filledQuantity + f.quantity
            s.avgFillPriceMicros = (s.avgFillPriceMicros * s.filledQuantity + f.priceMicros * f.quantity) / max(filled, 1)
            s.filledQuantity = filled
            s.remainingQuantity = max(0, total - filled)
            s.state = s.remainingQuantity == 0 ? .filled : .partiallyFilled
        }
    }

    /// Fills whose commission has not come within `patience`, published without it.
    mutating func flushStaleFills(now: Int64, patience: Duration = .seconds(2)) -> [BrokerEvent] {
        let stale = pendingFills.filter { now - $0.value.since >= patience.nanoseconds }
        for id in stale.keys { pendingFills[id] = nil }
        return stale.values.sorted { $0.fill.timeNs < $1.fill.timeNs }.map { .fill($0.fill) }
    }

    mutating func position(_ c: TWSContract, quantity: Double, averageCost: Double, now: Int64) -> Volta_V1_Position? {
        guard let instrument = try? TWSConversions.instrument(c) else { return nil }
        let key = instrument.displayName
        let before = positions[key]
        defer { if let p = positions[key] { noteSettlement(before: before, after: p, now: now) } }
        var p = positions[key] ?? Volta_V1_Position()
        p.account = account
        p.instrument = instrument
        p.quantity = TWSConversions.count(quantity)
        // IB's average cost is per contract, the multiplier included; Volta's is per unit.
        p.avgCostMicros = TWSConversions.micros(averageCost / Double(TWSConversions.multiplier(of: instrument)))
        positions[key] = p
        return p
    }

    var openOrders: [Volta_V1_OrderStatus] { orders(done: false) }
    /// The instruments of the orders still working.
    var workingInstruments: [Volta_V1_Instrument] {
        openOrders.flatMap { instrumentsOf[$0.orderID] ?? [] }
    }
    var doneOrders: [Volta_V1_OrderStatus] { orders(done: true) }

    func orders(done: Bool) -> [Volta_V1_OrderStatus] {
        statuses.values.filter { $0.state.isEnded == done }.sorted { $0.orderID < $1.orderID }
    }
}
