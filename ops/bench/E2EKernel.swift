import Bus
import ExecutionService
import Foundation
import Market
import Messages
import StopsStrategy
import Synchronization
import TestSupport
import Trading
import TradingKernel

/// `bench e2e --deployments kernel`: tick to order inside the trading kernel, the same service
/// code on the in-memory hub and the serial scheduler. The stops flow's scenario (SPY falls
/// through the stops of three positions); a watcher on the scheduler notes, in wall time, each
/// SPY burst leaving the venue, the stop intent it caused, and the exit order's first status from
/// the venue (the order has arrived). Bus time does not move along the path, so what is measured
/// is the work itself: marketdata, the stop rule, risk, execution and the venue, one after the other.
enum E2EKernel {
    static let scenario = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../scenarios/stops-e2e.yaml").standardized.path

    /// What the watcher noted, shared by its tasks.
    final class Watcher: Sendable {
        let state = Mutex(Watch())
        func withLock<T: Sendable>(_ body: (inout Watch) -> T) -> T { state.withLock { body(&$0) } }
    }

    struct Watch {
        var lastBurst = 0.0
        var quotes = 0
        var pending: [String: Double] = [:]
        var latencies: [Double] = []
    }

    /// Tick-to-order samples in microseconds over `runs` runs of `seconds` of bus time each, and
    /// the quote updates per bus second the venue published.
    static func measure(runs: Int, seconds: Int = 120, pricerCoalesceMs: Int = 0, trace: Int = 0) throws -> (latencies: [Double], quoteRate: Double) {
        var all: [Double] = [], rate = 0.0
        for run in 0..<runs {
            let run = try once(seconds: seconds, pricerCoalesceMs: pricerCoalesceMs, trace: run == 0 ? trace : 0)
            all += run.latencies
            rate = run.quoteRate
        }
        return (all, rate)
    }

    static func once(seconds: Int, pricerCoalesceMs: Int, trace: Int = 0) throws -> (latencies: [Double], quoteRate: Double) {
        var c = TradingKernel.Configuration.stopsFlow(try ScenarioLoader.load(scenario))
        c.pricer.coalesceNs = Int64(pricerCoalesceMs) * 1_000_000
        c.logLevel = .error
        var profile = StopProfile.paper
        profile.minTrail = 0.02
        let kernel = try TradingKernel(c, strategies: [StopManager(book: StopBook(profile: profile, instance: "stops", worker: "strategy"))])
        let watch = Watcher()
        let tracer = trace > 0 ? PathTracer(scheduler: kernel.scheduler, keep: trace) : nil
        if let tracer { kernel.hub.observe { tracer.heard($0) } }
        // Subscribed before the services: the watcher hears each burst ahead of marketdata.
        kernel.perform { bus in
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await b in bus.subscribe(Volta_V1_QuoteBatch.self, prefix: Topics.quoteBatch("SPY")) {
                        let now = monotonicSeconds()
                        watch.withLock { $0.lastBurst = now; $0.quotes += b.message.options.count + b.message.underlyings.count }
                    }
                }
                group.addTask {
                    for await i in bus.subscribe(Volta_V1_OrderIntent.self, prefix: Topics.Prefix.strategyIntents) where i.message.strategy == "stops" {
                        watch.withLock { w in if w.pending[i.message.intentID] == nil { w.pending[i.message.intentID] = w.lastBurst } }
                    }
                }
                group.addTask {
                    for await s in bus.subscribe(Volta_V1_OrderStatus.self, prefix: Topics.Prefix.orderStatuses) {
                        let now = monotonicSeconds()
                        guard let id = ExecutionRecord.intentID(ofOrder: s.message.orderID) else { continue }
                        watch.withLock { w in
                            guard let t0 = w.pending.removeValue(forKey: id) else { return }
                            w.latencies.append((now - t0) * 1e6)
                        }
                    }
                }
            }
        }
        kernel.start()
        kernel.run(for: .seconds(5))
        kernel.perform { bus in
            do { try await StopsFlowPositions.open(bus) } catch { print("bench: opening the positions failed: \(error)") }
        }
        let before = watch.withLock { $0.quotes }
        kernel.run(for: .seconds(seconds))
        kernel.stop()
        tracer?.print()
        return watch.withLock { w in (w.latencies, Double(w.quotes - before) / Double(seconds)) }
    }
}
