import Testing
@testable import Market

/// The NYSE calendar's rules on the days that test them; every day from 2000 to 2030 is
/// checked against exchange_calendars by Tests/Interop/test_nyse_calendar.py.
@Suite struct CalendarTests {
    let calendar = NYSECalendar()

    func session(_ text: String) -> NYSECalendar.Session? { calendar.session(on: CivilDate(text)!) }

    @Test func civilDatesRoundTrip() {
        for day in stride(from: -800_000, through: 800_000, by: 997) {
            let d = CivilDate(dayNumber: day)
            let (y, m, dd) = d.components
            #expect(CivilDate(year: y, month: m, day: dd) == d)
            #expect(CivilDate(d.description) == d || y < 1000 || y > 9999)
        }
        #expect(CivilDate("2026-11-21")?.weekday == 6)
        #expect(CivilDate("2026-02-29") == nil)
        #expect(CivilDate("2026-1-05") == nil)
    }

    @Test func holidaysByRule() {
        #expect(session("2026-11-26") == nil)            // Thanksgiving
        #expect(session("2026-04-03") == nil)            // Good Friday
        #expect(session("2027-06-18") == nil)            // Juneteenth on a Saturday, observed Friday
        #expect(session("2021-06-18") != nil)            // before Juneteenth was a market holiday
        #expect(session("2022-01-03") != nil)            // New Year's on a Saturday is not moved to Friday…
        #expect(session("2021-12-31") != nil)            // …nor to the Friday before
        #expect(session("2023-01-02") == nil)            // …but from a Sunday it moves to Monday
        #expect(session("2026-07-03") == nil)            // July 4 on a Saturday
    }

    @Test func earlyClosesAndSpecialClosures() {
        #expect(session("2026-11-27")?.closeMinute == 13 * 60)   // the day after Thanksgiving
        #expect(session("2026-12-24")?.closeMinute == 13 * 60)   // Christmas Eve on a Thursday
        #expect(session("2025-07-03")?.closeMinute == 13 * 60)
        #expect(session("2002-07-03")?.closeMinute == 16 * 60)   // history skipped it…
        #expect(session("2002-07-05")?.closeMinute == 13 * 60)   // …and closed early on the Friday
        #expect(session("2025-01-09") == nil)                    // President Carter's funeral
        #expect(session("2012-10-30") == nil)                    // Hurricane Sandy
        #expect(session("2026-11-27")?.jsonLine == #"{"date":"2026-11-27","open":"09:30","close":"13:00"}"#)
    }

    @Test func newYorkTimeFollowsDaylightSaving() {
        let summer = NewYorkTime.instant(CivilDate("2026-07-01")!, minute: 9 * 60 + 30)
        let winter = NewYorkTime.instant(CivilDate("2026-12-01")!, minute: 9 * 60 + 30)
        #expect(summer % 86_400_000_000_000 == 13 * 3_600_000_000_000 + 30 * 60_000_000_000)
        #expect(winter % 86_400_000_000_000 == 14 * 3_600_000_000_000 + 30 * 60_000_000_000)
        #expect(NewYorkTime.local(winter).date == CivilDate("2026-12-01"))
        #expect(NewYorkTime.local(winter).minute == 9 * 60 + 30)
    }

    @Test func listingsFollowTheCalendar() {
        let expiries = OptionListing().expiries(on: CivilDate("2026-03-30")!, calendar: calendar)
        #expect(expiries.contains(CivilDate("2026-04-02")!))     // Good Friday's weekly moves to Thursday
        #expect(!expiries.contains(CivilDate("2026-04-03")!))
        #expect(expiries.contains(CivilDate("2026-04-17")!))     // April's monthly
        #expect(expiries.contains(CivilDate("2026-06-18")!))     // June's monthly (Juneteenth Friday → Thursday)
        #expect(OptionListing.isMonthly(CivilDate("2026-04-17")!))
    }

    /// Far strikes: five steps apart beyond the near grid, on expiries a month out or more, within
    /// the reach; none on a weekly, none when off (the backtests' scenarios).
    @Test func farStrikesReachA90DayFifteenDeltaPut() {
        var listing = OptionListing()
        let near = listing.strikes(around: 590, step: 1, volatility: 0.15, years: 75.0 / 365)
        #expect(near.first == 570 && near.last == 610 && near.count == 41)
        listing.farStrikesEachSide = 8
        let wide = listing.strikes(around: 590, step: 1, volatility: 0.15, years: 75.0 / 365)
        #expect(wide.count == 57 && wide.first == 530 && wide.last == 650 && wide.contains(545) && !wide.contains(544), "\(wide)")
        #expect(wide == wide.sorted())
        #expect(listing.strikes(around: 590, step: 1, volatility: 0.15, years: 7.0 / 365).count == 41, "a weekly keeps the near grid")
    }
}
