import Foundation

/// The tearsheet: one self-contained HTML page (inline SVG, no script, no CDN). Its first screen
/// says what the market was (model-priced chains, from which model) before any number.
public struct BacktestReport {
    let plan: BacktestPlan
    let result: BacktestResult
    let metrics: PerformanceMetrics
    let buyAndHold: PerformanceMetrics

    var html: String {
        let e = result.record.equity
        let first = e.first?.benchmark ?? 0
        let hold = e.map { first > 0 ? e[0].equity * $0.benchmark / first : 0 }
        let rows = metrics.values.map { m in
            "<tr><td>\(m.key)</td><td>\(Self.show(m.key, m.value))</td><td>\(Self.show(m.key, buyAndHold[m.key] ?? .nan))</td></tr>"
        }.joined(separator: "\n")
        let reasons = Dictionary(grouping: result.trips, by: \.exitReason).sorted { $0.key < $1.key }.map { key, trips in
            "<tr><td>\(key)</td><td>\(trips.count)</td><td>\(String(format: "%.2f", trips.reduce(0) { $0 + $1.pnl }))</td></tr>"
        }.joined(separator: "\n")
        let span = "\(plan.segments.first!.label) to \(plan.segments.last!.label)"
        return """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>Volta backtest \(span)</title>
        <style>
        body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}
        .note{background:#fff7e0;border:1px solid #e0c060;padding:10px 14px;border-radius:6px}
        table{border-collapse:collapse;margin:12px 0}td,th{border-bottom:1px solid #ddd;padding:4px 12px;text-align:right}
        td:first-child,th:first-child{text-align:left}svg{background:#fafafa;border:1px solid #ddd}
        .legend span{display:inline-block;margin-right:16px}
        </style></head><body>
        <h1>Backtest: \(Self.escape(plan.strategies.map { $0.name }.joined(separator: " + "))), \(span)</h1>
        <p class="note"><b>Option chains are model-priced.</b> The market is \(Self.escape(plan.marketDescription)).
        No offline source of real option quotes exists: every option quote comes from the simulated market's model
        (at-the-money vol from the VIX where the data has it, the index's stochastic variance elsewhere, the smile's skew and
        term structure, bid and ask from its spread model). Fills: crossing orders at mid ± \(String(format: "%.2f", plan.kernel.scenario.fills.spreadFactor))
        × half the spread, $\(String(format: "%.2f", Double(plan.kernel.scenario.fills.optionCommissionMicros) / 1e6)) a contract
        ($\(String(format: "%.2f", Double(plan.kernel.scenario.fills.minimumOptionCommissionMicros) / 1e6)) minimum an order), partial fills from the quoted size;
        expiry at the close, a cent in the money exercised or assigned. Bars of \(plan.step.nanoseconds / 1_000_000_000) s.</p>
        <h2>Equity</h2>
        <div class="legend"><span style="color:#1f6feb">■ strategy</span><span style="color:#999">■ buy and hold \(plan.benchmark)</span></div>
        \(Self.chart([(e.map(\.equity), "#1f6feb"), (hold, "#999")], height: 260))
        <h2>Drawdown</h2>
        \(Self.chart([(e.map(\.drawdown), "#d73a49")], height: 140))
        <h2>Metrics</h2>
        <table><tr><th></th><th>strategy</th><th>buy and hold \(plan.benchmark)</th></tr>
        \(rows)
        </table>
        <h2>Trades by exit</h2>
        <table><tr><th>exit</th><th>trades</th><th>P&amp;L $</th></tr>
        \(reasons)
        </table>
        </body></html>

        """
    }

    static func show(_ key: String, _ v: Double) -> String {
        guard v.isFinite else { return "–" }
        let percent: Set = ["total_return", "cagr", "annual_volatility", "max_drawdown", "var_95", "cvar_95", "win_rate", "exposure"]
        return percent.contains(key) ? String(format: "%.2f%%", v * 100) : String(format: "%.3f", v)
    }

    /// Lines on one scale, as an inline SVG polyline each.
    public static func chart(_ series: [([Double], String)], height: Double) -> String {
        let width = 960.0
        let all = series.flatMap(\.0).filter(\.isFinite)
        guard let lo = all.min(), let hi = all.max(), let n = series.map({ $0.0.count }).max(), n > 1 else { return "<p>(no data)</p>" }
        let range = hi > lo ? hi - lo : 1
        let lines = series.map { values, color in
            let points = values.enumerated().map { i, v in
                String(format: "%.1f,%.1f", Double(i) / Double(n - 1) * width, height - 8 - (v - lo) / range * (height - 16))
            }.joined(separator: " ")
            return "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(points)\"/>"
        }.joined()
        let labels = String(format: "<text x=\"4\" y=\"14\" font-size=\"11\">%.4g</text><text x=\"4\" y=\"%.0f\" font-size=\"11\">%.4g</text>",
                            hi, height - 4, lo)
        return "<svg width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">\(lines)\(labels)</svg>"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
