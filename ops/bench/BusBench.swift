import ArgumentParser
import Bus
import BusDaemon
import BusZeroMQ
import Foundation
import Logging
import Messages
import Synchronization
import TestSupport

/// `bench bus`: pub/sub throughput and req/rep latency through the bus daemon, each against raw
/// libzmq in the same run.
struct BusBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bus", abstract: "Bus throughput and latency against raw libzmq.")

    @Option(help: "Messages for the throughput runs.") var messages = 500_000
    @Option(help: "Round trips per latency run.") var roundTrips = 10_000
    @Option(help: "Payload bytes per message.") var payload = 100
    @Option(help: "Messages in flight before the publisher waits (no run may drop).") var window = 20_000

    @Option(help: "Repetitions of every measurement, interleaved; medians are reported.") var repeats = 3
    @Flag(help: "Diagnostic: the Volta subscriber counts raw frames without decoding them.") var undecoded = false

    func run() async throws {
        warnIfDebugBuild()
        // Interleaved repetitions: this machine's speed drifts by 2-3x over minutes, so each
        // Volta run sits between its references, and the medians are compared.
        var direct: [Double] = [], forwarded: [Double] = [], volta: [Double] = []
        var drops = 0
        for _ in 0..<repeats {
            direct.append(try RawReferences.pubSubThroughput(count: messages, payload: payload, window: window, forwarder: nil))
            let (daemon, endpoints) = try BenchBus.startDaemon()
            forwarded.append(try RawReferences.pubSubThroughput(count: messages, payload: payload, window: window, forwarder: endpoints))
            daemon.stop()
            let (rate, dropped) = try await voltaThroughput()
            volta.append(rate)
            drops += dropped
        }
        print(Result(name: "bus_pubsub_throughput", value: median(volta), unit: "msg/s", reference: median(direct),
                     referenceName: "raw libzmq PUB->SUB",
                     extra: ["payload_bytes": "\(payload)", "dropped": "\(drops)", "runs": "\(repeats)", "spread": spread(volta)]).json)
        print(Result(name: "bus_pubsub_throughput_vs_forwarder", value: median(volta), unit: "msg/s", reference: median(forwarded),
                     referenceName: "raw libzmq PUB->bus forwarder (zmq_proxy_steerable)->SUB",
                     extra: ["reference_spread": spread(forwarded)]).json)

        var rawDirect: [Percentiles] = [], rawQueue: [Percentiles] = [], ours: [Percentiles] = []
        for _ in 0..<repeats {
            rawDirect.append(Percentiles(try RawReferences.reqRepLatencies(count: roundTrips, payload: payload, throughQueue: false)))
            rawQueue.append(Percentiles(try RawReferences.reqRepLatencies(count: roundTrips, payload: payload, throughQueue: true)))
            ours.append(Percentiles(try await voltaRoundTrips()))
        }
        for (p, label) in [(0.5, "p50"), (0.99, "p99")] {
            let value = median(ours.map { $0.at(p) })
            print(Result(name: "bus_reqrep_rtt_\(label)", value: value, unit: "us", reference: median(rawDirect.map { $0.at(p) }),
                         referenceName: "raw libzmq REQ->REP", extra: ["runs": "\(repeats)", "spread": spread(ours.map { $0.at(p) })]).json)
            print(Result(name: "bus_reqrep_rtt_\(label)_vs_queue", value: value, unit: "us", reference: median(rawQueue.map { $0.at(p) }),
                         referenceName: "raw libzmq REQ->ROUTER/DEALER queue->REP").json)
        }
    }

    func spread(_ values: [Double]) -> String { "\(Int(values.min() ?? 0))-\(Int(values.max() ?? 0))" }


    /// Typed publish → forwarder → typed subscribe (envelope and payload decoded), windowed.
    func voltaThroughput() async throws -> (Double, Int) {
        let (daemon, endpoints) = try BenchBus.startDaemon()
        defer { daemon.stop() }
        let publisher = try BenchBus.connect(endpoints, "pub")
        let subscriber = try BenchBus.connect(endpoints, "sub")
        let received = Counter()
        let count = messages
        let undecoded = self.undecoded
        let consumer = Task {
            var n = 0
            if undecoded {
                for await batch in subscriber.transport.subscribe(prefix: Topics.Prefix.probeTicks, bufferLimit: 1 << 20) {
                    n += batch.count
                    received.value.store(n, ordering: .relaxed)
                    if n >= count + 1 { break }
                }
                return
            }
            for await _ in subscriber.subscribe(Volta_V1_ProbeTick.self, prefix: Topics.Prefix.probeTicks, bufferLimit: 1 << 20) {
                n += 1
                received.value.store(n, ordering: .relaxed)
                if n == count + 1 { break }
            }
        }
        var tick = Volta_V1_ProbeTick()
        tick.note = "SPY"
        // An envelope of about `payload` bytes: the note pads the message.
        tick.note = "SPY" + String(repeating: "x", count: max(0, payload - 60))
        while received.value.load(ordering: .relaxed) == 0 {
            publisher.publish(tick)
            try await Task.sleep(for: .milliseconds(20))
        }
        let base = received.value.load(ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(200))
        let start = monotonicSeconds()
        var sent = 0
        while sent < count - base + 1 {
            if sent - (received.value.load(ordering: .relaxed) - base) >= window { await Task.yield(); continue }
            tick.n = UInt64(sent)
            publisher.publish(tick)
            sent += 1
        }
        _ = await consumer.value
        let elapsed = monotonicSeconds() - start
        let drops = publisher.statistics.publishDropped.load(ordering: .relaxed) + subscriber.statistics.missed.load(ordering: .relaxed)
        publisher.shutdown()
        subscriber.shutdown()
        return (Double(count - base) / elapsed, drops)
    }

    /// Typed request → broker → worker → typed reply.
    func voltaRoundTrips() async throws -> [Double] {
        let (daemon, endpoints) = try BenchBus.startDaemon()
        defer { daemon.stop() }
        let worker = try BenchBus.connect(endpoints, "worker")
        let client = try BenchBus.connect(endpoints, "client")
        let serving = Task {
            await worker.serve(service: "echo", Volta_V1_ProbeTick.self) { request, _ in request }
        }
        var tick = Volta_V1_ProbeTick()
        tick.note = String(repeating: "x", count: max(0, payload - 10))
        try await Task.sleep(for: .milliseconds(300))
        var out: [Double] = []
        for i in 0..<(roundTrips + 1000) {
            let t0 = monotonicSeconds()
            _ = try await client.request(service: "echo", tick, as: Volta_V1_ProbeTick.self, timeout: .seconds(5), retries: 0)
            if i >= 1000 { out.append((monotonicSeconds() - t0) * 1e6) }
        }
        serving.cancel()
        worker.shutdown()
        client.shutdown()
        return out
    }
}

