import Foundation
import GRDB
import Messages

/// A query the recorder refuses, with the reason a caller can show (the dashboard answers 400).
public struct QueryError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ d: String) { description = d }
}

/// The named, read-only queries the recorder answers over req/rep (`recorder` service), for the
/// dashboard, `tap` and CSV export. Callers name a query and give parameters; no caller's SQL
/// ever runs.
public enum RecorderQueries {
    struct Spec: Sendable {
        let parameters: Set<String>
        let sql: @Sendable (Parameters) throws -> (String, StatementArguments)
    }

    /// Validated access to a query's parameters.
    public struct Parameters {
        let values: [String: String]
        let now: Int64

        func text(_ key: String) -> String? { values[key].flatMap { $0.isEmpty ? nil : $0 } }

        func choice(_ key: String, _ allowed: [String]) throws -> String? {
            guard let v = text(key) else { return nil }
            guard allowed.contains(v.lowercased()) else { throw QueryError("\(key) must be one of \(allowed.joined(separator: ", ")), got '\(v)'") }
            return v.lowercased()
        }

        func integer(_ key: String) throws -> Int64? {
            guard let v = text(key) else { return nil }
            guard let n = Int64(v), n >= 0 else { throw QueryError("\(key) must be a whole number ≥ 0, got '\(v)'") }
            return n
        }

        /// A New York calendar date, `YYYY-MM-DD`, as the ns of its midnight (or of the next, for `to`).
        /// Years outside ``SupportedYears`` are refused: nanoseconds since 1970 overflow Int64 before 1678
        /// (a fuzzed `0896-02-18` crashed the recorder).
        func day(_ key: String, end: Bool = false) throws -> Int64? {
            guard let v = text(key) else { return nil }
            let parts = v.split(separator: "-").map { Int($0) }
            guard parts.count == 3, let y = parts[0], let m = parts[1], let d = parts[2], v.count == 10, SupportedYears.range.contains(y),
                  DateComponents(year: y, month: m, day: d).isValidDate(in: Self.newYork),
                  let date = Self.newYork.date(from: DateComponents(year: y, month: m, day: d + (end ? 1 : 0)))
            else { throw QueryError("\(key) must be a date like 2026-11-20, got '\(v)'") }
            return Int64(date.timeIntervalSince1970 * 1e9)
        }

        static let newYork: Calendar = {
            var c = Calendar(identifier: .gregorian)
            c.timeZone = TimeZone(identifier: "America/New_York") ?? TimeZone(secondsFromGMT: -5 * 3600)!
            return c
        }()
    }

