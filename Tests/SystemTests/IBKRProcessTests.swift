import Bus
import Foundation
import Messages
import TestSupport
import Testing

/// `twsim`, `bus` and `gateway` with its `ibkr` adapter as real processes on 127.0.0.1: quotes
/// with IB's greeks reach the bus; an order survives twsim dropping the connection (SIGUSR1)
/// and the gateway being SIGKILLed and restarted: one order at the broker, its fill, the position.
@Suite("IBKR processes", .serialized, .timeLimit(.minutes(5)))
struct IBKRProcessTests {
    let scenario = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../ops/scenarios/quiet.yaml").standardized.path

    @Test func theGatewayTradesThroughTWSimAcrossADropAndARestart() async throws {
        let dir = temporaryDirectory("volta-ibkr")
        let endpoint = "tcp://127.0.0.1:\(freeBasePort())"
        let twsPort = freeBasePort()
        let env = ["VOLTA_BUS": endpoint]
        let twsim = try ChildProcess("twsim", ["--port", "\(twsPort)", "--scenario", scenario, "--tick-ms", "50",
                                               "--account-ms", "500"], name: "twsim", logDirectory: dir)
        let daemon = try ChildProcess("bus", ["--set", "bus.heartbeat_ms=200"], name: "bus", environment: env, logDirectory: dir)
        let args = ["--set", "heartbeat.interval_ms=200", "--set", "gateway.adapter=ibkr", "--set", "gateway.ibkr.port=\(twsPort)",
                    "--set", "gateway.ibkr.client_id=3", "--set", "gateway.ibkr.expiries=1", "--set", "gateway.ibkr.strikes=2",
                    "--set", "gateway.reconnect_max_ms=1000"]
        var gateway = try ChildProcess("gateway", args, name: "gateway", environment: env, logDirectory: dir)
        defer { twsim.kill(); daemon.kill(); gateway.kill() }

        let bus = try systemClient(endpoint, instance: "ibkr-test")
        defer { bus.shutdown() }
        let batches = Collector<Volta_V1_QuoteBatch>()
        let fills = Collector<Volta_V1_Fill>()
        let links = Collector<Volta_V1_BrokerConnection>()
        let tasks = [
            Task { for await c in bus.subscribe(Volta_V1_BrokerConnection.self, prefix: Topics.Prefix.brokerConnections) { await links.append(c.message) } },
            Task { for await b in bus.subscribe(Volta_V1_QuoteBatch.self, prefix: "gw.quotes.SPY") { await batches.append(b.message) } },
            Task { for await f in bus.subscribe(Volta_V1_Fill.self, prefix: "exec.fill.") { await fills.append(f.message) } },
        ]
        defer { for t in tasks { t.cancel() } }
        try await until(timeout: .seconds(30)) {
            await batches.items.contains { $0.options.contains { $0.greeks.model == "broker" && $0.contract.brokerID != 0 } }
        }

        var place = Volta_V1_GatewayRequest()
        place.place.orderID = "sys-ibkr-1"
        place.place.legs = [Volta_V1_Leg.with { $0.instrument.symbol = "SPY"; $0.side = .buy; $0.ratio = 1 }]
        place.place.quantity = 5
        place.place.orderType = .market
        place.place.tif = .day
        let status = try await bus.request(service: Topics.Service.gateway, place, as: Volta_V1_GatewayReply.self).status
        #expect(status.orderID == "sys-ibkr-1" && status.state != .rejected)
        twsim.kill(SIGUSR1)                                       // the TWS connection drops
        try await until(timeout: .seconds(30)) { await fills.items.contains { $0.orderID == "sys-ibkr-1" && $0.quantity == 5 } }
        // The drop is published while the gateway lives (the dashboard's broker alert), then the return.
        try await until(timeout: .seconds(30)) {
            let states = await links.items.map(\.connected)
            guard let lost = states.firstIndex(of: false) else { return false }
            return states[lost...].contains(true)
        }
        #expect(await links.items.allSatisfy { $0.adapter == "ibkr" && $0.instance == "gateway" })

        func spyPosition() async -> Int64? {
            var account = Volta_V1_GatewayRequest()
            account.accountSnapshot = true
            let snapshot = try? await bus.request(service: Topics.Service.gateway, account, as: Volta_V1_GatewayReply.self).account
            return snapshot?.positions.first { $0.instrument.symbol == "SPY" && !$0.instrument.hasOption }?.quantity
        }
        try await until(timeout: .seconds(30)) { await spyPosition() == 105 }

        gateway.kill()
        #expect(await gateway.waitForExit() != nil)
        gateway = try ChildProcess("gateway", args, name: "gateway-2", environment: env, logDirectory: dir)
        // The new gateway reads today's executions back from TWS and knows the order by its id.
        try await until(timeout: .seconds(30)) { await spyPosition() == 105 }
        let again = try await bus.request(service: Topics.Service.gateway, place, as: Volta_V1_GatewayReply.self).status
        #expect(again.state == .filled && again.filledQuantity == 5)
        try await Task.sleep(for: .milliseconds(1_000))
        let fillIDs = Set(await fills.items.filter { $0.orderID == "sys-ibkr-1" }.map(\.fillID))
        #expect(fillIDs.count == 1)
        #expect(await spyPosition() == 105)
    }
}
