import Bus
import GatewayService
import Market
import Messages
import TWS

/// Orders as TWS takes them: placed (or held, for an untransmitted bracket), modified by
/// placing the same id again, cancelled; statuses and executions go back to the client that
/// placed the order, and stay for reqOpenOrders and reqExecutions after a reconnect.
extension TWSimServer {
    /// The simulated broker's id for a client's order.
    func voltaID(_ clientId: Int, _ orderId: Int) -> String { "tws-\(clientId)-\(orderId)" }

    func place(_ m: TWSPlaceOrder, _ session: TWSimSession) async {
        let clientId = state(of: session).clientId ?? 0
        guard m.order.transmit else {
            update(session) { $0.held[m.order.orderId] = m }
            return
        }
        // A transmitting order releases its whole bracket: the parent first, then the children.
        let root = m.order.parentId != 0 ? m.order.parentId : m.order.orderId
        var group: [TWSPlaceOrder] = []
        update(session) { s in
            let ids = s.held.keys.filter { $0 == root || s.held[$0]?.order.parentId == root }.sorted()
            group = ids.compactMap { s.held.removeValue(forKey: $0) }
        }
        for held in group + [m] { await submit(held, clientId: clientId, session) }
    }

    func submit(_ m: TWSPlaceOrder, clientId: Int, _ session: TWSimSession) async {
        let id = voltaID(clientId, m.order.orderId)
        // An id already used by an order that ended is not a modify: TWS refuses it (103).
        if book.withLock({ $0.orders[id]?.status.state.isEnded == true }) {
            session.send(TWSError(reqId: m.order.orderId, code: 103, message: "Duplicate order id"))
            return
        }
        var isNew = false
        do {
            var legs: [Int: Volta_V1_Instrument] = [:]
            for leg in m.contract.comboLegs {
                var i = Volta_V1_Instrument()
                i.option.brokerID = Int64(leg.conId)
                legs[leg.conId] = try await adapter.contract(i).instrument
            }
            var order = try TWSConversions.voltaOrder(
                m.contract, m.order, orderID: id, parentOrderID: m.order.parentId == 0 ? "" : voltaID(clientId, m.order.parentId),
                instrumentOf: { conId in
                    guard let i = legs[conId] else { throw BadRequest("combo leg \(conId) is unknown") }
                    return i
                })
            if order.account.isEmpty { order.account = adapter.accountID }
            // TWS cancels a bracket's other child when one fills: an OCA group of the parent's.
            if !order.parentOrderID.isEmpty && order.ocaGroup.isEmpty { order.ocaGroup = "bracket-\(order.parentOrderID)" }
            isNew = book.withLock { b in
                if b.orders[id] != nil {
                    b.orders[id]?.placed = m
                    return false
                }
                defer { b.nextPermId += 1 }
                b.orders[id] = TWSimOrderRecord(clientId: clientId, placed: m, permId: b.nextPermId,
                                                status: Volta_V1_OrderStatus.with { $0.orderID = id })
                return true
            }
            if isNew {
                audit?.write(["event": "order", "id": id, "ref": m.order.orderRef, "action": m.order.action,
                              "quantity": TWSConversions.count(m.order.totalQuantity), "conId": m.contract.conId])
            }
            record(isNew ? try await adapter.place(order) : try await adapter.modify(order))
        } catch {
            if isNew { book.withLock { _ = $0.orders.removeValue(forKey: id) } }
            session.send(Self.rejection(m.order.orderId, "\(error)"))
        }
    }

    /// How TWS refuses an order: a price off the contract's increment with its own code (110),
    /// anything else as 201 with the reason.
    static func rejection(_ orderId: Int, _ reason: String) -> TWSError {
        SimBroker.isOffTick(reason)
            ? TWSError(reqId: orderId, code: 110, message: "The price does not conform to the minimum price variation for this contract.")
            : TWSError(reqId: orderId, code: 201, message: "Order rejected - reason:\(reason)")
    }

