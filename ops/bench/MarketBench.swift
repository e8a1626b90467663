import ArgumentParser
import Bus
import BusDaemon
import BusZeroMQ
import Foundation
import GatewayService
import Logging
import Market
import MarketdataService
import Messages

/// `bench market`: quote updates per second from the gateway's publisher through the bus daemon
/// into a marketdata service that validates and republishes each, with the seven underlyings,
/// SPX and their full chains; against raw libzmq carrying the same bytes through a forwarder.
struct MarketBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "market", abstract: "Gateway → bus → marketdata quote throughput.")

    @Option(help: "Simulated seconds of market to replay (one burst per underlying per second).") var seconds = 120
    @Option(help: "Quotes in flight before the gateway waits (no run may drop).") var window = 40_000
    @Option(help: "Repetitions, interleaved with the reference; medians are reported.") var repeats = 3

    func run() async throws {
        warnIfDebugBuild()
        let batches = try marketBursts()
        let quotes = batches.reduce(0) { $0 + $1.underlyings.count + $1.options.count }
        let bytes = try batches.reduce(0) { $0 + (try $1.serializedBytes() as [UInt8]).count }
        let perBatch = Double(quotes) / Double(batches.count)
        var ours: [Double] = [], raw: [Double] = []
        var gaps = 0
        for _ in 0..<repeats {
            let (daemon, endpoints) = try BenchBus.startDaemon()
            let msgs = try RawReferences.pubSubThroughput(count: min(200_000, batches.count * 20), payload: bytes / batches.count,
                                                          window: 2_000, forwarder: endpoints)
            daemon.stop()
            raw.append(msgs * perBatch)
            let (rate, missed) = try await throughput(batches, quotes: quotes)
            ours.append(rate)
            gaps += missed
        }
        print(Result(name: "market_quote_throughput", value: median(ours), unit: "quotes/s", reference: median(raw),
                     referenceName: "raw libzmq PUB->forwarder->SUB, same bursts, no decoding",
                     extra: ["quotes": "\(quotes)", "bursts": "\(batches.count)", "quotes_per_burst": String(format: "%.0f", perBatch),
                             "gaps": "\(gaps)", "runs": "\(repeats)",
                             "spread": "\(Int(ours.min() ?? 0))-\(Int(ours.max() ?? 0))"]).json)
    }

    /// The sim adapter's bursts over `seconds` of simulated market, one step a second.
    func marketBursts() throws -> [Volta_V1_QuoteBatch] {
        let start = NewYorkTime.instant(CivilDate("2026-11-16")!, minute: 10 * 60)
        let adapter = try SimAdapter(scenario: Scenario(), wallNow: start)
        var batches: [Volta_V1_QuoteBatch] = []
        for s in 0...seconds {
            for case .quotes(let b) in adapter.advance(wallNow: start + Int64(s) * 1_000_000_000 + 1) { batches.append(b) }
        }
        return batches
    }

    func throughput(_ batches: [Volta_V1_QuoteBatch], quotes: Int) async throws -> (Double, Int) {
        let (daemon, endpoints) = try BenchBus.startDaemon()
        defer { daemon.stop() }
        let gateway = try BenchBus.connect(endpoints, "gateway")
        let marketdataBus = try BenchBus.connect(endpoints, "marketdata")
        var settings = MarketdataService.Settings()
        settings.maxAgeNs = 0
        settings.historyDays = 0
        settings.snapshotOnStart = false
        let marketdata = MarketdataService(bus: marketdataBus, settings: settings, logger: Logger(label: "bench.md"))
        let service = Task { try await marketdata.run() }
        // Warm up until the subscription is live, then replay every burst, windowed.
        var probe = batches[0]
        probe.underlying = "WARMUP"
        while marketdata.processed.load(ordering: .relaxed) == 0 {
            gateway.publish(probe)
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(200))
        let base = marketdata.processed.load(ordering: .relaxed)
        let begin = monotonicSeconds()
        var sent = 0
        for batch in batches {
            while sent - (marketdata.processed.load(ordering: .relaxed) - base) > window { await Task.yield() }
            gateway.publish(batch, eventTime: batch.marketTimeNs)
            sent += batch.underlyings.count + batch.options.count
        }
        while marketdata.processed.load(ordering: .relaxed) - base < quotes { await Task.yield() }
        let elapsed = monotonicSeconds() - begin
        let missed = Int(marketdataBus.statistics.missed.load(ordering: .relaxed)) + Int(gateway.statistics.publishDropped.load(ordering: .relaxed))
        service.cancel()
        gateway.shutdown()
        marketdataBus.shutdown()
        return (Double(quotes) / elapsed, missed)
    }


}
