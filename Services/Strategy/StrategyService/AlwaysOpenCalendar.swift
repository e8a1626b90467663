import Market
import StrategyKit

/// A market open around the clock, for the simulated venue (`strategy.calendar = always-open`):
/// each New York calendar day is one session, midnight to midnight, weekends included, so a stack
/// started at any hour trades at once. The NYSE calendar stays the default for anything real.
public struct AlwaysOpenCalendar: ExchangeCalendar {
    public init() {}

    public func isOpen(at ns: Int64) -> Bool { true }

    /// Midnight changes the date (the day's sale id), not the market: an entry at 23:50 is fine.
    public var closes: Bool { false }

    public func session(atOrAfter ns: Int64) -> (open: Int64, close: Int64) {
        let day = NewYorkTime.local(ns).date
        return (NewYorkTime.instant(day, minute: 0), NewYorkTime.instant(day.adding(days: 1), minute: 0))
    }
}
