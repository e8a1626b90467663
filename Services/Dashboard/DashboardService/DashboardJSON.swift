import Foundation
import Messages

/// Bus state as the API's JSON.
enum DashboardJSON {
    static func riskSummary(_ r: Volta_V1_RiskState) -> JSONValue {
        .object([
            ("kill_switch", .string(r.killSwitch)), ("mode", .string(r.mode)),
            ("net_liquidation", .number(r.netLiquidation)), ("day_pnl", .number(r.dayPnl)), ("vix", .number(r.vix)),
            ("open_positions", .integer(Int64(r.openPositions))), ("orders_last_minute", .integer(Int64(r.ordersLastMinute))),
            ("pending_intents", .array(r.pendingIntentIds.map { .string($0) })), ("pending", pending(r)), ("updated_ns", .integer(r.updatedNs)),
        ])
    }

    static func pending(_ r: Volta_V1_RiskState) -> JSONValue {
        .array(r.pending.map { p in
            .object([("intent_id", .string(p.intentID)), ("strategy", .string(p.strategy)), ("summary", .string(p.summary)),
                     ("reason", .string(p.reason)), ("first_seen_ns", .integer(p.firstSeenNs)),
                     ("release_at_ns", p.releaseAtNs > 0 ? .integer(p.releaseAtNs) : .null)])
        })
    }

    /// `used_pct` is how close a limit is to biting: used over limit for a ceiling, and limit
    /// over the value for a floor (`MIN_…`: the account balance may fall to its minimum).
    static func limits(_ r: Volta_V1_RiskState) -> JSONValue {
        .array(r.limits.map { l in
            .object([("name", .string(l.name)), ("used", .number(l.used)), ("limit", .number(l.limit)),
                     ("kind", .string(isFloor(l) ? "floor" : "ceiling")), ("used_pct", .number(usedShare(l).map { 100 * $0 }))])
        })
    }

    static func isFloor(_ l: Volta_V1_LimitUsage) -> Bool { l.name.hasPrefix("MIN_") }

    /// How close a limit is to biting, 1 when it bites (nil when it cannot be said).
    static func usedShare(_ l: Volta_V1_LimitUsage) -> Double? {
        isFloor(l) ? (l.used > 0 ? l.limit / l.used : nil) : (l.limit > 0 ? l.used / l.limit : nil)
    }

    static func betaWeighted(_ r: Volta_V1_RiskState) -> JSONValue {
        .array(r.greeks.map { g in
            .object([("underlying", .string(g.underlying)), ("delta", .number(g.delta)), ("gamma", .number(g.gamma)),
                     ("vega", .number(g.vega)), ("theta_per_year", .number(g.theta)), ("beta", .number(g.beta)),
                     ("beta_weighted_delta", .number(g.betaWeightedDelta)), ("notional", .number(g.notional))])
        })
    }

    /// Every process heard: `alive` names those whose heartbeats still come in time.
    static func health(_ instances: [BusWatch.Instance], statuses: [Volta_V1_ServiceStatus], alive: Set<String>, now: Int64) -> JSONValue {
        let detail = Dictionary(statuses.map { ($0.source.instance, $0.detail) }, uniquingKeysWith: { $1 })
        return .array(instances.map { i in
            let hb = i.heartbeat
            let isAlive = alive.contains(hb.source.instance)
            return .object([
                ("service", .string(hb.source.service)), ("instance", .string(hb.source.instance)),
                ("state", .string(isAlive ? stateName(hb.state) : "SILENT")), ("alive", .bool(isAlive)),
                ("last_seen_ms_ago", .integer(max(0, (now - i.lastSeenNs) / 1_000_000))),
                ("uptime_ms", .integer(hb.uptimeMs)), ("interval_ms", .integer(Int64(hb.intervalMs))),
                ("pid", .integer(Int64(hb.pid))), ("version", .string(hb.version)),
                ("detail", .string(detail[hb.source.instance] ?? "")),
            ])
        })
    }

    static func stateName(_ s: Volta_V1_ServiceState) -> String {
        switch s {
        case .starting: "STARTING"
        case .running: "RUNNING"
        case .degraded: "DEGRADED"
        case .stopping: "STOPPING"
        default: "UNKNOWN"
        }
    }

    /// The settings each strategy instance reported in its status, by instance.
    static func strategyParameters(_ statuses: [Volta_V1_ServiceStatus]) -> JSONValue {
        .object(statuses.filter { $0.source.service == "strategy" }.map { s in
            (s.source.instance, .object(s.facts.keys.sorted().filter { $0.hasPrefix("strategy.") }.map { ($0, .string(s.facts[$0] ?? "")) }))
        })
    }
}
