import Bus
import BusZeroMQ
import Foundation
import Logging
import Messages
import TestSupport
import Testing

/// `bus`, `gateway` (the simulated market) and `marketdata` as real processes on 127.0.0.1:
/// marketdata is SIGKILLed and restarted and has the whole market again from the gateway's
/// snapshot; orders placed through the gateway fill and move the account.
@Suite("Market processes", .serialized, .timeLimit(.minutes(5)))
struct MarketProcessTests {
    let scenario = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../ops/scenarios/quiet.yaml").standardized.path

    @Test func aKilledMarketdataCatchesUpFromTheSnapshot() async throws {
        let dir = temporaryDirectory("volta-market")
        let endpoint = "tcp://127.0.0.1:\(freeBasePort())"
        let env = ["VOLTA_BUS": endpoint]
        let common = ["--set", "heartbeat.interval_ms=200"]
        let daemon = try ChildProcess("bus", ["--set", "bus.heartbeat_ms=200"], name: "bus", environment: env, logDirectory: dir)
        let gateway = try ChildProcess("gateway", common + ["--set", "gateway.scenario=\(scenario)", "--set", "gateway.tick_ms=100",
                                                            "--set", "gateway.account_ms=500"],
                                       name: "gateway", environment: env, logDirectory: dir)
        let mdArgs = common + ["--set", "marketdata.history_days=30"]
        var marketdata = try ChildProcess("marketdata", mdArgs, name: "marketdata", environment: env, logDirectory: dir)
        defer { daemon.kill(); gateway.kill(); marketdata.kill() }

        let bus = try client(endpoint)
        defer { bus.shutdown() }
        let batches = Collector<Received<Volta_V1_QuoteBatch>>()
        let fills = Collector<Volta_V1_Fill>()
        let stats = Collector<Volta_V1_UnderlyingStats>()
        let tasks = [
            Task { for await b in bus.subscribe(Volta_V1_QuoteBatch.self, prefix: "gw.quotes.SPY") { await batches.append(b) } },
            Task { for await f in bus.subscribe(Volta_V1_Fill.self, prefix: "exec.fill.") { await fills.append(f.message) } },
            Task { for await s in bus.subscribe(Volta_V1_UnderlyingStats.self, prefix: "md.stats.") { await stats.append(s.message) } },
        ]
        defer { for t in tasks { t.cancel() } }

        // The gateway's whole SPY market, from its snapshot, against marketdata's.
        func gatewayOptions() async throws -> Set<String> {
            let s = try await fetchSnapshot(bus, stream: Topics.Service.gateway, prefix: "gw.quotes.SPY")
            return Set(try s.entries.flatMap { try Volta_V1_QuoteBatch(serializedBytes: $0.payload).options.map(\.topic) })
        }
        func marketdataOptions() async throws -> (topics: Set<String>, epochs: Set<UInt64>) {
            let s = try await fetchSnapshot(bus, stream: Topics.Service.marketdata, prefix: "md.option.SPY.")
            return (Set(s.entries.map(\.topic)), Set(s.entries.map(\.source.epoch)))
        }
        try await until(timeout: .seconds(90)) { ((try? await gatewayOptions())?.count ?? 0) > 100 }
        let listed = try await gatewayOptions()
        var chain = Volta_V1_GatewayRequest()
        chain.chainUnderlying = "SPY"
        let definition = try await bus.request(service: Topics.Service.gateway, chain, as: Volta_V1_GatewayReply.self).chain
        #expect(definition.expiries.reduce(0) { $0 + $1.strikeMicros.count * 2 } == listed.count)
        try await until(timeout: .seconds(90)) { (try? await marketdataOptions())?.topics == listed }
        let firstEpochs = try await marketdataOptions().epochs

        marketdata.kill()
        #expect(await marketdata.waitForExit() != nil)
        let batchesBefore = await batches.items.count
        marketdata = try ChildProcess("marketdata", mdArgs, name: "marketdata-2", environment: env, logDirectory: dir)
        // The quiet market republishes almost nothing: the new marketdata's SPY options come
        // from the gateway's snapshot.
        try await until(timeout: .seconds(90)) {
            guard let md = try? await marketdataOptions() else { return false }
            return md.topics == listed && md.epochs.isDisjoint(with: firstEpochs)
        }
        let republished = Set(await batches.items.dropFirst(batchesBefore).flatMap { $0.message.options.map(\.topic) })
        #expect(republished.count < listed.count / 2, "the market was not quiet: \(republished.count) of \(listed.count) options requoted")

        // The gateway's stream has no gaps: every burst it published reached this subscriber.
        #expect(await batches.items.allSatisfy { $0.missedBefore == 0 })
        try await until { await stats.items.contains { $0.symbol == "SPY" && $0.historyDays >= 30 && $0.atr14 > 0 && $0.realizedVol20D > 0 } }

        // An order through the gateway fills, and the account snapshot shows it.
        var place = Volta_V1_GatewayRequest()
        place.place.orderID = "system-test-1"
        var leg = Volta_V1_Leg()
        leg.instrument.symbol = "SPY"
        leg.side = .buy
        leg.ratio = 1
        place.place.legs = [leg]
        place.place.quantity = 50
        place.place.orderType = .market
        place.place.tif = .day
        let status = try await bus.request(service: Topics.Service.gateway, place, as: Volta_V1_GatewayReply.self).status
        #expect(status.state == .submitted)
        let again = try await bus.request(service: Topics.Service.gateway, place, as: Volta_V1_GatewayReply.self).status
        #expect(again.brokerOrderID == status.brokerOrderID)      // the same order id is the same order
        try await until { await fills.items.reduce(0) { $0 + $1.quantity } == 50 }
        var account = Volta_V1_GatewayRequest()
        account.accountSnapshot = true
        let snapshot = try await bus.request(service: Topics.Service.gateway, account, as: Volta_V1_GatewayReply.self).account
        #expect(snapshot.positions.first { $0.instrument.symbol == "SPY" && !$0.instrument.hasOption }?.quantity == 150)
        try await Task.sleep(for: .milliseconds(500))
        #expect(await fills.items.reduce(0) { $0 + $1.quantity } == 50)        // filled once, not twice
    }

    @Test func aBadScenarioExitsWithCodeTwoNamingTheFileLineAndField() async throws {
        let dir = temporaryDirectory("volta-gateway-config")
        let bad = "\(dir)/bad.yaml"
        try "name: broken\nevents:\n  - {at: soon, vix: 30}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let gateway = try ChildProcess("gateway", ["--set", "gateway.scenario=\(bad)"], name: "gateway", logDirectory: dir)
        defer { gateway.kill() }
        #expect(await gateway.waitForExit() == 2)
        #expect(gateway.log.contains("gateway.scenario") && gateway.log.contains("bad.yaml:3: events[0].at"), "\(gateway.log)")
    }

    func client(_ endpoint: String) throws -> Bus { try systemClient(endpoint, instance: "market-test") }
}
