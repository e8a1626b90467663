import Bus
import Logging
import Messages
@testable import PricerService
import ServiceKit
import TestSupport
import Testing

/// The pricer as other services meet it: quotes in, analytics and surfaces out, requests
/// answered, over the in-memory hub and over a real ZeroMQ bus daemon.
@Suite("Pricer service on the bus", .serialized)
struct PricerServiceTests {
    func fixture(_ symbol: String, now: Int64) -> ChainFixture {
        var f = ChainFixture()
        f.symbol = symbol
        f.now = now
        f.expiries = ["2026-12-18", "2027-01-15"]
        return f
    }

    func configuration(_ f: ChainFixture) -> PricerConfiguration {
        var c = f.configuration
        c.refitIntervalNs = 50_000_000
        c.snapshotOnStart = false
        return c
    }

    func publish(_ f: ChainFixture, on bus: Bus) {
        bus.publish(f.underlyingQuote)
        for q in f.optionQuotes { bus.publish(q) }
    }

    @Test("analytics and surfaces published, requests and snapshots answered", arguments: HarnessKind.allCases)
    func publishesAndAnswers(kind: HarnessKind) async throws {
        let harness = try kind.make()
        defer { harness.shutdown() }
        let pricerBus = try harness.connect("pricer-1", service: "pricer")
        let market = try harness.connect("md", service: "marketdata")
        let client = try harness.connect("client", service: "test")
        let f = fixture("SPY", now: pricerBus.clock.now())
        let pricer = PricerService(bus: pricerBus, configuration: configuration(f), logger: Logger(label: "pricer"))
        let analytics = Collector<Received<Volta_V1_OptionAnalytics>>()
        let surfaces = Collector<Volta_V1_VolSurface>()
        let tasks = [
            Task { try await pricer.run() },
            Task { for await a in client.subscribe(Volta_V1_OptionAnalytics.self, prefix: Topics.optionAnalytics(underlying: "SPY")) { await analytics.append(a) } },
            Task { for await s in client.subscribe(Volta_V1_VolSurface.self, prefix: "px.surface.") { await surfaces.append(s.message) } },
        ]
        defer { for t in tasks { t.cancel() } }
        await harness.settle()

        publish(f, on: market)
        let count = f.optionQuotes.count
        #expect(await eventually(harness) { Set(await analytics.items.map(\.topic)).count == count })
        #expect(await eventually(harness) { await surfaces.items.last?.slices.count == 2 })
        let sample = try #require(await analytics.items.last)
        #expect(sample.topic.hasPrefix("px.greeks.SPY.20") && sample.message.own.theo > 0 && sample.message.midIv > 0)

        // Price-at through the broker, as a strategy asks for the theo at its stop level.
        var request = Volta_V1_PricerRequest()
        request.priceAt.contract = f.contract("2027-01-15", 100, .call)
        request.priceAt.underlyingPrice = 95
        let reply = try await client.request(service: Topics.Service.pricer, request, as: Volta_V1_PricerReply.self)
        #expect(reply.priceAt.greeks.theo > 0 && reply.priceAt.volSource == "surface" && reply.priceAt.underlyingPrice == 95)

        // A wrong request is a BAD_REQUEST with the reason, not a zero price.
        request.priceAt.underlyingPrice = -1
        await #expect(throws: BusError.self) {
            _ = try await client.request(service: Topics.Service.pricer, request, as: Volta_V1_PricerReply.self)
        }
        do { _ = try await client.request(service: Topics.Service.pricer, request, as: Volta_V1_PricerReply.self) } catch let error as BusError {
            guard case let .remote(_, code, message) = error else { Issue.record("\(error)"); return }
            #expect(code == .badRequest && message.contains("underlying_price"))
        }

