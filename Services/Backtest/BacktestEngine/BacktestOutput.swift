import Foundation
import Messages

/// The files a run writes to its `--out` folder. Every number is printed with a fixed format and
/// every row in a fixed order, so the same run writes the same bytes.
public struct BacktestOutput {
    public let plan: BacktestPlan
    public let result: BacktestResult

    public init(plan: BacktestPlan, result: BacktestResult) {
        self.plan = plan
        self.result = result
    }

    public var metrics: PerformanceMetrics {
        let trips = result.trips.filter { !$0.isOpen }
        let traded = result.trips.reduce(0.0) { sum, t in
            let m = TradeJournal.multiplier(t.instrument)
            return sum + abs(Double(t.quantity)) * (t.entryPrice + (t.isOpen ? 0 : t.exitPrice ?? 0)) * m
        }
        // From the equity as equity.csv prints it, so that empyrical on the file agrees exactly.
        return PerformanceMetrics(equity: result.record.equity.map { Double(Self.f($0.equity, 2)) ?? $0.equity }, trips: trips, exposedDays: result.exposedDays,
                                  traded: traded, commissions: Double(result.finalLedger.commissionsMicros) / 1e6)
    }

    /// Buy and hold of the benchmark with the same starting equity, at the same closes.
    public var buyAndHold: PerformanceMetrics {
        let e = result.record.equity
        guard let first = e.first, first.benchmark > 0 else { return PerformanceMetrics(equity: [], trips: [], exposedDays: 0, traded: 0, commissions: 0) }
        return PerformanceMetrics(equity: e.map { first.equity * $0.benchmark / first.benchmark }, trips: [], exposedDays: e.count,
                                  traded: first.equity, commissions: 0)
    }

    public func write(to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func save(_ name: String, _ text: String) throws {
            try text.write(toFile: (folder as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try save("equity.csv", equityCSV)
        try save("trades.csv", tradesCSV)
        try save("orders.csv", ordersCSV)
        let (m, b) = (metrics, buyAndHold)
        try save("metrics.json", Self.json(m, benchmark: b, symbol: plan.benchmark))
        try save("report.html", BacktestReport(plan: plan, result: result, metrics: m, buyAndHold: b).html)
    }

    var equityCSV: String {
        "date,equity,cash,positions_value,drawdown\n" + result.record.equity.map {
            "\($0.date),\(Self.f($0.equity, 2)),\(Self.f($0.cash, 2)),\(Self.f($0.positionsValue, 2)),\(Self.f($0.drawdown, 6))\n"
        }.joined()
    }

    var tradesCSV: String {
        var out = "trade_id,strategy,symbol,right,strike,expiry,quantity,entry_time,entry_price,exit_time,exit_price,exit_reason,pnl,commission,"
            + "underlying_at_entry,iv_at_entry,delta_at_entry\n"
        for t in result.trips {
            let o = t.instrument.option
            let option = t.instrument.hasOption
            let fields: [String] = [
                "\(t.id)", t.strategy, t.instrument.symbol, option ? (o.right == .put ? "P" : "C") : "",
                option ? Self.f(Double(o.strikeMicros) / 1e6, 2) : "", option ? o.expiry : "", "\(t.quantity)",
                Self.time(t.entryTime), Self.f(t.entryPrice, 4), t.exitTime.map(Self.time) ?? "", t.exitPrice.map { Self.f($0, 4) } ?? "",
                t.exitReason, Self.f(t.pnl, 2), Self.f(t.commission, 2), Self.f(t.underlyingAtEntry, 4), Self.f(t.ivAtEntry, 6),
                Self.f(t.deltaAtEntry, 6),
            ]
            out += fields.map(Self.csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    var ordersCSV: String {
        var out = "intent_id,order_id,strategy,purpose,role,parent_intent_id,legs,quantity,type,algo,tif,limit,state,filled,avg_fill_price,"
            + "reprices,created,updated,reason\n"
        let r = result.record
        let ordered = r.reports.values.sorted { ($0.updatedNs, $0.intentID) < ($1.updatedNs, $1.intentID) }
        for e in ordered {
            let intent = r.intents[e.intentID]
            let legs = intent.map { i in
                i.legs.map { "\($0.side == .sell ? "-" : "+")\($0.ratio) \($0.instrument.displayName)" }.joined(separator: " ")
            } ?? e.instrument
            let fields: [String] = [
                e.intentID, e.orderID, e.strategy, Self.name(e.purpose), e.role, e.parentIntentID, legs, "\(e.quantity)",
                intent.map { Self.name($0.orderType) } ?? "", intent?.algo ?? "", intent.map { Self.name($0.tif) } ?? "",
                Self.f(Double(e.limitPriceMicros) / 1e6, 4), Self.name(e.orderState), "\(e.filledQuantity)",
                Self.f(Double(e.avgFillPriceMicros) / 1e6, 4), "\(e.reprices)", intent.map { Self.time($0.createdNs) } ?? "",
                Self.time(e.updatedNs), e.reason,
            ]
            out += fields.map(Self.csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    /// metrics.json: the run's metrics and, with a benchmark, buy and hold's beside them.
    public static func json(_ m: PerformanceMetrics, benchmark: PerformanceMetrics? = nil, symbol: String = "") -> String {
        func object(_ m: PerformanceMetrics, indent: String) -> String {
            m.values.map { "\(indent)\"\($0.key)\": \($0.value.isFinite ? String(format: "%.12g", $0.value) : "null")" }.joined(separator: ",\n")
        }
        guard let benchmark else { return "{\n\(object(m, indent: "  "))\n}\n" }
        return "{\n\(object(m, indent: "  ")),\n  \"buy_and_hold\": {\n    \"symbol\": \"\(symbol)\",\n\(object(benchmark, indent: "    "))\n  }\n}\n"
    }

    static func f(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "" }
        let s = String(format: "%.\(digits)f", x)
        return s.hasPrefix("-") && Double(s) == 0 ? String(s.dropFirst()) : s
    }

    static func time(_ ns: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: Double(ns / 1_000_000_000)))
    }

    static func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// An enum case's proto name in lower case (`ORDER_STATE_FILLED` → `filled`).
    static func name<T>(_ value: T) -> String { "\(value)".lowercased() }
}
