import Foundation

/// A price path through real daily bars: each session runs from the bar's open through its high
/// and low (in an order drawn per day) to its close, along Brownian bridges held inside the
/// day's range; between sessions the price gaps from one close to the next open.
public struct ReplayPath: Sendable {
    /// Points per session (every 5 minutes of a 6.5-hour day).
    static let points = 79
    let bars: [DailyBar]
    /// Log prices per bar, `points` each.
    let path: [[Double]]
    let calendar = NYSECalendar()

    public init(bars: [DailyBar], seed: UInt64) {
        self.bars = bars
        path = bars.map { Self.bridge($0, seed: seed ^ UInt64(bitPattern: Int64($0.date.dayNumber))) }
    }

    /// Whether `ns` falls on or between the first and the last bar's dates.
    public func covers(_ ns: Int64) -> Bool {
        let date = NewYorkTime.local(ns).date
        return date >= firstDate && date <= lastDate
    }

    /// The annualized volatility of the 20 daily close-to-close log returns before `ns`'s day (fewer
    /// at the file's start; nil with fewer than 5).
    public func realizedVolatility(before ns: Int64, days: Int = 20) -> Double? {
        let date = NewYorkTime.local(ns).date
        var lo = 0, hi = bars.count
        while lo < hi { let mid = (lo + hi) / 2; if bars[mid].date < date { lo = mid + 1 } else { hi = mid } }
        let closes = bars[max(0, lo - days - 1)..<lo].map { log($0.close) }
        guard closes.count >= 6 else { return nil }
        let r = zip(closes, closes.dropFirst()).map { $1 - $0 }
        let mean = r.reduce(0, +) / Double(r.count)
        return (r.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(r.count - 1) * 252).squareRoot()
    }

    public var firstDate: CivilDate { bars[0].date }
    public var lastDate: CivilDate { bars[bars.count - 1].date }

    /// The log price at an instant: along the bar of its day during the session, the close
    /// after it, and the previous close before the open or on a day without a bar.
    public func logPrice(at ns: Int64) -> Double {
        let (date, minute) = NewYorkTime.local(ns)
        var lo = 0, hi = bars.count
        while lo < hi { let mid = (lo + hi) / 2; if bars[mid].date <= date { lo = mid + 1 } else { hi = mid } }
        guard lo > 0 else { return log(bars[0].open) }
        let i = lo - 1
        guard bars[i].date == date else { return log(bars[i].close) }
        let session = calendar.session(on: date)
        let open = session?.openMinute ?? NYSECalendar.regularOpen, close = session?.closeMinute ?? NYSECalendar.regularClose
        if minute < open { return i > 0 ? log(bars[i - 1].close) : log(bars[i].open) }
        let seconds = Double(minute - open) * 60 + Double(ns % 60_000_000_000) / 1e9
        let f = min(1, seconds / Double((close - open) * 60)) * Double(Self.points - 1)
        let k = min(Int(f), Self.points - 2)
        return path[i][k] + (path[i][k + 1] - path[i][k]) * (f - Double(k))
    }

    public func logReturn(from a: Int64, to b: Int64) -> Double { logPrice(at: b) - logPrice(at: a) }

    /// Open → first extreme → second extreme → close, bridged and clamped to [low, high].
    static func bridge(_ bar: DailyBar, seed: UInt64) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        let n = points - 1
        let (o, h, l, c) = (log(bar.open), log(bar.high), log(bar.low), log(bar.close))
        // A day that closes up more often made its low first.
        let lowFirst = rng.uniform() < (c >= o ? 0.65 : 0.35)
        var t1 = 1 + Int(rng.uniform() * Double(n - 3)), t2 = 1 + Int(rng.uniform() * Double(n - 3))
        if t1 == t2 { t2 += 1 }
        if t1 > t2 { swap(&t1, &t2) }
        let anchors = [(0, o), (t1, lowFirst ? l : h), (t2, lowFirst ? h : l), (n, c)]
        let sigma = 0.2 * (h - l) / Double(n).squareRoot()
        var result = [Double](repeating: o, count: points)
        for (a, b) in zip(anchors, anchors.dropFirst()) {
            let steps = b.0 - a.0
            guard steps > 0 else { continue }
            var walk = [0.0]
            for _ in 0..<steps { walk.append(walk[walk.count - 1] + sigma * rng.gaussian()) }
            for k in 0...steps {
                let f = Double(k) / Double(steps)
                result[a.0 + k] = min(h, max(l, a.1 + (b.1 - a.1) * f + walk[k] - f * walk[steps]))
            }
        }
        return result
    }
}
