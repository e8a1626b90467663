/// Daily bars leading up to a simulation's start, from the same model: marketdata needs
/// realized volatility, ATR and betas on its first minute, not after weeks of running.
public enum MarketHistory {
    /// `days` sessions ending the session before `end`, every symbol scaled so its last close
    /// is its price at the start.
    public static func generate(_ parameters: MarketParameters, endingBefore end: Int64, days: Int) -> [String: [DailyBar]] {
        var p = parameters
        p.listing.weeklies = 0
        p.listing.monthlies = 0
        p.hours = .nyse
        p.stepSeconds = 900
        p.seed = parameters.seed &+ 0x5EED
        let calendar = NYSECalendar()
        var first = NewYorkTime.local(end).date
        for _ in 0..<days { first = calendar.session(onOrBefore: first.adding(days: -1)).date }
        var sim = MarketSimulation(parameters: p, start: NewYorkTime.instant(first, minute: NYSECalendar.regularOpen))
        var bars: [String: [DailyBar]] = [:]
        var session = calendar.session(onOrAfter: first)
        while bars.values.first.map({ $0.count < days }) ?? true {
            let open = NewYorkTime.instant(session.date, minute: session.openMinute)
            let close = NewYorkTime.instant(session.date, minute: session.closeMinute)
            var t = open
            var day: [String: DailyBar] = [:]
            while t <= close {
                sim.step(to: max(t, sim.now))
                for symbol in sim.symbols {
                    let price = sim.price(of: symbol)!
                    var bar = day[symbol] ?? DailyBar(date: session.date, open: price, high: price, low: price, close: price)
                    bar.high = max(bar.high, price)
                    bar.low = min(bar.low, price)
                    bar.close = price
                    day[symbol] = bar
                }
                t += 900_000_000_000
            }
            for (symbol, bar) in day { bars[symbol, default: []].append(bar) }
            session = calendar.session(onOrAfter: session.date.adding(days: 1))
        }
        var scaled: [String: [DailyBar]] = [:]
        for (symbol, list) in bars {
            let target = symbol == parameters.index.symbol ? parameters.index.price
                : parameters.underlyings.first { $0.symbol == symbol }?.price ?? list.last!.close
            let k = target / list.last!.close
            scaled[symbol] = list.map { DailyBar(date: $0.date, open: $0.open * k, high: $0.high * k, low: $0.low * k, close: $0.close * k) }
        }
        return scaled
    }
}