    func cancel(orderId: Int, _ session: TWSimSession) async {
        let clientId = state(of: session).clientId ?? 0
        var wasHeld = false
        update(session) { wasHeld = $0.held.removeValue(forKey: orderId) != nil }
        if wasHeld {
            var status = TWSOrderStatus()
            status.orderId = orderId
            status.status = "Cancelled"
            status.clientId = clientId
            session.send(status)
            return
        }
        do {
            let status = try await adapter.cancel(orderID: voltaID(clientId, orderId))
            // TWS confirms a cancel with error 202 beside the Cancelled status.
            if status.state == .cancelled { session.send(TWSError(reqId: orderId, code: 202, message: "Order Canceled - reason:")) }
            record(status)
        } catch {
            session.send(TWSError(reqId: orderId, code: 10147, message: "OrderId \(orderId) that needs to be cancelled is not found."))
        }
    }

    func cancelEveryOrder() async {
        let open = book.withLock { b in b.orders.filter { !$0.value.status.state.isEnded }.keys.sorted() }
        for id in open { if let status = try? await adapter.cancel(orderID: id) { record(status) } }
    }

    /// A new state of an order: openOrder and orderStatus to its client, once per change.
    func record(_ status: Volta_V1_OrderStatus) {
        let found: (TWSimOrderRecord, [TWSimSession])? = book.withLock { b in
            guard var r = b.orders[status.orderID], r.status != status else { return nil }
            r.status = status
            b.orders[status.orderID] = r
            return (r, b.sessions(of: r.clientId))
        }
        guard let (r, sessions) = found else { return }
        for s in sessions {
            s.send(openOrder(r))
            s.send(orderStatus(r))
            if status.state == .rejected {
                s.send(Self.rejection(r.placed.order.orderId, status.reason))
            }
        }
    }

    /// An exercise or assignment at the close, as TWS reports it: executions of no API order
    /// (order id 0, no orderRef, perm id 0), the option's and then the delivered shares', each
    /// with a commission report, to every client. An option that expires worthless sends no
    /// execution: only its position goes to zero.
    func recordSettlement(_ fill: Volta_V1_Fill) {
        let (record, sessions) = book.withLock { b -> (TWSimExecutionRecord, [TWSimSession]) in
            let record = execution(fill, orderId: 0, permId: 0, clientId: 0, orderRef: "", exchange: "", earlier: [])
            b.executions.append(record)
            return (record, Array(b.sessions.values))
        }
        audit?.write(["event": "fill", "exec": fill.fillID, "id": fill.orderID, "ref": "", "side": record.execution.side,
                      "quantity": fill.quantity, "instrument": fill.instrument.displayName])
        for s in sessions {
            s.send(record.execution)
            s.send(record.commission)
        }
    }

    func openOrder(_ r: TWSimOrderRecord) -> TWSOpenOrder {
        var m = TWSOpenOrder()
        m.contract = r.placed.contract
        m.order = r.placed.order
        m.order.clientId = r.clientId
        m.order.permId = r.permId
        m.status = TWSConversions.twsStatus(r.status.state)
        return m
    }

    func orderStatus(_ r: TWSimOrderRecord) -> TWSOrderStatus {
        var m = TWSOrderStatus()
        m.orderId = r.placed.order.orderId
        m.status = TWSConversions.twsStatus(r.status.state)
        m.filled = Double(r.status.filledQuantity)
        m.remaining = Double(r.status.remainingQuantity)
        m.avgFillPrice = Money.value(r.status.avgFillPriceMicros)
        m.lastFillPrice = m.avgFillPrice
        m.permId = r.permId
        m.parentId = r.placed.order.parentId
        m.clientId = r.clientId
        return m
    }

