import Bus
import BusZeroMQ
import Foundation
import GatewayService
import Logging
import Messages
import Synchronization
import TestSupport

/// The whole stops path for `bench e2e`: the `bus`, `marketdata`, `pricer`, `risk`, `execution`
/// and `strategy` executables as processes on 127.0.0.1, and the real `GatewayService` in this
/// process in front of ``E2EBroker``, so that the quote leaving and the order arriving are
/// timed on one clock.
final class E2EStack: Sendable {
    let broker: E2EBroker
    let processes: [ChildProcess]
    let gatewayBus: Bus
    let watcher: Bus
    let tasks = Mutex<[Task<Void, Never>]>([])
    /// The latest stop state per topic, as the owning strategy worker publishes it.
    let stops = Mutex<[String: Volta_V1_StopState]>([:])
    /// When the watcher first heard each stage of a round ("md:<price>", "stop:<cost>",
    /// "intent:<cost>", "exec:<cost>"), in monotonic seconds: where the latency goes.
    let stages = Mutex<[String: Double]>([:])
    /// When each stage's message was put on the wire, by its envelope's send time, in the same
    /// monotonic seconds: the watcher's own hop left out.
    let sent = Mutex<[String: Double]>([:])
    /// Every process's counters, to tell a rate the stack kept up with from one where it dropped.
    let metrics: MetricsWatch
    let logDirectory: String

    /// `strategies` workers share the stops (one owns SPY's); `pricers` workers share the
    /// pricer's requests behind the bus's broker. `node`: marketdata, the pricer, the strategy,
    /// risk and execution in one `volta-node` process instead (one worker each).
    init(bin: String, strategies: Int = 1, pricers: Int = 1, node: Bool = false) async throws {
        let names = node ? ["bus", "volta-node"] : ["bus", "marketdata", "pricer", "risk", "execution", "strategy"]
        for n in names where !FileManager.default.isExecutableFile(atPath: "\(bin)/\(n)") {
            throw BenchError("\(bin)/\(n) is missing: build every product first (swift build -c release)")
        }
        let endpoint = "tcp://127.0.0.1:\(freeBasePort())"
        let env = ["VOLTA_BUS": endpoint]
        let dir = temporaryDirectory("volta-bench-e2e")
        logDirectory = dir
        func start(_ name: String, _ args: [String] = [], instance: String? = nil) throws -> ChildProcess {
            try ChildProcess("\(bin)/\(name)", ["--instance", instance ?? name, "--set", "metrics.interval_ms=1000"] + args,
                             name: instance ?? name, environment: env, logDirectory: dir)
        }
        func workers(_ count: Int) -> [String] { (1...max(1, count)).map { $0 == 1 ? "" : "-\($0)" } }
        var processes = [try start("bus")]
        try await Task.sleep(for: .milliseconds(300))
        let endpoints = try BusEndpoints.parse(endpoint)
        broker = try await E2EBroker()
        gatewayBus = try BenchBus.connect(endpoints, "gateway")
        watcher = try BenchBus.connect(endpoints, "watcher")
        metrics = MetricsWatch(bus: watcher)
        let gateway = GatewayService(bus: gatewayBus, adapter: broker, logger: Logger(label: "bench.gateway"))
        let marketdata = ["--set", "marketdata.history_days=30", "--set", "marketdata.betas=SPY=1"]
        // No reprice during a sample: orders fill as they arrive.
        let execution = ["--set", "execution.reprice_ms=60000"]
        let strategy = ["--set", "strategy.stops.min_trail=0.01"]
        if node {
            processes.append(try start("volta-node", marketdata + execution + strategy, instance: "node"))
        } else {
            processes += [try start("marketdata", marketdata), try start("risk"), try start("execution", execution)]
            processes += try workers(pricers).map { try start("pricer", instance: "pricer\($0)") }
            processes += try workers(strategies).map { try start("strategy", strategy, instance: "strategy\($0)") }
        }
        self.processes = processes
        let running: [Task<Void, Never>] = [
            Task { do { try await gateway.run() } catch {} },
            Task { [self] in
                for await s in watcher.subscribe(Volta_V1_StrategyState.self, prefix: Topics.strategyStates("stops") + ".") {
                    guard let stop = try? Volta_V1_StopState(serializedBytes: s.message.payload) else { continue }
                    stops.withLock { $0[s.message.topic] = stop }
                    if stop.status == "triggered" { heard("stop:\(stop.avgCostMicros)", s.envelope) }
                }
            },
            Task { [self] in
                for await b in watcher.subscribe(Volta_V1_QuoteBatch.self, prefix: Topics.quoteBatch("SPY")) {
                    for q in b.message.underlyings { heard("gw:\(q.last)", b.envelope) }
                }
            },
            Task { [self] in
                for await q in watcher.subscribe(Volta_V1_UnderlyingQuote.self, prefix: Topics.underlyingQuote("SPY")) { heard("md:\(q.message.last)", q.envelope) }
            },
            Task { [self] in
                for await i in watcher.subscribe(Volta_V1_OrderIntent.self, prefix: Topics.Prefix.strategyIntents) { heard("intent:\(Self.cost(i.message.intentID))", i.envelope) }
            },
            Task { [self] in
                for await e in watcher.subscribe(Volta_V1_IntentExecution.self, prefix: Topics.Prefix.intentExecutions) { heard("exec:\(Self.cost(e.message.intentID))", e.envelope) }
            },
        ]
        tasks.withLock { $0 = running }
    }

    func stop() {
        for t in tasks.withLock({ $0 }) { t.cancel() }
        for p in processes.reversed() { p.kill(SIGTERM) }
        gatewayBus.shutdown()
        watcher.shutdown()
    }

    func stop(_ topic: String) -> Volta_V1_StopState? { stops.withLock { $0[topic] } }

    func heard(_ stage: String, _ envelope: Volta_V1_Envelope) {
        let now = monotonicSeconds()
        var real = timespec()
        clock_gettime(CLOCK_REALTIME, &real)
        let onWire = now - (Double(real.tv_sec) + Double(real.tv_nsec) / 1e9 - Double(envelope.sendTimeNs) / 1e9)
        stages.withLock { if $0[stage] == nil { $0[stage] = now } }
        sent.withLock { if $0[stage] == nil { $0[stage] = onWire } }
    }

    func heardAt(_ stage: String) -> Double? { stages.withLock { $0[stage] } }
    func sentAt(_ stage: String) -> Double? { sent.withLock { $0[stage] } }

    /// The position's average cost in a stop intent id (`…-c<micros>-q…`).
    static func cost(_ intentID: String) -> String {
        guard let c = intentID.range(of: "-c"), let q = intentID.range(of: "-q", range: c.upperBound..<intentID.endIndex) else { return "" }
        return String(intentID[c.upperBound..<q.lowerBound])
    }

    /// Polls `condition` every millisecond until it holds or `timeout` passes.
    func wait<T>(_ timeout: Duration, _ condition: () -> T?) async -> T? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = condition() { return value }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return nil
    }

    /// A process that died, with the end of its log, so a failed run says why.
    func casualty() -> String? {
        guard let dead = processes.first(where: { !$0.isRunning }) else { return nil }
        return "\(dead.name) exited: \(dead.log.suffix(2_000))"
    }
}
