import Foundation

/// The daily volatility of the index that sizes every stop, and where it came from.
public struct IndexVolatility: Sendable, Equatable {
    public var daily: Double
    public var source: Source
    public enum Source: String, Sendable { case vix, atr }

    public init(daily: Double, source: Source) {
        self.daily = daily
        self.source = source
    }

    /// VIX / 100 / √252 when the VIX is known; else the index's 14-day ATR over its price
    /// (already a daily fraction); nil when neither is (no stop is sized on a guess).
    public static func from(vix: Double?, atr: Double?, indexPrice: Double?) -> IndexVolatility? {
        if let vix, vix.isFinite, vix > 0 { return IndexVolatility(daily: vix / 100 / sqrt(252), source: .vix) }
        if let atr, let indexPrice, atr.isFinite, indexPrice.isFinite, atr > 0, indexPrice > 0 {
            return IndexVolatility(daily: atr / indexPrice, source: .atr)
        }
        return nil
    }
}

public enum StopSizing {
    /// The trail as a fraction of the underlying: `clamp(k × |β| × σ_index × m(DTE), min, max)`.
    /// A negative beta (gold) still moves the stock, so its size counts, not its sign.
    public static func trail(beta: Double, sigma: IndexVolatility, daysToExpiry: Int, profile: StopProfile) -> Double {
        let raw = profile.k * abs(beta) * sigma.daily * profile.dte.multiplier(daysToExpiry: daysToExpiry)
        return min(max(raw, profile.minTrail), profile.maxTrail)
    }
}
