import Foundation

/// sweep.csv and its heatmap page: one row per grid point (its values, then every metric), and a
/// table of the first two axes coloured by one metric.
public enum SweepOutput {
    public static func csv(_ grid: SweepGrid, _ outcomes: [SweepRunner.Outcome]) -> String {
        var out = (["run"] + grid.axes.map(\.key) + PerformanceMetrics.keys + ["error"]).joined(separator: ",") + "\n"
        for o in outcomes {
            let values = o.point.map { String($0.split(separator: "=", maxSplits: 1).last ?? "") }
            let metrics = PerformanceMetrics.keys.map { k in (o.metrics[k] ?? nil).map { String(format: "%.12g", $0) } ?? "" }
            let error = (o.error ?? "").replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: ",", with: ";")
            out += (["\(o.index)"] + values + metrics + [error]).joined(separator: ",") + "\n"
        }
        return out
    }

    /// Rows of a sweep.csv back, for `backtest merge` (header first).
    public static func parse(_ text: String) -> (header: String, rows: [(index: Int, line: String)]) {
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        return (lines.first ?? "", lines.dropFirst().compactMap { line in Int(line.prefix { $0 != "," }).map { ($0, line) } })
    }

    /// The heatmap of `metric` over the first axis (columns) and the second (rows).
    public static func heatmap(csv: String, metric: String) -> String {
        let lines = csv.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first, let m = header.firstIndex(of: metric), let firstMetric = header.firstIndex(of: PerformanceMetrics.keys[0]) else {
            return "<p>no \(metric)</p>"
        }
        let axes = Array(header[1..<firstMetric])
        let rows = lines.dropFirst()
        func values(_ column: Int) -> [String] {
            var seen: [String] = []
            for r in rows where !seen.contains(r[column]) { seen.append(r[column]) }
            return seen
        }
        let xs = axes.isEmpty ? [""] : values(1)
        let ys = axes.count > 1 ? values(2) : [""]
        let numbers = rows.compactMap { Double($0[m]) }
        let (lo, hi) = (numbers.min() ?? 0, numbers.max() ?? 1)
        var table = "<table><tr><th>\(axes.count > 1 ? axes[1] : "") \\ \(axes.first ?? "")</th>"
            + xs.map { "<th>\($0)</th>" }.joined() + "</tr>\n"
        for y in ys {
            table += "<tr><th>\(y)</th>"
            for x in xs {
                let cell = rows.first { ($0.count > 1 && axes.count > 0 ? $0[1] == x : true) && (axes.count > 1 ? $0[2] == y : true) }
                let value = cell.flatMap { Double($0[m]) }
                let t = value.map { hi > lo ? ($0 - lo) / (hi - lo) : 0.5 } ?? 0
                let colour = value == nil ? "#eee" : String(format: "rgb(%d,%d,%d)", Int(255 - 200 * t), Int(120 + 110 * t), Int(120 - 40 * t))
                table += "<td style=\"background:\(colour)\">\(value.map { String(format: "%.3f", $0) } ?? "–")</td>"
            }
            table += "</tr>\n"
        }
        return """
        <!doctype html><html><head><meta charset="utf-8"><title>Volta sweep: \(metric)</title>
        <style>body{font:14px system-ui,sans-serif;margin:24px}table{border-collapse:collapse}td,th{padding:6px 12px;border:1px solid #fff;text-align:center}</style>
        </head><body><h1>Sweep: \(metric)</h1><p>\(rows.count) runs; further axes, if any, show their first value's row only (sweep.csv has every run).</p>
        \(table)</table></body></html>

        """
    }
}