    static let specs: [String: Spec] = [
        "open_positions": Spec(parameters: ["account"]) { p in
            ("SELECT * FROM open_positions WHERE (?1 IS NULL OR account = ?1) ORDER BY account, underlying, expiry, strike", [p.text("account")])
        },
        "greeks_by_underlying": Spec(parameters: ["account"]) { p in
            ("""
             SELECT underlying, COUNT(*) AS positions, SUM(quantity * multiplier * COALESCE(delta, 0)) AS delta,
                    SUM(quantity * multiplier * COALESCE(gamma, 0)) AS gamma, SUM(quantity * multiplier * COALESCE(theta_per_day, 0)) AS theta,
                    SUM(quantity * multiplier * COALESCE(vega_per_point, 0)) AS vega, SUM(unrealized_pnl) AS unrealized_pnl
             FROM open_positions WHERE (?1 IS NULL OR account = ?1) GROUP BY underlying ORDER BY underlying
             """, [p.text("account")])
        },
        "risk_metrics": Spec(parameters: []) { _ in ("SELECT * FROM risk_metrics", []) },
        "strategy_summary": Spec(parameters: []) { _ in ("SELECT * FROM strategy_summary ORDER BY strategy", []) },
        "strategy_states": Spec(parameters: ["strategy"]) { p in
            ("SELECT strategy, instance, key, owner_key, worker, status, summary, updated_ns FROM strategy_states WHERE (?1 IS NULL OR strategy = ?1) ORDER BY strategy, key",
             [p.text("strategy")])
        },
        "pending_orders": Spec(parameters: []) { _ in ("SELECT * FROM pending_orders", []) },
        "parameter_changes": Spec(parameters: ["strategy"]) { p in
            ("SELECT * FROM parameter_changes WHERE (?1 IS NULL OR strategy = ?1) ORDER BY id DESC", [p.text("strategy")])
        },
        "day_summaries": Spec(parameters: ["date"]) { p in
            _ = try p.day("date")
            return ("SELECT * FROM day_summaries WHERE (?1 IS NULL OR date = ?1) ORDER BY date DESC", [p.text("date")])
        },
        // A session's trades: those opened or closed on that New York date.
        "day_trades": Spec(parameters: ["date"]) { p in
            guard let from = try p.day("date"), let to = try p.day("date", end: true) else { throw QueryError("day_trades needs date") }
            return ("SELECT * FROM trades WHERE (entry_ns >= ?1 AND entry_ns < ?2) OR (exit_ns >= ?1 AND exit_ns < ?2) ORDER BY entry_ns",
                    [from, to])
        },
        // The edits in force: the latest of each key, unless it went back to the configuration.
        "parameter_edits": Spec(parameters: []) { _ in
            ("""
             SELECT strategy, key, value, who, ts_ns FROM parameter_changes
             WHERE id IN (SELECT MAX(id) FROM parameter_changes GROUP BY key) AND value IS NOT NULL ORDER BY key
             """, [])
        },
        "trades": Spec(parameters: ["from", "to", "status", "strategy", "account"]) { p in
            let status = try p.choice("status", ["open", "closed", "all"]).flatMap { $0 == "all" ? nil : $0.uppercased() }
            let from = try p.day("from"), to = try p.day("to", end: true)
            if let from, let to, to <= from { throw QueryError("to must not be before from") }
            return ("""
                SELECT * FROM trades WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR entry_ns >= ?2) AND (?3 IS NULL OR entry_ns < ?3)
                    AND (?4 IS NULL OR strategy = ?4) AND (?5 IS NULL OR account = ?5)
                ORDER BY entry_ns DESC
                """, [status, from, to, p.text("strategy"), p.text("account")])
        },
        "orders": Spec(parameters: ["state", "intent"]) { p in
            ("""
             SELECT * FROM orders WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR intent_id = ?2) ORDER BY created_ns DESC
             """, [try p.choice("state", ["pending", "submitted", "partially_filled", "pending_cancel", "filled", "cancelled", "rejected", "expired"]),
                   p.text("intent")])
        },
        "order_events": Spec(parameters: ["order"]) { p in
            ("SELECT * FROM order_events WHERE (?1 IS NULL OR order_id = ?1) ORDER BY id DESC", [p.text("order")])
        },
        "executions": Spec(parameters: ["order"]) { p in
            ("SELECT * FROM executions WHERE (?1 IS NULL OR order_id = ?1) ORDER BY time_ns DESC", [p.text("order")])
        },
        "signals": Spec(parameters: []) { _ in ("SELECT * FROM signals ORDER BY id DESC", []) },
        "risk_decisions": Spec(parameters: ["intent"]) { p in
            ("SELECT * FROM risk_decisions WHERE (?1 IS NULL OR intent_id = ?1) ORDER BY id DESC", [p.text("intent")])
        },
        "account_values": Spec(parameters: ["account"]) { p in
            ("SELECT * FROM account_values WHERE (?1 IS NULL OR account = ?1) ORDER BY account, key", [p.text("account")])
        },
        "pnl": Spec(parameters: []) { p in
            let today = Int64(Parameters.newYork.startOfDay(for: Date(timeIntervalSince1970: Double(p.now) / 1e9)).timeIntervalSince1970 * 1e9)
            return ("""
                SELECT a.account,
                       (SELECT COALESCE(SUM(realized_pnl), 0) FROM trades t WHERE t.account = a.account) AS realized,
                       (SELECT COALESCE(SUM(realized_pnl), 0) FROM trades t WHERE t.account = a.account AND t.exit_ns >= ?1) AS realized_today,
                       (SELECT COALESCE(SUM(unrealized_pnl), 0) FROM open_positions o WHERE o.account = a.account) AS unrealized,
                       (SELECT value FROM account_values v WHERE v.account = a.account AND v.key = 'NetLiquidation') AS net_liquidation,
                       (SELECT value FROM account_values v WHERE v.account = a.account AND v.key = 'MaintMarginReq') AS margin,
                       (SELECT value FROM account_values v WHERE v.account = a.account AND v.key = 'BuyingPower') AS buying_power
                FROM (SELECT account FROM positions UNION SELECT account FROM trades UNION SELECT account FROM account_values) a
                ORDER BY a.account
                """, [today])
        },
        "pnl_history": Spec(parameters: ["range", "account"]) { p in
            let days: Int64 = switch try p.choice("range", ["day", "week", "month", "all"]) ?? "month" {
            case "day": 1
            case "week": 7
            case "month": 31
            default: 100_000
            }
            return ("SELECT * FROM pnl_history WHERE ts_ns >= ?1 AND (?2 IS NULL OR account = ?2) ORDER BY ts_ns",
                    [p.now - days * 86_400_000_000_000, p.text("account")])
        },
        "events": Spec(parameters: ["prefix"]) { p in
            ("""
             SELECT e.id, t.topic, s.instance, s.epoch, e.sequence, y.name AS type, e.event_ns, e.recorded_ns
             FROM events e JOIN topics t ON t.id = e.topic_id JOIN sources s ON s.id = e.source_id JOIN types y ON y.id = e.type_id
             WHERE (?1 IS NULL OR t.topic >= ?1 AND t.topic < ?1 || char(1114111)) ORDER BY e.id DESC
             """, [p.text("prefix")])
        },
        "event_count": Spec(parameters: ["instance", "topic", "first", "last"]) { p in
            guard let instance = p.text("instance"), let topic = p.text("topic") else { throw QueryError("event_count needs instance and topic") }
            return ("""
                SELECT COUNT(*) AS events, COUNT(DISTINCT e.sequence) AS sequences, MIN(e.sequence) AS first, MAX(e.sequence) AS last
                FROM events e JOIN topics t ON t.id = e.topic_id JOIN sources s ON s.id = e.source_id
                WHERE s.instance = ?1 AND t.topic = ?2 AND e.sequence BETWEEN COALESCE(?3, 0) AND COALESCE(?4, 9223372036854775807)
                """, [instance, topic, try p.integer("first"), try p.integer("last")])
        },
        "gaps": Spec(parameters: []) { _ in
            ("""
             SELECT g.id, s.instance, t.topic, g.first_missing, g.last_missing, g.detected_ns, g.filled_from
             FROM gaps g JOIN sources s ON s.id = g.source_id JOIN topics t ON t.id = g.topic_id ORDER BY g.id DESC
             """, [])
        },
    ]

