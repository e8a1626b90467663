import Foundation
import Market
import Messages

/// The end-of-day summary an operator reads after the close (the plan's "run" stage): the day's
/// P&L, its trades, the positions held overnight with their greeks, how close each risk limit
/// came, and the alerts raised. Pure: made from the recorder's rows and what the bus said, so
/// a test gives it worked inputs.
struct DaySummary: Sendable {
    /// One NYSE session: its date and the instants bounding its day in New York.
    struct Day: Sendable, Equatable {
        let date: CivilDate
        let startNs: Int64
        let endNs: Int64
        let closeNs: Int64

        init(_ session: NYSECalendar.Session) {
            date = session.date
            startNs = NewYorkTime.instant(session.date, minute: 0)
            endNs = NewYorkTime.instant(session.date.adding(days: 1), minute: 0)
            closeNs = NewYorkTime.instant(session.date, minute: session.closeMinute)
        }

        /// The session whose close is the latest at or before `ns` (the day a summary made now
        /// is about), and the first close after `ns` (when the next one is due).
        static func last(atOrBefore ns: Int64, calendar: NYSECalendar = NYSECalendar()) -> Day {
            var s = calendar.session(onOrBefore: NewYorkTime.local(ns).date)
            while NewYorkTime.instant(s.date, minute: s.closeMinute) > ns { s = calendar.session(onOrBefore: s.date.adding(days: -1)) }
            return Day(s)
        }

        static func next(after ns: Int64, calendar: NYSECalendar = NYSECalendar()) -> Day {
            var s = calendar.session(onOrAfter: NewYorkTime.local(ns).date)
            while NewYorkTime.instant(s.date, minute: s.closeMinute) <= ns { s = calendar.session(onOrAfter: s.date.adding(days: 1)) }
            return Day(s)
        }
    }

    var day: Day
    /// The recorder's `day_trades`, `pnl` and `open_positions` rows.
    var trades: [JSONValue] = []
    var accounts: [JSONValue] = []
    var positions: [JSONValue] = []
    var risk: Volta_V1_RiskState?
    /// Every alert raised (the notifier's recent ones); the day's are counted.
    var alerts: [OperatorAlert] = []

    var json: JSONValue {
        let closed = trades.filter { inDay($0["exit_ns"]) }, opened = trades.filter { inDay($0["entry_ns"]) }
        let realized = closed.reduce(0) { $0 + ($1["realized_pnl"]?.double ?? 0) }
        let wins = closed.filter { ($0["realized_pnl"]?.double ?? 0) > 0 }.count
        let dayAlerts = alerts.filter { $0.timeNs >= day.startNs && $0.timeNs < day.endNs && $0.kind != "summary" }
        func sum(_ key: String) -> Double { accounts.reduce(0) { $0 + ($1[key]?.double ?? 0) } }
        func total(_ key: String) -> Double { positions.reduce(0) { $0 + ($1[key]?.double ?? 0) * ($1["quantity"]?.double ?? 0) * ($1["multiplier"]?.double ?? 100) } }
        return .object([
            ("date", .string(day.date.description)),
            ("pnl", .object([("day", risk.map { .number($0.dayPnl) } ?? .null), ("realized_today", .number(sum("realized_today"))),
                             ("unrealized", .number(sum("unrealized"))), ("net_liquidation", risk.map { .number($0.netLiquidation) } ?? .null)])),
            ("trades", .object([("closed", .integer(Int64(closed.count))), ("won", .integer(Int64(wins))), ("realized", .number(realized)),
                                ("opened", .integer(Int64(opened.count))), ("rows", .array(trades))])),
            ("positions", .array(positions.map { p in
                .object([("instrument", p["instrument"] ?? .null), ("account", p["account"] ?? .null), ("quantity", p["quantity"] ?? .null),
                         ("unrealized_pnl", p["unrealized_pnl"] ?? .null), ("delta", p["delta"] ?? .null), ("theta_per_day", p["theta_per_day"] ?? .null),
                         ("vega_per_point", p["vega_per_point"] ?? .null), ("iv", p["iv"] ?? .null), ("underlying_price", p["underlying_price"] ?? .null)])
            })),
            ("greeks", .object([("delta", .number(total("delta"))), ("theta_per_day", .number(total("theta_per_day"))),
                                ("vega_per_point", .number(total("vega_per_point")))])),
            ("risk", risk.map(DashboardJSON.limits) ?? .array([])),
            ("kill_switch", risk.map { .string($0.killSwitch) } ?? .null),
            ("alerts", .object([("count", .integer(Int64(dayAlerts.count))),
                                ("by_level", .object(OperatorAlert.Level.allCases.map { l in (l.name, .integer(Int64(dayAlerts.filter { $0.level == l }.count))) }))])),
        ])
    }

    /// The summary as a message: what Slack or the log shows, one line a subject.
    var text: String {
        let j = json
        let pnl = j["pnl"], trades = j["trades"], alerts = j["alerts"]
        var lines = ["Volta end of day, \(day.date)"]
        var money = "P&L: "
        if let dayPnL = pnl?["day"]?.double { money += "day \(Self.money(dayPnL)) (" } else { money += "(" }
        money += "realized today \(Self.money(pnl?["realized_today"]?.double ?? 0)), unrealized \(Self.money(pnl?["unrealized"]?.double ?? 0)))"
        if let nl = pnl?["net_liquidation"]?.double, nl > 0 { money += "; net liquidation \(Self.money(nl, sign: false))" }
        lines.append(money)
        lines.append("Trades: \(trades?["closed"]?.integer ?? 0) closed (\(trades?["won"]?.integer ?? 0) won, \(Self.money(trades?["realized"]?.double ?? 0))), \(trades?["opened"]?.integer ?? 0) opened")
        let held = positions.map { p -> String in
            var s = "\(p["instrument"]?.string ?? "?") ×\(p["quantity"]?.integer ?? 0) \(Self.money(p["unrealized_pnl"]?.double ?? 0))"
            if let d = p["delta"]?.double { s += String(format: " Δ %.2f", d) }
            if let t = p["theta_per_day"]?.double { s += String(format: " θ %.2f/day", t) }
            return s
        }
        lines.append("Positions (\(positions.count)): " + (held.isEmpty ? "none" : held.joined(separator: "; ")))
        let limits = (risk?.limits ?? []).compactMap { l in DashboardJSON.usedShare(l).map { (l.name, $0) } }.sorted { $0.1 > $1.1 }.prefix(3)
        if !limits.isEmpty {
            lines.append("Risk: " + limits.map { "\($0.0) \(Int(($0.1 * 100).rounded()))%" }.joined(separator: ", ")
                         + (risk.map { "; kill switch \($0.killSwitch)" } ?? ""))
        }
        let byLevel = alerts?["by_level"]
        lines.append("Alerts: \(alerts?["count"]?.integer ?? 0) (\(OperatorAlert.Level.allCases.map { "\(byLevel?[$0.name]?.integer ?? 0) \($0.name)" }.joined(separator: ", ")))")
        return lines.joined(separator: "\n")
    }

    func inDay(_ v: JSONValue?) -> Bool {
        guard case .integer(let ns)? = v else { return false }
        return ns >= day.startNs && ns < day.endNs
    }

    static func money(_ v: Double, sign: Bool = true) -> String {
        let body = String(format: "$%.2f", abs(v))
        return v < 0 ? "−" + body : (sign && v > 0 ? "+" + body : body)
    }
}
