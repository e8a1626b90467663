import Bus
import BusZeroMQ
import Foundation
import Logging
import Messages
import TestSupport
import Testing

/// `bus` and `pricer` as real processes on 127.0.0.1, with this test as marketdata: a SIGKILLed
/// pricer comes back, rebuilds every chain from marketdata's snapshot (the Clone pattern) without
/// a single new quote, and answers requests again.
@Suite("Pricer processes", .serialized, .timeLimit(.minutes(5)))
struct PricerProcessTests {
    @Test func aKilledPricerRecoversItsChainsFromTheMarketdataSnapshot() async throws {
        let dir = temporaryDirectory("volta-pricer")
        let endpoint = "tcp://127.0.0.1:\(freeBasePort())"
        let common = ["--set", "bus.heartbeat_ms=200", "--set", "heartbeat.interval_ms=200", "--set", "pricer.refit_ms=100"]
        let env = ["VOLTA_BUS": endpoint]
        let daemon = try ChildProcess("bus", ["--set", "bus.heartbeat_ms=200"], name: "bus", environment: env, logDirectory: dir)
        // No subcommand: `pricer` alone runs the service.
        var pricer = try ChildProcess("pricer", ["--instance", "pricer-1"] + common, name: "pricer-1", environment: env, logDirectory: dir)
        defer { daemon.kill(); pricer.kill() }

        let statistics = BusStatistics()
        let transport = try ZeroMQTransport(endpoints: try BusEndpoints.parse(endpoint), instance: "marketdata",
                                            options: .testing(heartbeatMilliseconds: 200), statistics: statistics,
                                            logger: Logger(label: "md"))
        let bus = Bus(identity: ServiceIdentity(service: "marketdata", instance: "marketdata", epoch: UInt64(WallClock().now())),
                      transport: transport, statistics: statistics)
        defer { bus.shutdown() }
        let market = StateStream(name: Topics.Service.marketdata, bus: bus)
        let seen = Collector<Received<Volta_V1_OptionAnalytics>>()
        let tasks = [
            Task { await market.serveSnapshots() },
            Task { for await a in bus.subscribe(Volta_V1_OptionAnalytics.self, prefix: "px.greeks.SPY.") { await seen.append(a) } },
        ]
        defer { for t in tasks { t.cancel() } }
        try await Task.sleep(for: .milliseconds(1500))

        var f = ChainFixture()
        f.now = bus.clock.now()
        f.expiries = ["2026-12-18", "2027-01-15"]
        market.publish(f.underlyingQuote)
        for q in f.optionQuotes { market.publish(q) }
        let count = f.optionQuotes.count
        /// Options priced on a fitted surface, by the pricer of `epoch` (any when nil).
        func topics(epoch: UInt64?) async -> Set<String> {
            Set(await seen.items.filter { (epoch == nil || $0.header.epoch == epoch) && $0.message.volSource == "surface" }.map(\.topic))
        }
        try await until { await topics(epoch: nil).count == count }
        let firstEpoch = try #require(await seen.items.first?.header.epoch)

        pricer.kill()
        #expect(await pricer.waitForExit() != nil)
        pricer = try ChildProcess("pricer", ["serve", "--instance", "pricer-1"] + common, name: "pricer-1b", environment: env, logDirectory: dir)

        // Not one quote is published again: everything the new pricer knows came from the snapshot.
        try await until(timeout: .seconds(30)) {
            let epochs = Set(await seen.items.map(\.header.epoch)).subtracting([firstEpoch])
            guard let second = epochs.first else { return false }
            return await topics(epoch: second).count == count
        }
        var request = Volta_V1_PricerRequest()
        request.priceAt.contract = f.contract("2027-01-15", 100, .put)
        request.priceAt.underlyingPrice = 97
        let reply = try await bus.request(service: Topics.Service.pricer, request, as: Volta_V1_PricerReply.self,
                                          timeout: Duration.seconds(3))
        #expect(reply.priceAt.greeks.theo > 3 && reply.priceAt.volSource == "surface", "\(pricer.log)")
    }

    @Test(arguments: [("pricer.dividend_yields", "SPY=abc"), ("pricer.model", "heston"), ("pricer.rate", "NaN"),
                      ("pricer.refit_ms", "0")])
    func aBadSettingExitsWithCodeTwoNamingTheKey(key: String, value: String) async throws {
        let dir = temporaryDirectory("volta-pricer-config")
        let pricer = try ChildProcess("pricer", ["--set", "\(key)=\(value)"], name: "pricer", logDirectory: dir)
        defer { pricer.kill() }
        #expect(await pricer.waitForExit() == 2)
        #expect(pricer.log.contains(key), "\(pricer.log)")
    }

    func until(timeout: Duration = .seconds(20), _ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("condition not met within \(timeout)")
    }
}
