import Bus
import Foundation
import Synchronization

/// Per-topic message counts, rates and gaps for `tap --stats`.
final class StatsTable: Sendable {
    private struct Row {
        var total = 0
        var sinceLast = 0
        var missed: UInt64 = 0
    }

    private let rows = Mutex<[String: Row]>([:])
    private let last = Mutex<Int64>(0)

    func count(topic: String, missed: UInt64) {
        rows.withLock { rows in
            rows[topic, default: Row()].total += 1
            rows[topic, default: Row()].sinceLast += 1
            rows[topic, default: Row()].missed += missed
        }
    }

    /// The table as text; rates are per second since the previous render.
    func render(statistics: BusStatistics) -> String {
        let now = WallClock().now()
        let elapsed = max(1e-3, Double(now - last.withLock { l in defer { l = now }; return l == 0 ? now - 1_000_000_000 : l }) / 1e9)
        let snapshot = rows.withLock { rows -> [(String, Row)] in
            defer { for k in rows.keys { rows[k]?.sinceLast = 0 } }
            return rows.sorted { $0.value.sinceLast > $1.value.sinceLast }
        }
        var out = String(format: "%-48@ %10@ %10@ %8@\n", "topic" as NSString, "msg/s" as NSString, "total" as NSString, "missed" as NSString)
        for (topic, row) in snapshot.prefix(30) {
            out += String(format: "%-48@ %10.1f %10d %8llu\n", topic as NSString, Double(row.sinceLast) / elapsed, row.total, row.missed)
        }
        let counters = statistics.snapshot().filter { $0.value > 0 }.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
        return out + "bus: \(counters)\n\n"
    }
}