    /// A fill as TWS reports it: the execution (its cumulative quantity and average price over
    /// the order's `earlier` ones) and its commission report.
    func execution(_ fill: Volta_V1_Fill, orderId: Int, permId: Int, clientId: Int, orderRef: String, exchange: String,
                   earlier: [TWSExecution]) -> TWSimExecutionRecord {
        var e = TWSExecution()
        e.orderId = orderId
        e.contract = contract(fill.instrument)
        e.execId = fill.fillID
        e.time = TWSConversions.executionTimeText(fill.timeNs)
        e.account = fill.account
        e.exchange = exchange
        e.side = fill.side == .buy ? "BOT" : "SLD"
        e.shares = Double(fill.quantity)
        e.price = Money.value(fill.priceMicros)
        e.permId = permId
        e.clientId = clientId
        e.cumQty = earlier.reduce(0) { $0 + $1.shares } + e.shares
        e.avgPrice = (earlier.reduce(0) { $0 + $1.shares * $1.price } + e.shares * e.price) / e.cumQty
        e.orderRef = orderRef
        var c = TWSCommissionReport()
        c.execId = fill.fillID
        c.commission = Money.value(fill.commissionMicros)
        c.currency = "USD"
        return TWSimExecutionRecord(execution: e, commission: c)
    }

    /// A fill: execDetails (request id −1) and its commission to the order's client, kept for reqExecutions.
    func record(_ fill: Volta_V1_Fill) {
        if fill.orderID == "exercise" { return recordSettlement(fill) }
        let found: (TWSimExecutionRecord, [TWSimSession])? = book.withLock { b in
            guard let r = b.orders[fill.orderID] else { return nil }
            let earlier = b.executions.filter { $0.execution.permId == r.permId }.map(\.execution)
            let record = execution(fill, orderId: r.placed.order.orderId, permId: r.permId, clientId: r.clientId,
                                   orderRef: r.placed.order.orderRef, exchange: "SIM", earlier: earlier)
            let e = record.execution
            b.executions.append(record)
            audit?.write(["event": "fill", "exec": fill.fillID, "id": fill.orderID, "ref": e.orderRef, "side": e.side,
                          "quantity": fill.quantity, "instrument": fill.instrument.displayName])
            return (record, b.sessions(of: r.clientId))
        }
        guard let (record, sessions) = found else { return }
        for s in sessions {
            s.send(record.execution)
            s.send(record.commission)
        }
    }

    func sendOpenOrders(_ session: TWSimSession, everyClient: Bool) {
        let clientId = state(of: session).clientId
        let open = book.withLock { b in
            b.orders.values.filter { !$0.status.state.isEnded && (everyClient || $0.clientId == clientId) }
                .sorted { $0.permId < $1.permId }
        }
        for r in open {
            session.send(openOrder(r))
            session.send(orderStatus(r))
        }
        session.send(TWSOpenOrderEnd())
    }

    /// Every order of the account that ended, as TWS lists them for any client. All of twsim's
    /// orders come through the API, so a request's `apiOnly` changes nothing.
    func sendCompletedOrders(_ session: TWSimSession) {
        let done = book.withLock { b in b.orders.values.filter { $0.status.state.isEnded }.sorted { $0.permId < $1.permId } }
        for r in done {
            var m = TWSCompletedOrder()
            m.contract = r.placed.contract
            m.order = r.placed.order
            m.order.permId = r.permId
            m.status = TWSConversions.twsStatus(r.status.state)
            m.filledQuantity = Double(r.status.filledQuantity)
            m.completedStatus = r.status.reason.isEmpty ? m.status : r.status.reason
            session.send(m)
        }
        session.send(TWSCompletedOrdersEnd())
    }

    func sendExecutions(_ m: TWSRequestExecutions, _ session: TWSimSession) {
        let matching = book.withLock { b in
            b.executions.filter { r in
                let e = r.execution
                return (m.clientId == 0 || e.clientId == m.clientId) && (m.symbol.isEmpty || e.contract.symbol == m.symbol)
                    && (m.secType.isEmpty || e.contract.secType == m.secType)
                    && (m.side.isEmpty || e.side.hasPrefix(m.side.prefix(1) == "B" ? "B" : "S"))
            }
        }
        for r in matching {
            var e = r.execution
            e.reqId = m.reqId
            session.send(e)
            session.send(r.commission)
        }
        session.send(TWSExecutionsEnd(reqId: m.reqId))
    }
}

extension TWSimBook {
    /// The connected sessions of a client id (one, unless it is reconnecting).
    func sessions(of clientId: Int) -> [TWSimSession] {
        clients.filter { $0.value.clientId == clientId }.keys.sorted().compactMap { sessions[$0] }
    }
}
