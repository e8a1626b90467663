import Foundation

/// Daily OHLC bars from a CSV file with a header naming at least `date`, `open`, `high`, `low`
/// and `close` (any order and case, other columns ignored: the layout of the `arch` package's
/// data and of most vendors' exports).
public struct DailyBar: Equatable, Sendable {
    public var date: CivilDate
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double

    public init(date: CivilDate, open: Double, high: Double, low: Double, close: Double) {
        self.date = date
        self.open = open
        self.high = high
        self.low = low
        self.close = close
    }
}

public enum DailyBars {
    /// Loads and checks every row: a bad one is refused with its line and field.
    public static func load(_ path: String) throws -> [DailyBar] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw DataFileError(file: path, line: 0, field: "-", message: "cannot read the file")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws -> [DailyBar] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let header = lines.first else { throw DataFileError(file: file, line: 1, field: "-", message: "empty file") }
        let names = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var column: [String: Int] = [:]
        for field in ["date", "open", "high", "low", "close"] {
            guard let i = names.firstIndex(of: field) else {
                throw DataFileError(file: file, line: 1, field: field, message: "missing column (header: \(header))")
            }
            column[field] = i
        }
        var bars: [DailyBar] = []
        for (offset, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let number = offset + 1
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            func cell(_ name: String) throws -> String {
                guard let i = column[name], i < cells.count else {
                    throw DataFileError(file: file, line: number, field: name, message: "missing value")
                }
                return cells[i]
            }
            func price(_ name: String) throws -> Double {
                let text = try cell(name)
                guard let v = Double(text), v.isFinite, v > 0 else {
                    throw DataFileError(file: file, line: number, field: name, message: "'\(text)' is not a positive price")
                }
                return v
            }
            let dateText = try cell("date")
            guard let date = CivilDate(dateText.prefix(10)) else {
                throw DataFileError(file: file, line: number, field: "date", message: "'\(dateText)' is not YYYY-MM-DD")
            }
            let bar = DailyBar(date: date, open: try price("open"), high: try price("high"), low: try price("low"), close: try price("close"))
            if bar.high < max(bar.open, bar.close) || bar.low > min(bar.open, bar.close) {
                throw DataFileError(file: file, line: number, field: "high/low",
                                    message: "high \(bar.high) and low \(bar.low) do not contain open \(bar.open) and close \(bar.close)")
            }
            if let last = bars.last, last.date >= date {
                throw DataFileError(file: file, line: number, field: "date", message: "\(date) does not follow \(last.date)")
            }
            bars.append(bar)
        }
        guard !bars.isEmpty else { throw DataFileError(file: file, line: 2, field: "-", message: "no bars") }
        return bars
    }
}
