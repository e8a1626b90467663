import Foundation

/// Dates as the exchange keeps them, in New York: a strategy's session days, months and days to
/// an expiry, from bus time, with one calendar rather than one built per call.
public enum NewYorkDate {
    public static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "America/New_York") ?? .current
        return c
    }()

    /// The year, month and day in New York at `ns` (bus time).
    public static func components(_ ns: Int64) -> (year: Int, month: Int, day: Int) {
        let c = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(ns) / 1e9))
        return (c.year!, c.month!, c.day!)
    }

    /// Calendar days from the New York date of `ns` to `expiry` ("YYYY-MM-DD"), or nil.
    public static func days(from ns: Int64, to expiry: String) -> Int? {
        let parts = expiry.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])) else { return nil }
        let today = calendar.startOfDay(for: Date(timeIntervalSince1970: Double(ns) / 1e9))
        return calendar.dateComponents([.day], from: today, to: date).day
    }

    /// Midnight in New York on the first of the month `monthsAhead` after the one of `ns`.
    public static func monthStart(of ns: Int64, monthsAhead: Int) -> Int64 {
        let (y, m, _) = components(ns)
        let first = calendar.date(from: DateComponents(year: y, month: m, day: 1))!
        let target = calendar.date(byAdding: .month, value: monthsAhead, to: first)!
        return Int64((target.timeIntervalSince1970 * 1e9).rounded())
    }
}
