import Foundation

/// Years from a moment to an expiry's close. Listed US options stop trading at 16:00 New York
/// time on the expiry date; time runs on the calendar (365 days a year), the unit theta uses.
/// AM-settled index options (SPX monthlies) really settle at the open: their last day counts in
/// full here, a known approximation of a few hours.
public struct ExpiryCalendar: Sendable {
    public static let secondsPerYear = 365.0 * 86_400
    private let calendar: Calendar
    private var closes: [String: Int64] = [:]

    public init() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/New_York") ?? TimeZone(secondsFromGMT: -5 * 3600)!
        self.calendar = calendar
    }

    /// The expiry's 16:00 New York close in nanoseconds since 1970, or nil for a date that is not
    /// `YYYY-MM-DD` in ``years`` (beyond, nanoseconds overflow: a fuzzed manual trade expiring in
    /// 3436 crashed execution).
    public mutating func closeNanoseconds(_ expiry: String) -> Int64? {
        if let known = closes[expiry] { return known }
        let ns = Self.close(of: expiry, in: calendar)
        closes[expiry] = ns
        return ns
    }

    /// True once `expiry`'s close has passed at `nowNs` (false for a malformed date): what
    /// execution asks of an intent still waiting, without the pricer's cache.
    public static func hasClosed(_ expiry: String, at nowNs: Int64) -> Bool {
        guard let close = close(of: expiry, in: newYork) else { return false }
        return nowNs >= close
    }

    /// Whether `expiry` is a date an option can expire on here (`YYYY-MM-DD`, in ``years``).
    public static func isValid(_ expiry: String) -> Bool { close(of: expiry, in: newYork) != nil }

    private static let newYork = ExpiryCalendar().calendar

    /// Messages' `SupportedYears`, which every entrance checks; restated because Trading depends
    /// on nothing (`PricerEngineTests` holds the two equal).
    public static let years: ClosedRange<Int> = 1900...2200

    private static func close(of expiry: String, in calendar: Calendar) -> Int64? {
        let parts = expiry.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, expiry.count == 10, Self.years.contains(parts[0]),
              let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: 16)),
              calendar.component(.day, from: date) == parts[2] else { return nil }
        return Int64(date.timeIntervalSince1970.rounded()) * 1_000_000_000
    }

    /// Years from `nowNs` to the close; zero or negative once it has passed.
    public mutating func years(to expiry: String, from nowNs: Int64) -> Double? {
        closeNanoseconds(expiry).map { Double($0 - nowNs) / 1e9 / Self.secondsPerYear }
    }
}
