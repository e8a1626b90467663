import Messages

/// The metrics every process publishes on `sys.metrics.*`, in Prometheus' text exposition
/// format (version 0.0.4), so one scrape of the dashboard covers the whole stack. Each series
/// gets `service` and `instance` labels; counters end in `_total`; timers (nanoseconds) become
/// summaries in seconds with `_count` and `_sum`, plus `_min` and `_max` gauges.
public enum PrometheusText {
    struct Family {
        var type: String
        var lines: [String] = []
    }

    public static func render(_ snapshots: [Volta_V1_MetricsSnapshot]) -> String {
        var families: [String: Family] = [:]
        /// A sample of `family` (a summary's samples carry a `_count` or `_sum` suffix).
        func add(_ family: String, _ type: String, suffix: String = "", _ labels: String, _ value: Double) {
            families[family, default: Family(type: type)].lines.append("\(family)\(suffix)\(labels) \(number(value))")
        }
        for snapshot in snapshots {
            let source = [("service", snapshot.source.service), ("instance", snapshot.source.instance)]
            for m in snapshot.metrics {
                let labels = labelText(source + m.labels.keys.sorted().map { ($0, m.labels[$0] ?? "") })
                let base = "volta_" + sanitize(m.name)
                switch m.kind {
                case .counter:
                    add(base.hasSuffix("_total") ? base : base + "_total", "counter", labels, m.value)
                case .timer:
                    let name = base.hasSuffix("_seconds") ? base : base + "_seconds"
                    add(name, "summary", suffix: "_count", labels, Double(m.count))
                    add(name, "summary", suffix: "_sum", labels, m.sum / 1e9)
                    add(name + "_min", "gauge", labels, m.min / 1e9)
                    add(name + "_max", "gauge", labels, m.max / 1e9)
                case .recorder:
                    add(base, "summary", suffix: "_count", labels, Double(m.count))
                    add(base, "summary", suffix: "_sum", labels, m.sum)
                    add(base + "_last", "gauge", labels, m.value)
                default:
                    add(base, "gauge", labels, m.value)
                }
            }
        }
        var out = ""
        for name in families.keys.sorted() {
            let f = families[name]!
            out += "# TYPE \(name) \(f.type)\n" + f.lines.joined(separator: "\n") + "\n"
        }
        return out
    }

    /// Metric names allow `[a-zA-Z0-9_:]`, not starting with a digit.
    static func sanitize(_ s: String) -> String {
        let mapped = String(s.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") ? $0 : "_" })
        return mapped.first?.isNumber == true ? "_" + mapped : mapped
    }

    static func labelText(_ labels: [(String, String)]) -> String {
        let parts = labels.map { key, value in
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
            return "\(sanitize(key))=\"\(escaped)\""
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    static func number(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "+Inf" : "-Inf" }
        return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
    }
}
