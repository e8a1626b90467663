import Foundation
import Quant

/// Quotes an option the way a market maker's screen would look: a smile whose downside skew
/// steepens as the index's variance rises, spreads wider far from the money and near expiry,
/// prices on the exchange's tick, and sizes thinning in the wings.
public struct SmileQuoter: Sendable, Equatable {
    /// Skew slope per standard deviation of moneyness at the long-run variance.
    public var skew = 0.12
    /// Smile curvature per squared standard deviation.
    public var curvature = 0.03

    public init() {}

    public struct Quote: Equatable, Sendable {
        public var bid: Double
        public var ask: Double
        public var bidSize: Int64
        public var askSize: Int64
        public var volatility: Double
        public var greeks: Quant.Greeks
    }

    /// The option's volatility: at-the-money `atm`, skewed by standardized moneyness
    /// x = ln(K/F)/(σ√T). `variance / longRunVariance` steepens the skew in a sell-off.
    public func volatility(strike: Double, forward: Double, years: Double, atm: Double,
                           varianceRatio: Double, skewScale: Double) -> Double {
        let x = log(strike / forward) / (atm * max(years, 1e-6).squareRoot())
        let slope = skew * skewScale * min(3, max(0.5, varianceRatio.squareRoot()))
        let clamped = min(4, max(-4, x))
        return atm * max(0.4, 1 - slope * clamped + curvature * clamped * clamped)
    }

    /// A two-sided quote around the model price.
    public func quote(_ kind: OptionKind, spot: Double, strike: Double, years: Double, rate: Double, dividend: Double,
                      volatility: Double, tick: (Double) -> Double, rng: inout SeededGenerator) -> Quote? {
        guard let g = try? BlackScholes.greeks(kind, spot: spot, strike: strike, time: max(years, 1e-6),
                                               rate: rate, dividend: dividend, volatility: volatility) else { return nil }
        let theo = max(g.price, 0)
        let moneyness = abs(log(strike / spot)) / (volatility * max(years, 1e-4).squareRoot())
        let days = years * 365
        let pct = 0.012 * (1 + 0.4 * min(moneyness, 5)) * (1 + 2 / (days + 1))
        let t = tick(theo)
        let half = min(max(t, theo * pct), max(5 * t, 0.08 * theo))
        var bid = ((theo - half) / t).rounded(.down) * t
        var ask = ((theo + half) / t).rounded(.up) * t
        if bid < t { bid = 0 }
        if ask <= bid { ask = bid + t }
        bid = (bid * 100).rounded() / 100
        ask = (ask * 100).rounded() / 100
        let depth = max(1, Int64(60 / (1 + moneyness * moneyness)))
        return Quote(bid: bid, ask: ask,
                     bidSize: bid > 0 ? 1 + Int64(rng.next() % UInt64(depth)) : 0,
                     askSize: 1 + Int64(rng.next() % UInt64(depth)),
                     volatility: volatility, greeks: g)
    }
}
