/// The limit price of an exit: inside the spread, bounded by the theo, never through the touch.
///
/// For a sell: start at `bid + p × (ask − bid)`, clamp into `[theo × (1 − s), theo]`, and never
/// below the bid. A buy mirrors it: `ask − p × (ask − bid)`, clamped into `[theo, theo × (1 + s)]`,
/// never above the ask. When the theo lies outside the spread the touch wins: the seed's worked
/// example sells at 2.95 under a 3.50 bid, which its own rule forbids.
public struct SmartLimit: Sendable, Equatable {
    /// How far into the spread the first limit goes (0: at our own side's touch, 1: the far touch).
    public var participation: Double
    /// How far from the theo a limit may be, as a fraction of it.
    public var slippage: Double
    public var maxReprices: Int

    public init(participation: Double = 0.5, slippage: Double = 0.03, maxReprices: Int = 5) {
        self.participation = participation
        self.slippage = slippage
        self.maxReprices = maxReprices
    }

    /// The limit after `reprice` reprices (0 for the first order): each reprice moves the
    /// participation a step toward the far side (the bid for a sell), reaching it at `maxReprices`.
    /// Nil when the touch is unusable (no bid to sell into, a crossed or empty book, no theo).
    public func price(sell: Bool, bid: Double, ask: Double, theo: Double, reprice: Int = 0) -> Double? {
        guard bid.isFinite, ask.isFinite, theo.isFinite, theo > 0, ask >= bid, bid >= 0 else { return nil }
        if sell && bid <= 0 { return nil }
        let steps = Swift.max(maxReprices, 1)
        let p = participation * Double(Swift.max(steps - Swift.min(reprice, steps), 0)) / Double(steps)
        let spread = ask - bid
        if sell {
            let start = bid + p * spread
            return Swift.max(Swift.min(Swift.max(start, theo * (1 - slippage)), theo), bid)
        }
        let start = ask - p * spread
        return Swift.min(Swift.max(Swift.min(start, theo * (1 + slippage)), theo), ask)
    }

    /// A limit that crosses the spread now, with the allowed slippage as a collar beyond the far
    /// touch (bid × (1 − s) for a sell), so a market moving while the order travels still fills it.
    public func marketable(sell: Bool, bid: Double, ask: Double, tickMicros: Int64) -> Int64 {
        sell ? Self.onTick(bid * (1 - slippage), tickMicros: tickMicros, sell: false)
             : Self.onTick(ask * (1 + slippage), tickMicros: tickMicros, sell: true)
    }

    /// `price` on the tick grid in exact micros, rounded toward the passive side (up for a sell,
    /// down for a buy): it never crosses the touch, which is on the grid itself.
    public static func onTick(_ price: Double, tickMicros: Int64, sell: Bool) -> Int64 {
        let micros = (price * 1_000_000).rounded()
        let ticks = micros / Double(tickMicros)
        // 1e-9 tick of tolerance: 3.65 arrives as 3.6499999999 and must stay 3.65.
        let whole = sell ? (ticks - 1e-9).rounded(.up) : (ticks + 1e-9).rounded(.down)
        return Int64(whole) * tickMicros
    }
}