    public static var names: [String] { specs.keys.sorted() }

    /// Runs a named query: at most `limit` rows (default 1,000, at most 100,000).
    public static func run(_ query: Volta_V1_RecorderQuery, now: Int64, _ db: Database) throws -> Volta_V1_RecorderTable {
        guard let spec = specs[query.name] else {
            throw QueryError("no query named '\(query.name)'; known: \(names.joined(separator: ", "))")
        }
        if let unknown = query.parameters.keys.sorted().first(where: { !spec.parameters.contains($0) }) {
            throw QueryError("\(query.name) takes no parameter '\(unknown)'" + (spec.parameters.isEmpty ? "" : "; it takes \(spec.parameters.sorted().joined(separator: ", "))"))
        }
        guard (0...100_000).contains(query.limit) else { throw QueryError("limit must be 0 (the default, 1000) to 100000, got \(query.limit)") }
        let (sql, arguments) = try spec.sql(Parameters(values: query.parameters, now: now))
        let statement = try db.makeStatement(sql: "SELECT * FROM (\(sql)) LIMIT \(query.limit == 0 ? 1_000 : query.limit)")
        var table = Volta_V1_RecorderTable()
        table.columns = statement.columnNames
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        while let row = try rows.next() {
            var r = Volta_V1_TableRow()
            r.cells = (0..<row.count).map { cell(row[$0] as DatabaseValue) }
            table.rows.append(r)
        }
        if query.csv { table.csv = csv(table) }
        return table
    }

    static func cell(_ v: DatabaseValue) -> Volta_V1_TableCell {
        var c = Volta_V1_TableCell()
        switch v.storage {
        case .null: c.null = true
        case .int64(let i): c.integer = i
        case .double(let d): c.real = d
        case .string(let s): c.text = s
        case .blob(let b): c.text = b.base64EncodedString()
        }
        return c
    }

    /// RFC 4180: a header line, then one line per row; fields with commas, quotes or line
    /// breaks are quoted.
    public static func csv(_ t: Volta_V1_RecorderTable) -> String {
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var lines = [t.columns.map(field).joined(separator: ",")]
        for r in t.rows {
            lines.append(r.cells.map { c -> String in
                switch c.value {
                case .integer(let i): "\(i)"
                case .real(let d): "\(d)"
                case .text(let s): field(s)
                case .null, nil: ""
                }
            }.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
