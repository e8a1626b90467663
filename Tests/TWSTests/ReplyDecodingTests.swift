import Foundation
import Testing
@testable import TWS

/// Real TWS messages (captured by another client's maintainers, see Fixtures/replies.txt),
/// decoded field by field.
@Suite struct ReplyDecodingTests {
    static let captures: [String: (version: Int, fields: [String])] = {
        let url = Bundle.module.url(forResource: "Fixtures/replies", withExtension: "txt")!
        let lines = (try? String(contentsOf: url, encoding: .utf8))?.split(whereSeparator: \.isNewline) ?? []
        var out: [String: (Int, [String])] = [:]
        for line in lines where !line.hasPrefix("#") {
            let parts = line.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
            var fields = parts[2].split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            fields.removeLast()
            out[String(parts[1])] = (Int(parts[0])!, fields)
        }
        return out
    }()

    func decode(_ name: String) throws -> any TWSMessage {
        let capture = try #require(Self.captures[name])
        return try TWSMessageTable.replies.decode(capture.fields, version: capture.version)
    }

    @Test func openOrdersFromTWS() throws {
        let pre = try #require(try decode("openOrder presubmitted") as? TWSOpenOrder)
        #expect(pre.order.orderId == 13 && pre.order.permId == 1376327563 && pre.order.clientId == 100)
        #expect(pre.contract.conId == 76792991 && pre.contract.symbol == "TSLA" && pre.contract.tradingClass == "NMS")
        #expect(pre.order.action == "BUY" && pre.order.totalQuantity == 100 && pre.order.orderType == "MKT")
        #expect(pre.order.account == "DU1234567" && pre.order.tif == "DAY" && pre.order.ocaType == 3)
        #expect(pre.status == "PreSubmitted" && pre.commission == nil)
        let filled = try #require(try decode("openOrder filled") as? TWSOpenOrder)
        #expect(filled.status == "Filled" && filled.commission == 1.0 && filled.commissionCurrency == "USD")
    }

    @Test func orderStatusesExecutionsAndCommissions() throws {
        let pre = try #require(try decode("orderStatus presubmitted") as? TWSOrderStatus)
        #expect(pre.orderId == 13 && pre.status == "PreSubmitted" && pre.remaining == 100 && pre.permId == 1376327563 && pre.clientId == 100)
        let filled = try #require(try decode("orderStatus filled") as? TWSOrderStatus)
        #expect(filled.filled == 100 && filled.remaining == 0 && filled.avgFillPrice == 196.52 && filled.lastFillPrice == 196.52)
        let e = try #require(try decode("execDetails") as? TWSExecution)
        #expect(e.reqId == -1 && e.orderId == 13 && e.contract.conId == 76792991 && e.contract.exchange == "ISLAND")
        #expect(e.execId == "00025b46.63f8f39c.01.01" && e.time == "20230224  12:04:56" && e.account == "DU1234567")
        #expect(e.side == "BOT" && e.shares == 100 && e.price == 196.52 && e.permId == 1376327563 && e.clientId == 100)
        #expect(e.cumQty == 100 && e.avgPrice == 196.52 && e.lastLiquidity == 2)
        let c = try #require(try decode("commissionReport") as? TWSCommissionReport)
        #expect(c.execId == e.execId && c.commission == 1.0 && c.currency == "USD" && c.realizedPNL == nil && c.yield == nil)
    }

    @Test func errorsAndTicks() throws {
        let error = try #require(try decode("error order cancelled") as? TWSError)
        #expect(error.reqId == 41 && error.code == 202 && error.message == "Order Canceled - reason:" && !error.isInformational)
        let price = try #require(try decode("tickPrice") as? TWSTickPrice)
        #expect(price.reqId == 9001 && price.tickType == TWSTickType.bid && price.price == 185.50 && price.size == 100 && price.attributes == 7)
        let size = try #require(try decode("tickSize") as? TWSTickSize)
        #expect(size.reqId == 9001 && size.tickType == TWSTickType.bidSize && size.size == 150)
    }

    @Test func theServersHelloIsTwoFields() throws {
        let hello = try #require(Self.captures["server hello"])
        #expect(hello.fields.count == 2 && Int(hello.fields[0]) == 173)
        #expect(TWSError(reqId: -1, code: 2104, message: "farm OK").isInformational)
    }

    @Test func optionComputationSentinelsReadAsAbsent() throws {
        let fields = ["21", "5", "13", "0", "-1", "-2", "-1", "-1", "-2", "-2", "-2", "-1"]
        let m = try TWSTickOptionComputation.decode(fields, version: 178)
        #expect(m.impliedVol == nil && m.delta == nil && m.optionPrice == nil && m.pvDividend == nil)
        #expect(m.gamma == nil && m.vega == nil && m.theta == nil && m.underlyingPrice == nil)
        // And absent values go out as the sentinels again.
        #expect(TWSFrame.fields(m.payload(version: 178)).dropFirst(4).allSatisfy { $0 == "-1.0" || $0 == "-2.0" })
        #expect(try TWSTickOptionComputation.decode(TWSFrame.fields(m.payload(version: 178)), version: 178) == m)
    }
}
