import Market
import StrategyKit

/// The NYSE calendar (weekends, holidays, early closes) as strategies ask it, in bus time.
public struct NYSEExchangeCalendar: ExchangeCalendar {
    let calendar = NYSECalendar()

    public init() {}

    public func isOpen(at ns: Int64) -> Bool {
        let s = session(atOrAfter: ns)
        return s.open <= ns && ns < s.close
    }

    public func session(atOrAfter ns: Int64) -> (open: Int64, close: Int64) {
        let (date, minute) = NewYorkTime.local(ns)
        var s = calendar.session(onOrAfter: date)
        if s.date == date, minute >= s.closeMinute { s = calendar.session(onOrAfter: CivilDate(dayNumber: date.dayNumber + 1)) }
        return (NewYorkTime.instant(s.date, minute: s.openMinute), NewYorkTime.instant(s.date, minute: s.closeMinute))
    }
}
