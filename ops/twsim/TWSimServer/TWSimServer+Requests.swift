import Foundation
import Messages
import TWS

/// Each request a client sends, to the part of twsim that answers it.
extension TWSimServer {
    func handle(_ message: any TWSMessage, from session: TWSimSession) async {
        switch message {
        case let m as TWSStartAPI: start(session, clientId: m.clientId)
        case is TWSRequestIds: session.send(TWSNextValidId(orderId: nextOrderId(of: state(of: session).clientId ?? 0)))
        case let m as TWSRequestMarketDataType: update(session) { $0.marketDataType = m.type }
        case let m as TWSRequestMarketData: await subscribe(m, session)
        case let m as TWSCancelMarketData: update(session) { $0.unsubscribe(m.reqId) }
        case let m as TWSRequestContractDetails: await contractDetails(m, session)
        case let m as TWSRequestOptionParameters: await optionParameters(m, session)
        case let m as TWSRequestHistoricalData: await historicalData(m, session)
        case is TWSCancelHistoricalData, is TWSRequestAutoOpenOrders: break
        case let m as TWSPlaceOrder: await place(m, session)
        case let m as TWSCancelOrder: await cancel(orderId: m.orderId, session)
        case is TWSRequestGlobalCancel: await cancelEveryOrder()
        case is TWSRequestOpenOrders: sendOpenOrders(session, everyClient: false)
        case is TWSRequestAllOpenOrders: sendOpenOrders(session, everyClient: true)
        case is TWSRequestCompletedOrders: sendCompletedOrders(session)
        case let m as TWSRequestExecutions: sendExecutions(m, session)
        case is TWSRequestPositions: await sendPositions(session)
        case is TWSCancelPositions: update(session) { $0.wantsPositions = false }
        case let m as TWSRequestAccountUpdates: await accountUpdates(m, session)
        case let m as TWSRequestAccountUpdatesMulti: await accountUpdatesMulti(m, session)
        case is TWSRequestCurrentTime:
            var time = TWSCurrentTime()
            time.time = Int(Date().timeIntervalSince1970)
            session.send(time)
        default:
            session.send(TWSError(reqId: -1, code: 321, message: "Error validating request: twsim does not serve \(type(of: message).name)"))
        }
    }

    /// startApi: the client's id, then what TWS sends every client first: the accounts, the
    /// next order id and the data farms' notices.
    func start(_ session: TWSimSession, clientId: Int) {
        let taken = book.withLock { b in
            b.clients.contains { $0.key != session.number && $0.value.clientId == clientId }
        }
        if taken {
            session.send(TWSError(reqId: -1, code: 326, message: "Unable to connect as the client id is already in use. Retry with a unique client id."))
            session.closeAfterSending()
            return
        }
        update(session) { $0.clientId = clientId }
        session.send(TWSManagedAccounts(accounts: [adapter.accountID]))
        session.send(TWSNextValidId(orderId: nextOrderId(of: clientId)))
        session.send([
            TWSError(reqId: -1, code: 2104, message: "Market data farm connection is OK:usfarm"),
            TWSError(reqId: -1, code: 2106, message: "HMDS data farm connection is OK:ushmds"),
            TWSError(reqId: -1, code: 2158, message: "Sec-def data farm connection is OK:secdefnj"),
        ])
    }

    /// One past the highest order id the client has used, held orders included.
    func nextOrderId(of clientId: Int) -> Int {
        book.withLock { b in
            let placed = b.orders.values.filter { $0.clientId == clientId }.map(\.placed.order.orderId).max() ?? 0
            let held = b.clients.values.filter { $0.clientId == clientId }.flatMap(\.held.keys).max() ?? 0
            return max(placed, held) + 1
        }
    }
}
