import Foundation
import Testing
@testable import TWS

/// Volta's requests, byte for byte what IB's official Python client (ibapi 9.81, server version
/// 157) and ib_async (178) send for the same call. Fixtures/requests.txt is written by
/// Tests/Interop/tws_request_fixtures.py from those clients; test_tws_requests.py checks it is current.
@Suite struct RequestEncodingTests {
    static let fixtures: [(client: String, version: Int, name: String, payload: String)] = {
        let url = Bundle.module.url(forResource: "Fixtures/requests", withExtension: "txt")!
        let lines = (try? String(contentsOf: url, encoding: .utf8))?.split(whereSeparator: \.isNewline) ?? []
        return lines.map { line in
            let parts = line.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
            return (parts[0], Int(parts[1])!, parts[2], parts[3])
        }
    }()

    static let aapl = TWSContract(symbol: "AAPL", secType: "STK")
    static let spy = TWSContract(symbol: "SPY", secType: "OPT", lastTradeDate: "20261218", strike: 450, right: "C", multiplier: "100",
                                 tradingClass: "SPY")

    /// The requests the fixture script makes, built with Volta's types.
    static func request(_ name: String) -> (any TWSMessage)? {
        switch name {
        case "startApi": return TWSStartAPI(clientId: 7)
        case "reqMktData stock": return TWSRequestMarketData(reqId: 1001, contract: aapl, genericTicks: "100,101,106")
        case "reqMktData option": return TWSRequestMarketData(reqId: 1002, contract: spy)
        case "cancelMktData": return TWSCancelMarketData(reqId: 1001)
        case "reqContractDetails": return TWSRequestContractDetails(reqId: 5, contract: spy)
        case "reqSecDefOptParams": return TWSRequestOptionParameters(reqId: 6, symbol: "SPY", conId: 756733)
        case "reqHistoricalData":
            var m = TWSRequestHistoricalData()
            m.reqId = 7
            m.contract = aapl
            m.duration = "30 D"
            return m
        case "reqPositions": return TWSRequestPositions()
        case "reqAccountUpdates": return TWSRequestAccountUpdates(subscribe: true, account: "DU1234567")
        case "reqExecutions": return TWSRequestExecutions(reqId: 8)
        case "reqIds": return TWSRequestIds()
        case "reqMarketDataType": return TWSRequestMarketDataType(type: 3)
        case "reqGlobalCancel": return TWSRequestGlobalCancel()
        case "reqOpenOrders": return TWSRequestOpenOrders()
        case "reqAllOpenOrders": return TWSRequestAllOpenOrders()
        case "cancelOrder": return TWSCancelOrder(orderId: 42)
        case "placeOrder limit":
            return TWSPlaceOrder(contract: aapl, order: order(42, "BUY", 100, "LMT") { $0.lmtPrice = 150.25; $0.orderRef = "volta-1"; $0.tif = "DAY" })
        case "placeOrder stop child":
            return TWSPlaceOrder(contract: spy, order: order(43, "SELL", 1, "STP") { o in
                o.auxPrice = 2.5
                o.account = "DU1234567"
                o.ocaGroup = "oca-1"
                o.ocaType = 1
                o.parentId = 41
                o.transmit = false
            })
        case "placeOrder adaptive":
            return TWSPlaceOrder(contract: aapl, order: order(44, "BUY", 5, "MKT") { o in
                o.algoStrategy = "Adaptive"
                o.algoParams = [TWSTagValue(tag: "adaptivePriority", value: "Urgent")]
            })
        case "placeOrder combo":
            var combo = TWSContract(symbol: "SPY", secType: "BAG")
            combo.comboLegs = [TWSComboLeg(conId: 111, ratio: 1, action: "BUY"), TWSComboLeg(conId: 222, ratio: 1, action: "SELL")]
            return TWSPlaceOrder(contract: combo, order: order(45, "BUY", 2, "LMT") { $0.lmtPrice = -1.25 })
        case "placeOrder trail":
            return TWSPlaceOrder(contract: aapl, order: order(46, "SELL", 3, "TRAIL") { $0.trailingPercent = 5; $0.trailStopPrice = 140 })
        default: return nil
        }
    }

    static func order(_ id: Int, _ action: String, _ quantity: Double, _ type: String, _ rest: (inout TWSOrder) -> Void) -> TWSOrder {
        var o = TWSOrder()
        o.orderId = id
        o.action = action
        o.totalQuantity = quantity
        o.orderType = type
        rest(&o)
        return o
    }

    @Test func fixturesCoverEveryRequestOfBothClients() {
        #expect(Self.fixtures.count == 37)
        #expect(Self.fixtures.allSatisfy { Self.request($0.name) != nil })
    }

    @Test(arguments: fixtures.indices) func encodesAsTheClientDoes(_ index: Int) throws {
        let f = Self.fixtures[index]
        let message = try #require(Self.request(f.name))
        let bytes = message.payload(version: f.version)
        let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\0", with: "|")
        #expect(text == f.payload, "\(f.client) \(f.name) at \(f.version)")
        // What twsim reads back is what was sent.
        let decoded = try TWSMessageTable.requests.decode(TWSFrame.fields(bytes), version: f.version)
        #expect(decoded.payload(version: f.version) == bytes)
    }

    @Test func aPlainLimitOrderHasTheOfficialFieldCount() throws {
        let limit = try #require(Self.request("placeOrder limit"))
        // 115 fields at 176 (faProfile included), one fewer from 177 on (reference notes, A2).
        #expect(TWSFrame.fields(limit.payload(version: 176)).count == 115)
        #expect(TWSFrame.fields(limit.payload(version: 178)).count == 114)
    }
}
