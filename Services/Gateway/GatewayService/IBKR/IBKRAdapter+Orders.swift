import Bus
import Messages
import TWS

/// Orders: one Volta id is one TWS order id, for good. Placing an id again returns its status
/// instead of sending a second order; modifying sends placeOrder with the same TWS id.
extension IBKRAdapter {
    public func place(_ order: Volta_V1_Order) async throws -> Volta_V1_OrderStatus {
        guard connection.withLock({ $0 }) != nil else { throw BrokerError.notConnected }
        try await awaitOrdersKnown()
        if let known = book.withLock({ $0.statuses[order.orderID] }) { return known }
        return try await transmit(order, isNew: true)
    }

    public func modify(_ order: Volta_V1_Order) async throws -> Volta_V1_OrderStatus {
        guard book.withLock({ $0.twsIdOf[order.orderID] }) != nil else { throw BadRequest("unknown order \(order.orderID)") }
        return try await transmit(order, isNew: false)
    }

    func transmit(_ order: Volta_V1_Order, isNew: Bool) async throws -> Volta_V1_OrderStatus {
        guard connection.withLock({ $0 }) != nil, book.withLock(\.isReady) else { throw BrokerError.notConnected }
        var order = order
        for i in order.legs.indices where order.legs.count > 1 && order.legs[i].instrument.hasOption
            && order.legs[i].instrument.option.brokerID == 0 {
            order.legs[i].instrument = try await contract(order.legs[i].instrument).instrument
        }
        let (twsId, parentId, account): (Int, Int, String) = try book.withLock { b in
            var parent = 0
            if !order.parentOrderID.isEmpty {
                guard let p = b.twsIdOf[order.parentOrderID] else { throw BadRequest("unknown parent order \(order.parentOrderID)") }
                parent = p
            }
            let id = isNew ? b.allocateOrderId(for: order.orderID) : b.twsIdOf[order.orderID]!
            if order.legs.count > 1 { b.comboOrders.insert(order.orderID) }
            b.instrumentsOf[order.orderID] = order.legs.map(\.instrument)
            if isNew {
                b.statuses[order.orderID] = Volta_V1_OrderStatus.with {
                    $0.orderID = order.orderID
                    $0.state = .pendingSubmit
                    $0.remainingQuantity = order.quantity
                }
            }
            return (id, parent, b.account)
        }
        let (contract, twsOrder) = try TWSConversions.twsOrder(order, orderId: twsId, parentId: parentId, account: account)
        if isNew { linesDue() }
        try await send(TWSPlaceOrder(contract: contract, order: twsOrder))
        return await settledStatus(order.orderID, from: book.withLock { $0.statuses[order.orderID] })
    }

    public func cancel(orderID: String) async throws -> Volta_V1_OrderStatus {
        guard let (twsId, before) = book.withLock({ b in b.twsIdOf[orderID].map { ($0, b.statuses[orderID]) } }) else {
            throw BadRequest("unknown order \(orderID)")
        }
        try await send(TWSCancelOrder(orderId: twsId))
        // A status that only moves on (the place's own Submitted arriving late) is not the
        // cancel's answer: wait for the order to end, or for TWS to say it is cancelling.
        return await settledStatus(orderID, from: before) { $0.state.isEnded || $0.state == .pendingCancel }
    }

    /// Until this session's executions and completed orders are read, an order this client
    /// placed in an earlier run of the gateway is unknown.
    func awaitOrdersKnown() async throws {
        try await waitFor(.seconds(10), "executions and completed orders") { self.book.withLock(\.ordersKnown) }
    }

    /// The order's status once TWS has answered (a change from `before` that `answers`), or after
    /// 3 s the last known: a slow answer is not an error, the status stream carries it later.
    func settledStatus(_ orderID: String, from before: Volta_V1_OrderStatus?,
                       answers: @escaping @Sendable (Volta_V1_OrderStatus) -> Bool = { _ in true }) async -> Volta_V1_OrderStatus {
        try? await waitFor(.seconds(3), "status for \(orderID)") {
            self.book.withLock { b in b.statuses[orderID].map { $0 != before && answers($0) } ?? false }
        }
        return book.withLock { $0.statuses[orderID] } ?? Volta_V1_OrderStatus.with { $0.orderID = orderID }
    }

    public func accountSnapshot() async throws -> Volta_V1_AccountSnapshot {
        // A snapshot before the orders are known would miss the ones that ended.
        if connection.withLock({ $0 }) != nil { try await awaitOrdersKnown() }
        return book.withLock { b in
            var s = Volta_V1_AccountSnapshot()
            s.account = b.account
            s.positions = b.positions.values.filter { $0.quantity != 0 }.sorted { $0.instrument.displayName < $1.instrument.displayName }
            s.values = b.values.values.sorted { $0.key < $1.key }
            s.openOrders = b.openOrders
            s.doneOrders = b.doneOrders
            s.connection = Int64(connections.load(ordering: .relaxed))
            return s
        }
    }
}
