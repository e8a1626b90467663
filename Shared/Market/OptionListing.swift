/// Which options exist: Friday weeklies and the third-Friday monthlies (a Thursday when the
/// Friday is a holiday), with strike grids spaced the way the exchanges list them.
public struct OptionListing: Sendable, Equatable {
    public var weeklies = 5
    public var monthlies = 3
    /// Strikes each side of the money, at most.
    public var strikesEachSide = 20
    /// Beyond that grid, on expiries a month or more away, strikes every five steps out to the
    /// reach, at most this many each way (0: none): SPY lists $5 strikes far from the money, where
    /// a 90-day 15-delta put lies (about 7% out), and the near grid alone stops at ±$20.
    public var farStrikesEachSide = 0
    /// The underlyings with listed options (nil: every one, the index included). A backtest of
    /// SPY options lists SPY's alone: an SPX chain nobody trades would be half the work.
    public var symbols: Set<String>?

    public init() {}

    /// The expiries listed on `date`: the next `weeklies` Fridays and `monthlies` monthlies.
    public func expiries(on date: CivilDate, calendar: NYSECalendar) -> [CivilDate] {
        var result: Set<CivilDate> = []
        var friday = date.adding(days: (5 - date.weekday + 7) % 7)
        while result.count < weeklies {
            result.insert(Self.tradingDay(friday, calendar: calendar))
            friday = friday.adding(days: 7)
        }
        var (year, month) = (date.year, date.month)
        var added = 0
        while added < monthlies {
            let expiry = Self.tradingDay(CivilDate.nth(3, weekday: 5, month: month, year: year), calendar: calendar)
            if expiry >= date { result.insert(expiry); added += 1 }
            month += 1
            if month > 12 { month = 1; year += 1 }
        }
        return result.filter { $0 >= date }.sorted()
    }

    /// An expiry on a holiday moves to the session before it (Good Friday → Thursday).
    static func tradingDay(_ date: CivilDate, calendar: NYSECalendar) -> CivilDate {
        calendar.session(onOrBefore: date).date
    }

    /// Is `expiry` a standard monthly (third Friday, or its holiday Thursday)?
    public static func isMonthly(_ expiry: CivilDate) -> Bool {
        let third = CivilDate.nth(3, weekday: 5, month: expiry.month, year: expiry.year)
        return expiry == third || expiry == third.adding(days: -1)
    }

    /// The strike spacing: 5 points on SPX, 1 on the index ETFs, and for stocks widening with
    /// the price (2.50 under 25 after the $1 and $0.50 programs, up to 10 above 1000).
    public static func strikeStep(price: Double, kind: UnderlyingParameters.Kind, isIndex: Bool) -> Double {
        if isIndex { return 5 }
        if kind == .etf { return 1 }
        switch price {
        case ..<25: return 0.5
        case ..<100: return 1
        case ..<250: return 2.5
        case ..<1000: return 5
        default: return 10
        }
    }

    /// The grid around `price`: every step within ±max(10%, 3 standard deviations to expiry),
    /// capped at `strikesEachSide` each way.
    public func strikes(around price: Double, step: Double, volatility: Double, years: Double) -> [Double] {
        let reach = price * max(0.10, 3 * volatility * max(years, 1.0 / 365).squareRoot())
        let count = min(strikesEachSide, max(2, Int(reach / step)))
        let center = (price / step).rounded() * step
        var grid = (-count...count).map { center + Double($0) * step }
        if farStrikesEachSide > 0, years >= 30.0 / 365, count == strikesEachSide {
            let far = (1...farStrikesEachSide).map { Double(count) * step + Double($0) * 5 * step }.filter { $0 <= reach }
            grid = far.reversed().map { center - $0 } + grid + far.map { center + $0 }
        }
        return grid.filter { $0 > 0 }
    }
}