        // A late joiner's snapshot of one expiry: every option of it, current.
        var snapshotRequest = Volta_V1_SnapshotRequest()
        snapshotRequest.prefix = "px.greeks.SPY.2026-12-18."
        let snapshot = try await client.request(service: Topics.Service.snapshot(of: Topics.Service.pricer), snapshotRequest,
                                                as: Volta_V1_Snapshot.self)
        #expect(snapshot.entries.count == f.strikes.count * 2)
        #expect(snapshot.entries.allSatisfy { $0.type == Volta_V1_OptionAnalytics.protoMessageName })
        // Execution's feed of one contract: that contract alone, not its chain.
        snapshotRequest.prefix = Topics.optionAnalytics(f.contract("2026-12-18", 110, .call))
        let single = try await client.request(service: Topics.Service.snapshot(of: Topics.Service.pricer), snapshotRequest,
                                           as: Volta_V1_Snapshot.self)
        #expect(single.entries.map(\.topic) == [snapshotRequest.prefix])

        // A tick on one option republishes that option, with its new ask IV, and nothing outside
        // its expiry: the option alone, or its whole expiry when the tick makes a refit due
        // (the engine tests pin down which). Wait for the initial load's refits to finish first.
        #expect(await eventually(harness) { pricer.engine.withLock { $0.pending.isEmpty } })
        await harness.pass(.milliseconds(20))
        let before = await analytics.count
        let askIV = try #require(await analytics.items.last { $0.message.contract == f.contract("2026-12-18", 110, .call) }).message.askIv
        var tick = f.quote("2026-12-18", 110, .call)
        tick.ask += 0.02
        market.publish(tick)
        let one = tick
        #expect(await eventually(harness) { await analytics.items[before...].contains { $0.message.contract == one.contract } })
        await harness.pass(.milliseconds(20))
        let after = await analytics.items[before...].map(\.message)
        #expect(after.first { $0.contract == one.contract }.map { $0.askIv > askIV } == true)
        #expect(after.allSatisfy { $0.contract.expiry == "2026-12-18" })
    }

    @Test("two pricer workers split the underlyings: each is published by exactly one", arguments: HarnessKind.allCases)
    func workersShareUnderlyings(kind: HarnessKind) async throws {
        let harness = try kind.make()
        defer { harness.shutdown() }
        let market = try harness.connect("md", service: "marketdata")
        let client = try harness.connect("client", service: "test")
        let symbols = ["SPY", "QQQ", "IWM", "AAPL", "MSFT", "TSLA", "GLD"]
        var tasks: [Task<Void, any Error>] = []
        defer { for t in tasks { t.cancel() } }
        for name in ["pricer-a", "pricer-b"] {
            let bus = try harness.connect(name, service: "pricer")
            let pricer = PricerService(bus: bus, configuration: configuration(fixture("SPY", now: bus.clock.now())),
                                       logger: Logger(label: name))
            tasks.append(Task { try await pricer.run() })
            tasks.append(Task { try await HeartbeatService(bus: bus, interval: .milliseconds(100)).run() })
        }
        let publishers = Collector<(String, String)>()
        tasks.append(Task {
            for await a in client.subscribe(Volta_V1_OptionAnalytics.self, prefix: "px.greeks.") {
                await publishers.append((a.message.contract.underlying, a.header.instance))
            }
        })
        await harness.settle()
        await harness.pass(.milliseconds(500))  // each worker hears the other's heartbeats

        for s in symbols { publish(fixture(s, now: market.clock.now()), on: market) }
        let perSymbol = fixture("SPY", now: 0).optionQuotes.count
        #expect(await eventually(harness) { await publishers.count >= perSymbol * symbols.count })
        await harness.pass(.milliseconds(100))
        var owners: [String: Set<String>] = [:]
        for (symbol, instance) in await publishers.items { owners[symbol, default: []].insert(instance) }
        #expect(Set(owners.keys) == Set(symbols))
        #expect(owners.values.allSatisfy { $0.count == 1 }, "\(owners)")
        #expect(Set(owners.values.flatMap { $0 }) == ["pricer-a", "pricer-b"])
    }
}
