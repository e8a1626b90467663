import Foundation
import Market

/// Realized volatility, average true range and beta from daily bars: the inputs of
/// volatility-aware stops and of dispersion.
public enum MarketStatistics {
    /// Annualized close-to-close volatility of the last `days` returns (252 trading days a year).
    public static func realizedVolatility(_ bars: [DailyBar], days: Int = 20) -> Double? {
        let closes = bars.suffix(days + 1).map(\.close)
        guard closes.count == days + 1 else { return nil }
        let r = zip(closes.dropFirst(), closes).map { log($0 / $1) }
        let mean = r.reduce(0, +) / Double(r.count)
        let variance = r.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(r.count - 1)
        return (variance * 252).squareRoot()
    }

    /// Wilder's average true range over `days`: the first value a simple mean, then smoothed.
    public static func averageTrueRange(_ bars: [DailyBar], days: Int = 14) -> Double? {
        guard bars.count > days else { return nil }
        let tr = zip(bars.dropFirst(), bars).map { b, prev in max(b.high - b.low, abs(b.high - prev.close), abs(b.low - prev.close)) }
        var atr = tr.prefix(days).reduce(0, +) / Double(days)
        for x in tr.dropFirst(days) { atr = (atr * Double(days - 1) + x) / Double(days) }
        return atr
    }

    /// The regression beta of `stock`'s daily log returns on `index`'s, over the dates both have.
    public static func beta(_ stock: [DailyBar], to index: [DailyBar]) -> Double? {
        let indexClose = Dictionary(index.map { ($0.date, $0.close) }, uniquingKeysWith: { a, _ in a })
        let pairs = stock.compactMap { b in indexClose[b.date].map { (b.close, $0) } }
        guard pairs.count >= 20 else { return nil }
        let r = zip(pairs.dropFirst(), pairs).map { (log($0.0 / $1.0), log($0.1 / $1.1)) }
        let mx = r.map(\.1).reduce(0, +) / Double(r.count), my = r.map(\.0).reduce(0, +) / Double(r.count)
        let cov = r.reduce(0) { $0 + ($1.1 - mx) * ($1.0 - my) }
        let varX = r.reduce(0) { $0 + ($1.1 - mx) * ($1.1 - mx) }
        return varX > 0 ? cov / varX : nil
    }
}
