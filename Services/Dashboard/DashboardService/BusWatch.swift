import Bus
import Foundation
import Messages
import ServiceKit
import Synchronization

/// What the dashboard hears on the bus: every process's heartbeats and status (health and the
/// settings it runs with), the risk service's state, the metrics each process publishes, and
/// the recorder's acknowledgements, which say which views have new rows.
public final class BusWatch: Sendable {
    public struct Instance: Sendable {
        public var heartbeat: Volta_V1_Heartbeat
        public var lastSeenNs: Int64
    }

    struct State {
        var instances: [String: Instance] = [:]
        var statuses: [String: Volta_V1_ServiceStatus] = [:]
        var risk: Volta_V1_RiskState?
        var metrics: [String: Volta_V1_MetricsSnapshot] = [:]
        var changed: Set<String> = []
    }

    let bus: Bus
    let events: EventFanout
    /// Liveness by the rule supervision's watchdog uses (five periods, at least 5 s).
    let tracker = HeartbeatTracker()
    private let state = Mutex(State())

    public init(bus: Bus, events: EventFanout) {
        self.bus = bus
        self.events = events
    }

    /// Listens until cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.heartbeats() }
            group.addTask { await self.statuses() }
            group.addTask { await self.riskStates() }
            group.addTask { await self.metricSnapshots() }
            group.addTask { await self.acks() }
            group.addTask { await self.flushChanges() }
        }
    }

    func heartbeats() async {
        for await r in bus.subscribe(Volta_V1_Heartbeat.self, prefix: Topics.Prefix.heartbeats) {
            let now = bus.clock.now()
            tracker.observe(r.message, now: now)
            state.withLock { s in
                let key = r.message.source.instance
                s.instances[key] = r.message.state == .stopping ? nil : Instance(heartbeat: r.message, lastSeenNs: now)
            }
        }
    }

    func statuses() async {
        for await r in bus.subscribe(Volta_V1_ServiceStatus.self, prefix: Topics.Prefix.statuses) {
            state.withLock { $0.statuses[r.message.source.instance] = r.message }
        }
    }

    func riskStates() async {
        for await r in bus.subscribe(Volta_V1_RiskState.self, prefix: Topics.riskState) {
            // Pages hear of a change of the kill switch, the mode or what waits for an operator
            // at once, not at their next poll.
            func seen(_ s: Volta_V1_RiskState?) -> [String]? { s.map { [$0.killSwitch, $0.mode] + $0.pendingIntentIds } }
            let previous = state.withLock { s -> [String]? in
                defer { s.risk = r.message }
                return seen(s.risk)
            }
            if previous != seen(r.message) { events.send("risk", DashboardJSON.riskSummary(r.message)) }
        }
    }

    func metricSnapshots() async {
        for await r in bus.subscribe(Volta_V1_MetricsSnapshot.self, prefix: Topics.Prefix.metrics) {
            state.withLock { $0.metrics[r.message.source.instance] = r.message }
        }
    }

    /// Marks the views whose rows the recorder just committed.
    func acks() async {
        for await r in bus.subscribe(Volta_V1_RecorderAck.self, prefix: Topics.recorderAck) {
            let views = Set(r.message.ranges.compactMap { Self.view(ofTopic: $0.topic) })
            guard !views.isEmpty else { continue }
            state.withLock { $0.changed.formUnion(views) }
        }
    }

    /// At most four change events a second, whatever the bus rate.
    func flushChanges() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(250))
            let changed = state.withLock { s -> Set<String> in defer { s.changed = [] }; return s.changed }
            if !changed.isEmpty { events.send("changed", .object([("views", .array(changed.sorted().map { .string($0) }))])) }
        }
    }

    /// The page's views that a recorded topic feeds.
    static func view(ofTopic topic: String) -> String? {
        if topic.hasPrefix(Topics.Prefix.positions) || topic.hasPrefix(Topics.Prefix.strategyStates) { return "positions" }
        if topic.hasPrefix(Topics.Prefix.execution) { return "orders" }
        if topic.hasPrefix(Topics.Prefix.accountValues) { return "account" }
        if topic.hasPrefix(Topics.Prefix.riskDecisions) { return "risk" }
        return nil
    }

    /// Called by a request that changed the risk state, so pages see it before the next publication.
    func adopt(_ risk: Volta_V1_RiskState) {
        state.withLock { $0.risk = risk }
        events.send("risk", DashboardJSON.riskSummary(risk))
    }

    public var risk: Volta_V1_RiskState? { state.withLock { $0.risk } }
    public var metrics: [Volta_V1_MetricsSnapshot] { state.withLock { s in s.metrics.keys.sorted().compactMap { s.metrics[$0] } } }
    public var instances: [Instance] { state.withLock { s in s.instances.keys.sorted().compactMap { s.instances[$0] } } }
    /// The last status of every instance heard, including those whose heartbeats stopped.
    public var statuses: [Volta_V1_ServiceStatus] { state.withLock { s in s.statuses.keys.sorted().compactMap { s.statuses[$0] } } }
    /// The instances heard from within their staleness limit.
    public func alive(now: Int64) -> Set<String> { Set(tracker.alive(now: now).values.joined()) }
}
