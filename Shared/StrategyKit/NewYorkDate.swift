import Foundation
import Synchronization

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
        let c = calendar.dateComponents([.year, .month, .day], from: date(ns))
        return (c.year!, c.month!, c.day!)
    }

    /// The whole second `ns` falls in, as a date: days begin on whole seconds, and a double of
    /// nanoseconds since 1970 cannot tell the last nanosecond before midnight from midnight.
    static func date(_ ns: Int64) -> Date {
        let (q, r) = ns.quotientAndRemainder(dividingBy: 1_000_000_000)
        return Date(timeIntervalSince1970: Double(r < 0 ? q - 1 : q))
    }

    /// Calendar days from the New York date of `ns` to `expiry` ("YYYY-MM-DD"), or nil for a
    /// date that does not exist. Strategies ask it for every stop and every candidate strike on
    /// each refresh: the day is looked up in Foundation's calendar once, then it is arithmetic.
    public static func days(from ns: Int64, to expiry: String) -> Int? {
        guard let target = dayNumber(expiry) else { return nil }
        return target - day(containing: ns).number
    }

    /// The New York day that contains `ns`, from the last one asked when it still does.
    public static func day(containing ns: Int64) -> Day {
        if let known = lastDay.withLock({ $0 }), known.contains(ns) { return known }
        let day = Day(containing: ns)
        lastDay.withLock { $0 = day }
        return day
    }

    private static let lastDay = Mutex<Day?>(nil)

    /// One New York calendar day in bus time, and its number of days from 1970-01-01.
    public struct Day: Sendable, Equatable {
        public let startNs: Int64
        public let endNs: Int64
        public let number: Int

        public init(containing ns: Int64) {
            let date = NewYorkDate.date(ns)
            let start = NewYorkDate.calendar.startOfDay(for: date)
            let end = NewYorkDate.calendar.date(byAdding: .day, value: 1, to: start) ?? start.addingTimeInterval(86_400)
            let c = NewYorkDate.calendar.dateComponents([.year, .month, .day], from: date)
            startNs = Int64((start.timeIntervalSince1970 * 1e9).rounded())
            endNs = Int64((end.timeIntervalSince1970 * 1e9).rounded())
            number = NewYorkDate.dayNumber(year: c.year!, month: c.month!, day: c.day!)
        }

        public func contains(_ ns: Int64) -> Bool { ns >= startNs && ns < endNs }
    }

    /// Days from 1970-01-01 to the proleptic Gregorian date (Howard Hinnant's days_from_civil).
    public static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The day number of "YYYY-MM-DD" (digits in each field, any width), or nil when it is not a
    /// date of the calendar (2026-02-30 is not).
    public static func dayNumber(_ date: String) -> Int? {
        var fields = SIMD3<Int>.zero, field = 0, digits = 0
        for byte in date.utf8 {
            if byte == UInt8(ascii: "-") {
                guard digits > 0, field < 2 else { return nil }
                (field, digits) = (field + 1, 0)
            } else {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 9 else { return nil }
                fields[field] = fields[field] * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
            }
        }
        let (y, m, d) = (fields[0], fields[1], fields[2])
        guard field == 2, digits > 0, (1...12).contains(m), d >= 1, d <= daysIn(month: m, year: y) else { return nil }
        return dayNumber(year: y, month: m, day: d)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Midnight in New York on the first of the month `monthsAhead` after the one of `ns`.
    public static func monthStart(of ns: Int64, monthsAhead: Int) -> Int64 {
        let (y, m, _) = components(ns)
        let first = calendar.date(from: DateComponents(year: y, month: m, day: 1))!
        let target = calendar.date(byAdding: .month, value: monthsAhead, to: first)!
        return Int64((target.timeIntervalSince1970 * 1e9).rounded())
    }
}
