import Foundation
import GatewayService
import Logging
import Market
import Messages
import Testing
import TWS
@testable import GatewayService
@testable import TWSimServer

/// Bad input on both sides of the TWS socket: twsim answers unreadable requests with an error
/// and keeps serving, closes a connection whose framing is broken, and the adapter's book takes
/// any decodable nonsense (sizes of 1e300, unknown ids) without trapping.
@Suite(.serialized) struct TWSRobustnessTests {
    @Test func twsimRefusesBadRequestsAndKeepsServing() async throws {
        var scenario = Scenario()
        scenario.account.id = "DU0000002"
        let market = try SimAdapter(scenario: scenario, tick: .milliseconds(50))
        let server = try TWSimServer(adapter: market, port: 0, logger: Logger(label: "twsim"))
        let serving = Task { await server.run() }
        defer { serving.cancel() }
        let client = try await TWSConnection.connect(host: "127.0.0.1", port: server.port, clientId: 9)
        let replies = Task { () -> [[String]] in
            var seen: [[String]] = []
            for await fields in client.frames { seen.append(fields) }
            return seen
        }
        func raw(_ fields: [String]) throws {
            try client.socket.send(TWSFrame.frame(Array((fields.joined(separator: "\0") + "\0").utf8)))
        }
        try raw(["999", "1", "2"])                                   // an id TWS never sent
        try raw(["3", "5", "0", "AAPL"])                             // a placeOrder cut short
        var absurd = TWSPlaceOrder(contract: TWSContract(symbol: "SPY", secType: "STK"), order: TWSOrder())
        absurd.order.orderId = 6
        absurd.order.action = "BUY"
        absurd.order.totalQuantity = 1e300
        absurd.order.orderType = "MKT"
        try client.send(absurd)                                      // decodes, but is no order
        try raw(["61", "1"])                                         // reqPositions still answered
        try await Task.sleep(for: .milliseconds(500))
        try client.socket.send([0x7F, 0xFF, 0xFF, 0xFF, 0x41])       // framing broken: the server hangs up
        let seen = await replies.value
        let errors = seen.filter { $0.first == "4" }.map { ($0[2], $0[3]) }
        #expect(errors.filter { $0.1 == "320" }.count == 2)
        #expect(errors.contains { $0 == ("6", "201") })
        #expect(seen.contains { $0 == ["62", "1"] })
        #expect(server.malformed.load(ordering: .relaxed) >= 2)
        // The server is still there for the next client.
        let next = try await TWSConnection.connect(host: "127.0.0.1", port: server.port, clientId: 9)
        #expect(next.version == TWSHandshake.maxVersion)
        next.close()
    }

    @Test func theAdaptersBookTakesAnyDecodableNonsense() {
        var seed: UInt64 = 42
        func random(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(max(n, 1)))
        }
        let values = ["", "0", "-1", "1e300", "-1e300", "13", "1.5", "2147483647", "OPT", "STK", "C", "P", "20261218", "BOT",
                      "Filled", "Submitted", "NetLiquidation", "USD", "DU1", "abc", "999999999999", "-2"]
        var book = IBKRBook()
        book.link("volta-13", 13)
        var quotes = IBKRQuotes()
        quotes.add(13, Volta_V1_Instrument.with { $0.symbol = "SPY" })
        var applied = 0
        for _ in 0..<20_000 {
            let id = Array(TWSMessageTable.replies.types.keys)[random(TWSMessageTable.replies.types.count)]
            let fields = [String(id)] + (0..<random(60)).map { _ in values[random(values.count)] }
            guard let message = try? TWSMessageTable.replies.decode(fields, version: 178) else { continue }
            _ = quotes.apply(message)
            _ = book.apply(message, now: 1_000)
            applied += 1
        }
        _ = quotes.flush(time: 0)
        _ = book.flushStaleFills(now: 1_000 + 10_000_000_000)
        #expect(applied > 1_000)
    }
}
