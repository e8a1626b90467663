import Foundation

/// The tearsheet's numbers, with the conventions of the `empyrical` library so that a trader can
/// check them against it (a test does, on the same file): daily simple returns between the closes
/// of equity.csv, 252 periods a year, a risk-free rate of 0, Sortino's downside deviation against
/// 0, max drawdown a negative fraction, VaR and CVaR historical at 95% as (negative) daily returns,
/// percentiles interpolated linearly as numpy does. The trade statistics come from the round trips.
public struct PerformanceMetrics: Sendable, Equatable {
    public var values: [(key: String, value: Double)]

    public static func == (a: Self, b: Self) -> Bool { a.values.map(\.key) == b.values.map(\.key) && a.values.map(\.value) == b.values.map(\.value) }

    public subscript(_ key: String) -> Double? { values.first { $0.key == key }?.value }

    static let periods = 252.0

    /// Every metric's key, in metrics.json's order.
    public static let keys = PerformanceMetrics(equity: [], trips: [], exposedDays: 0, traded: 0, commissions: 0).values.map(\.key)

    /// - Parameters:
    ///   - equity: the closes, in order.
    ///   - trips: closed round trips (pnl after commissions); open ones are left out.
    ///   - exposedDays: sessions that ended with a position.
    ///   - traded: Σ |price × quantity × multiplier| of every fill; `commissions` their total.
    public init(equity: [Double], trips: [RoundTrip], exposedDays: Int, traded: Double, commissions: Double) {
        let r = Self.returns(equity)
        let n = Double(r.count)
        let total = (equity.last ?? 0) / (equity.first ?? 1) - 1
        let years = n / Self.periods
        let cagr = years > 0 ? pow(1 + total, 1 / years) - 1 : .nan
        let mean = Self.mean(r)
        let sd = Self.std(r)
        let downside = (Self.mean(r.map { min($0, 0) * min($0, 0) })).squareRoot() * Self.periods.squareRoot()
        let drawdown = Self.maxDrawdown(equity)
        let gains = r.filter { $0 > 0 }.reduce(0, +), losses = -r.filter { $0 < 0 }.reduce(0, +)
        let (p95, p5) = (Self.percentile(r, 95), Self.percentile(r, 5))
        let cut = max(0, Int((n - 1) * 0.05))
        let tail = r.sorted().prefix(cut + 1)
        let pnls = trips.map(\.pnl)
        let wins = pnls.filter { $0 > 0 }, lossesPnl = pnls.filter { $0 <= 0 }
        let meanEquity = equity.isEmpty ? 1 : equity.reduce(0, +) / Double(equity.count)
        values = [
            ("total_return", total),
            ("cagr", cagr),
            ("annual_volatility", sd * Self.periods.squareRoot()),
            ("sharpe", sd > 0 ? mean / sd * Self.periods.squareRoot() : .nan),
            ("sortino", downside > 0 ? mean * Self.periods / downside : .nan),
            ("max_drawdown", drawdown.fraction),
            ("max_drawdown_days", Double(drawdown.longestDays)),
            ("calmar", drawdown.fraction < 0 ? cagr / abs(drawdown.fraction) : .nan),
            ("omega", losses > 0 ? gains / losses : .nan),
            ("tail_ratio", p5 != 0 ? abs(p95) / abs(p5) : .nan),
            ("var_95", p5),
            ("cvar_95", tail.isEmpty ? .nan : tail.reduce(0, +) / Double(tail.count)),
            ("trades", Double(trips.count)),
            ("win_rate", trips.isEmpty ? .nan : Double(wins.count) / Double(trips.count)),
            ("profit_factor", lossesPnl.reduce(0, +) < 0 ? wins.reduce(0, +) / -lossesPnl.reduce(0, +) : .nan),
            ("expectancy", pnls.isEmpty ? .nan : pnls.reduce(0, +) / Double(pnls.count)),
            ("avg_win", wins.isEmpty ? .nan : wins.reduce(0, +) / Double(wins.count)),
            ("avg_loss", lossesPnl.isEmpty ? .nan : lossesPnl.reduce(0, +) / Double(lossesPnl.count)),
            ("exposure", equity.isEmpty ? .nan : Double(exposedDays) / Double(equity.count)),
            ("turnover", traded / meanEquity),
            ("commissions", commissions),
        ]
    }

    static func returns(_ equity: [Double]) -> [Double] {
        zip(equity, equity.dropFirst()).map { $1 / $0 - 1 }
    }

    static func mean(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }

    /// Sample standard deviation (ddof = 1), as empyrical's.
    static func std(_ x: [Double]) -> Double {
        guard x.count > 1 else { return .nan }
        let m = mean(x)
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
    }

    /// numpy's default percentile: linear between the closest ranks.
    static func percentile(_ x: [Double], _ p: Double) -> Double {
        guard !x.isEmpty else { return .nan }
        let s = x.sorted()
        let rank = p / 100 * Double(s.count - 1)
        let lo = Int(rank.rounded(.down)), hi = min(lo + 1, s.count - 1)
        return s[lo] + (s[hi] - s[lo]) * (rank - Double(lo))
    }

    /// The deepest fall from a running peak (a negative fraction, the first close included as
    /// empyrical's start of 100 is), and the longest stretch of sessions spent below a peak.
    static func maxDrawdown(_ equity: [Double]) -> (fraction: Double, longestDays: Int) {
        var peak = -Double.infinity, worst = 0.0, run = 0, longest = 0
        for e in equity {
            if e >= peak { peak = e; run = 0 } else { run += 1; longest = max(longest, run) }
            worst = min(worst, e / peak - 1)
        }
        return (worst, longest)
    }
}
