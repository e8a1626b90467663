/// The New York Stock Exchange's trading sessions: weekdays less the holidays its rules fix,
/// with the 13:00 early closes, plus the closures and early closes history imposed (national
/// mourning, 9/11, Hurricane Sandy). Checked day by day against `exchange_calendars` from 2000
/// to 2030 (Tests/Interop/test_nyse_calendar.py).
public struct NYSECalendar: Sendable {
    /// One trading day; times are minutes after midnight, New York time.
    public struct Session: Hashable, Sendable {
        public let date: CivilDate
        public let openMinute: Int
        public let closeMinute: Int
        public var isEarlyClose: Bool { closeMinute < NYSECalendar.regularClose }
    }

    public static let regularOpen = 9 * 60 + 30
    public static let regularClose = 16 * 60
    public static let earlyClose = 13 * 60

    /// Closures no rule predicts.
    static let specialClosures: Set<String> = [
        "2001-09-11", "2001-09-12", "2001-09-13", "2001-09-14",   // the September 11 attacks
        "2004-06-11",                                             // President Reagan's funeral
        "2007-01-02",                                             // President Ford's funeral
        "2012-10-29", "2012-10-30",                               // Hurricane Sandy
        "2018-12-05",                                             // President G. H. W. Bush's funeral
        "2025-01-09",                                             // President Carter's funeral
    ]
    /// Early closes no rule predicts, and rule-made early closes the exchange skipped.
    static let specialEarlyCloses: Set<String> = ["2002-07-05", "2003-12-26"]
    static let skippedEarlyCloses: Set<String> = ["2002-07-03"]

    public init() {}

    /// The session on `date`, or nil on a weekend, holiday or closure.
    public func session(on date: CivilDate) -> Session? {
        guard !date.isWeekend, !isHoliday(date), !Self.specialClosures.contains(date.description) else { return nil }
        let close = isEarlyClose(date) ? Self.earlyClose : Self.regularClose
        return Session(date: date, openMinute: Self.regularOpen, closeMinute: close)
    }

    /// Every session from `start` through `end`, in order.
    public func sessions(from start: CivilDate, through end: CivilDate) -> [Session] {
        guard start <= end else { return [] }
        return (start.dayNumber...end.dayNumber).compactMap { session(on: CivilDate(dayNumber: $0)) }
    }

    /// The first session on or after `date`.
    public func session(onOrAfter date: CivilDate) -> Session {
        var day = date
        while true {
            if let s = session(on: day) { return s }
            day = day.adding(days: 1)
        }
    }

    /// The last session on or before `date`.
    public func session(onOrBefore date: CivilDate) -> Session {
        var day = date
        while true {
            if let s = session(on: day) { return s }
            day = day.adding(days: -1)
        }
    }

    public func isHoliday(_ date: CivilDate) -> Bool {
        holidays(in: date.year).contains(date)
    }

    /// The holidays the rules give for one year (observed dates).
    public func holidays(in year: Int) -> Set<CivilDate> {
        var days: Set<CivilDate> = []
        // New Year's Day moves to Monday from a Sunday; from a Saturday it is not observed.
        let newYear = CivilDate(year: year, month: 1, day: 1)!
        if newYear.weekday == 0 { days.insert(newYear.adding(days: 1)) } else if newYear.weekday != 6 { days.insert(newYear) }
        if year >= 1998 { days.insert(.nth(3, weekday: 1, month: 1, year: year)) }   // Martin Luther King Jr. Day
        days.insert(.nth(3, weekday: 1, month: 2, year: year))                       // Washington's Birthday
        days.insert(Self.easter(year).adding(days: -2))                              // Good Friday
        days.insert(.nth(-1, weekday: 1, month: 5, year: year))                      // Memorial Day
        if year >= 2022 { days.insert(Self.observed(CivilDate(year: year, month: 6, day: 19)!)) } // Juneteenth
        days.insert(Self.observed(CivilDate(year: year, month: 7, day: 4)!))         // Independence Day
        days.insert(.nth(1, weekday: 1, month: 9, year: year))                       // Labor Day
        days.insert(.nth(4, weekday: 4, month: 11, year: year))                      // Thanksgiving
        days.insert(Self.observed(CivilDate(year: year, month: 12, day: 25)!))       // Christmas
        return days
    }

    /// 13:00 closes: the day before Independence Day and Christmas Eve when they fall Monday to
    /// Thursday, and the day after Thanksgiving.
    func isEarlyClose(_ date: CivilDate) -> Bool {
        let key = date.description
        if Self.specialEarlyCloses.contains(key) { return true }
        if Self.skippedEarlyCloses.contains(key) { return false }
        let (y, m, d) = date.components
        if m == 7 && d == 3 || m == 12 && d == 24 { return (1...4).contains(date.weekday) }
        return date == CivilDate.nth(4, weekday: 4, month: 11, year: y).adding(days: 1)
    }

    /// A fixed-date holiday on a Saturday is observed on Friday, on a Sunday on Monday.
    static func observed(_ date: CivilDate) -> CivilDate {
        switch date.weekday {
        case 6: return date.adding(days: -1)
        case 0: return date.adding(days: 1)
        default: return date
        }
    }

    /// Easter Sunday (the anonymous Gregorian algorithm).
    static func easter(_ year: Int) -> CivilDate {
        let a = year % 19, b = year / 100, c = year % 100
        let d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return CivilDate(year: year, month: month, day: day)!
    }
}

extension NYSECalendar.Session {
    /// `{"date":"2026-11-27","open":"09:30","close":"13:00"}`: the line `marketdata calendar` prints.
    public var jsonLine: String {
        func hhmm(_ m: Int) -> String { "\(m / 60 < 10 ? "0" : "")\(m / 60):\(m % 60 < 10 ? "0" : "")\(m % 60)" }
        return "{\"date\":\"\(date)\",\"open\":\"\(hhmm(openMinute))\",\"close\":\"\(hhmm(closeMinute))\"}"
    }
}
