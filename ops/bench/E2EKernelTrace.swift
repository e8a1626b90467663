import Bus
import Foundation
import Messages
import Synchronization
import TradingKernel

extension E2EKernel {
    /// What the kernel did between a SPY burst leaving the venue and the first order status after
    /// it: every publish, request and reply, with its wall time and the scheduler's jobs so far.
    /// Runs of one kind of frame are folded into one line, so a trace reads as the path's stages.
    final class PathTracer: Sendable {
        struct Event {
            let at: Double
            let jobs: Int
            let what: String
        }
        struct State {
            var current: [Event] = []
            var kept: [[Event]] = []
        }
        let scheduler: SerialScheduler
        let keep: Int
        let state = Mutex(State())

        init(scheduler: SerialScheduler, keep: Int) {
            self.scheduler = scheduler
            self.keep = keep
        }

        func heard(_ event: InMemoryHub.HubEvent) {
            let what: String
            switch event {
            case let .published(topic): what = "pub " + Self.kind(of: topic)
            case let .request(service, id): what = "req " + service + " " + id.suffix(12)
            case let .reply(id): what = "reply " + id.suffix(12)
            }
            let e = Event(at: monotonicSeconds(), jobs: scheduler.jobsRun, what: what + " [\(Task.currentPriority.rawValue)]")
            state.withLock { s in
                if what == "pub " + Self.kind(of: Topics.quoteBatch("SPY")), s.current.count > 1 || s.current.first.map({ !$0.what.hasPrefix(what) }) ?? false { s.current = [] }
                s.current.append(e)
                if what.hasPrefix("pub exec.status"), s.kept.count < keep,
                   s.current.contains(where: { $0.what.hasPrefix("pub " + Topics.Prefix.strategyIntents) }) {
                    s.kept.append(s.current)
                    s.current = []
                }
            }
        }

        /// A topic to its kind: `md.option.SPY.2026-01-16.P500` → `md.option.SPY`; an order's
        /// or an intent's id left out.
        static func kind(of topic: String) -> String {
            let parts = topic.split(separator: ".", omittingEmptySubsequences: false)
            let keep = topic.hasPrefix("exec.") || topic.hasPrefix("risk.decision") ? 2 : 3
            return parts.prefix(keep).joined(separator: ".")
        }

        func print() {
            for (n, trace) in state.withLock({ $0.kept }).enumerated() {
                guard let first = trace.first else { continue }
                Swift.print("trace \(n + 1): \(trace.count) events, \(String(format: "%.0f", (trace.last!.at - first.at) * 1e6)) us, \(trace.last!.jobs - first.jobs) jobs")
                var i = 0
                while i < trace.count {
                    var j = i
                    while j + 1 < trace.count, trace[j + 1].what == trace[i].what { j += 1 }
                    let (a, b) = (trace[i], trace[j])
                    Swift.print(String(format: "  %8.0f us %6d jobs  %4d x %@", (a.at - first.at) * 1e6, a.jobs - first.jobs, j - i + 1, a.what)
                                + (j > i ? String(format: "  (to %.0f us, %d jobs)", (b.at - first.at) * 1e6, b.jobs - first.jobs) : ""))
                    i = j + 1
                }
            }
        }
    }
}
