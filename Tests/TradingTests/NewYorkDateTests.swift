import Foundation
import StrategyKit
import TestSupport
import Testing

/// The day arithmetic against Foundation's calendar, which it replaces on the strategies' path.
@Suite struct NewYorkDateTests {
    /// Foundation's answer: the code `NewYorkDate.days` had before it was arithmetic.
    static func foundationDays(from ns: Int64, to expiry: String) -> Int? {
        let parts = expiry.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        let calendar = NewYorkDate.calendar
        let today = calendar.startOfDay(for: Date(timeIntervalSince1970: Double(ns) / 1e9))
        guard let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])) else { return nil }
        return calendar.dateComponents([.day], from: today, to: date).day
    }

    @Test func daysAgreeWithFoundationOnRandomMomentsAndDates() {
        var rng = TestRandom("NewYorkDateTests")
        for _ in 0..<3_000 {
            // Moments from 1990 to 2040; expiries within ±3 years, as zero-padded dates.
            let ns = Int64(rng.next() % UInt64(50 * 365 * 86_400)) * 1_000_000_000 + 631_152_000 * 1_000_000_000
            let year = NewYorkDate.components(ns).year + Int(rng.next() % 7) - 3, month = 1 + Int(rng.next() % 12)
            let day = 1 + Int(rng.next() % 28)
            let expiry = String(format: "%04d-%02d-%02d", year, month, day)
            #expect(NewYorkDate.days(from: ns, to: expiry) == Self.foundationDays(from: ns, to: expiry), "seed \(rng.seed): \(ns) → \(expiry)")
        }
    }

    @Test func theDayTurnsAtMidnightInNewYorkAcrossDaylightSaving() throws {
        // 2026-03-08 (clocks forward) and 2026-11-01 (clocks back): 23- and 25-hour days.
        for (date, hours) in [("2026-03-08", 23), ("2026-11-01", 25), ("2026-12-07", 24)] {
            let start = try #require(NewYorkDate.calendar.date(from: DateComponents(year: Int(date.prefix(4)), month: Int(date.dropFirst(5).prefix(2)),
                                                                                   day: Int(date.suffix(2)))))
            let startNs = Int64(start.timeIntervalSince1970) * 1_000_000_000
            let day = NewYorkDate.Day(containing: startNs + 1)
            #expect(day.startNs == startNs)
            #expect(day.endNs - day.startNs == Int64(hours) * 3_600_000_000_000)
            #expect(NewYorkDate.days(from: startNs - 1, to: date) == 1, "the last nanosecond of the day before")
            #expect(NewYorkDate.days(from: startNs, to: date) == 0)
            #expect(NewYorkDate.days(from: day.endNs - 1, to: date) == 0)
            #expect(NewYorkDate.days(from: day.endNs, to: date) == -1)
        }
    }

    @Test func onlyDatesOfTheCalendarHaveANumber() {
        #expect(NewYorkDate.dayNumber("1970-01-01") == 0)
        #expect(NewYorkDate.dayNumber("2000-02-29") == 11_016)
        #expect(NewYorkDate.dayNumber("1900-02-29") == nil)
        #expect(NewYorkDate.dayNumber("2026-02-30") == nil)
        #expect(NewYorkDate.dayNumber("2026-13-01") == nil)
        for bad in ["", "bad", "2026-12", "2026-12-18-1", "2026--18", "2026-12-1x", "-2026-12-18"] {
            #expect(NewYorkDate.dayNumber(bad) == nil, "\(bad)")
        }
    }
}
