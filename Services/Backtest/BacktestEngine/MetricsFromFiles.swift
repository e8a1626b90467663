import Foundation

/// The metrics of a run's equity.csv and trades.csv as written, for `backtest metrics`: an
/// oracle test feeds it any equity curve and compares with empyrical; a trader re-reads a run.
public enum MetricsFromFiles {
    public struct BadFile: Error, CustomStringConvertible {
        public let description: String
    }

    public static func metrics(equityCSV: String, tradesCSV: String?) throws -> PerformanceMetrics {
        let equityRows = try rows(equityCSV, file: "equity.csv", needs: ["equity", "positions_value"])
        let equity = try equityRows.map { try number($0["equity"]!, "equity.csv equity") }
        let exposed = try equityRows.filter { try number($0["positions_value"]!, "equity.csv positions_value") != 0 }.count
        var trips: [RoundTrip] = []
        var traded = 0.0, commissions = 0.0
        if let tradesCSV {
            for r in try rows(tradesCSV, file: "trades.csv", needs: ["quantity", "entry_price", "exit_price", "exit_reason", "pnl", "commission", "right"]) {
                let quantity = abs(try number(r["quantity"]!, "trades.csv quantity"))
                let multiplier = r["right"]!.isEmpty ? 1.0 : 100
                let open = r["exit_reason"] == "open"
                traded += quantity * multiplier * (try number(r["entry_price"]!, "trades.csv entry_price") + (open ? 0 : try number(r["exit_price"]!, "trades.csv exit_price")))
                commissions += try number(r["commission"]!, "trades.csv commission")
                guard !open else { continue }
                var t = RoundTrip(id: trips.count + 1, strategy: "", instrument: .init(), quantity: 0, entryTime: 0, entryPrice: 0, exitTime: 0,
                                  exitPrice: 0, exitReason: r["exit_reason"]!, pnl: 0, commission: 0, underlyingAtEntry: 0, ivAtEntry: 0, deltaAtEntry: 0)
                t.pnl = try number(r["pnl"]!, "trades.csv pnl")
                trips.append(t)
            }
        }
        return PerformanceMetrics(equity: equity, trips: trips, exposedDays: exposed, traded: traded, commissions: commissions)
    }

    /// Rows as header → field (fields here never hold commas except quoted legs, which are skipped).
    static func rows(_ text: String, file: String, needs: [String]) throws -> [[String: String]] {
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) else {
            throw BadFile(description: "\(file): empty")
        }
        for column in needs where !header.contains(column) { throw BadFile(description: "\(file): no \(column) column") }
        return try lines.dropFirst().enumerated().map { i, line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == header.count else { throw BadFile(description: "\(file) line \(i + 2): \(fields.count) fields, \(header.count) expected") }
            return Dictionary(uniqueKeysWithValues: zip(header, fields))
        }
    }

    static func number(_ text: String, _ field: String) throws -> Double {
        guard let v = Double(text) else { throw BadFile(description: "\(field): not a number: \(text)") }
        return v
    }
}
