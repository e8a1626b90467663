import Bus
import CoreMetrics
import Messages
import ServiceKit
import TestSupport
import Testing

@Suite("Metrics and heartbeats")
struct ServiceKitTests {
    @Test func metricsFactoryAggregatesByKind() {
        let factory = BusMetricsFactory()
        let counter = factory.makeCounter(label: "orders_total", dimensions: [("side", "buy")])
        counter.increment(by: 2)
        counter.increment(by: 3)
        factory.makeCounter(label: "orders_total", dimensions: [("side", "buy")]).increment(by: 1)  // same cell
        let timer = factory.makeTimer(label: "latency", dimensions: [])
        for ns: Int64 in [100, 300, 200] { timer.recordNanoseconds(ns) }
        factory.makeMeter(label: "depth", dimensions: []).set(7.0)
        let byName = Dictionary(uniqueKeysWithValues: factory.snapshot().map { ($0.name, $0) })
        #expect(byName["orders_total"]?.value == 6)
        #expect(byName["orders_total"]?.labels == ["side": "buy"])
        #expect(byName["latency"]?.count == 3)
        #expect(byName["latency"]?.sum == 600)
        #expect(byName["latency"]?.min == 100)
        #expect(byName["latency"]?.max == 300)
        #expect(byName["depth"]?.kind == .gauge)
        #expect(byName["depth"]?.value == 7)
    }

    @Test func heartbeatAndMetricsArePublishedOnTheirTopics() async throws {
        let harness = InMemoryHarness()
        let service = try harness.connect("risk-1", service: "risk")
        let watcher = try harness.connect("watch")
        let beats = Collector<Received<Volta_V1_Heartbeat>>()
        let metrics = Collector<Received<Volta_V1_MetricsSnapshot>>()
        let t1 = Task { for await b in watcher.subscribe(Volta_V1_Heartbeat.self, prefix: "sys.heartbeat.risk.") { await beats.append(b) } }
        let t2 = Task { for await m in watcher.subscribe(Volta_V1_MetricsSnapshot.self, prefix: "sys.metrics.") { await metrics.append(m) } }
        let factory = BusMetricsFactory()
        factory.makeCounter(label: "decisions_total", dimensions: []).increment(by: 4)
        let heartbeat = HeartbeatService(bus: service, interval: .seconds(1))
        let publisher = MetricsPublisher(bus: service, factory: factory, interval: .seconds(5)) { [("risk_custom_total", 9)] }
        let running = Task { try await withThrowingDiscardingTaskGroup { g in
            g.addTask { try await heartbeat.run() }
            g.addTask { try await publisher.run() }
        } }
        // Steps of 100 ms of harness time: 5 s of it must pass within the real-time budget even
        // on a loaded machine (20 ms steps ran out of it there).
        #expect(await eventually(harness, timeout: .seconds(30), step: .milliseconds(100)) {
            let b = await beats.count; let m = await metrics.count; return b >= 5 && m >= 1
        })
        let last = try #require(await beats.items.last)
        #expect(last.topic == "sys.heartbeat.risk.risk-1")
        #expect(last.message.state == .running)
        #expect(last.message.intervalMs == 1000)
        let names = Set(try #require(await metrics.items.first).message.metrics.map(\.name))
        #expect(names.isSuperset(of: ["decisions_total", "risk_custom_total", "bus_published_total"]))
        running.cancel()
        t1.cancel()
        t2.cancel()
    }

    @Test func heartbeatTrackerFindsTheSilentOnesOnce() {
        let tracker = HeartbeatTracker(staleFactor: 3, minStaleNs: 2_000_000_000, graceNs: 10_000_000_000)
        var hb = Volta_V1_Heartbeat()
        hb.source.service = "risk"
        hb.source.instance = "risk-1"
        hb.intervalMs = 1000
        hb.state = .running
        tracker.observe(hb, now: 0)
        hb.source.instance = "risk-2"
        tracker.observe(hb, now: 0)
        tracker.observe(hb, now: 2_500_000_000)
        #expect(tracker.stale(now: 3_500_000_000) == ["risk-1"])
        #expect(tracker.stale(now: 4_000_000_000) == [])              // reported once
        #expect(tracker.alive(now: 4_000_000_000) == ["risk": ["risk-2"]])
        #expect(tracker.stale(now: 14_000_000_000) == ["risk-1", "risk-2"])  // grace over
        hb.state = .stopping
        tracker.observe(hb, now: 14_000_000_000)                    // clean exit: forgotten
        #expect(tracker.stale(now: 30_000_000_000) == ["risk-1"])
    }
}
