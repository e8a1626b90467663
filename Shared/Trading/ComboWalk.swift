/// Walk-the-book for a combo: the first net limit at the mid, then one tick at a time toward
/// the far side, never further from the mid than the maximum slippage.
public struct ComboWalk: Sendable, Equatable {
    public var maxSlippageTicks: Int

    public init(maxSlippageTicks: Int = 10) { self.maxSlippageTicks = maxSlippageTicks }

    /// The net limit in micros at `step` (0 first). Buying a combo walks up from the mid,
    /// selling walks down. The mid is put on the tick grid toward the passive side first.
    public func limit(netBid: Double, netAsk: Double, tickMicros: Int64, buy: Bool, step: Int) -> Int64? {
        guard netBid.isFinite, netAsk.isFinite, netAsk >= netBid, tickMicros > 0 else { return nil }
        let mid = SmartLimit.onTick((netBid + netAsk) / 2, tickMicros: tickMicros, sell: !buy)
        let steps = Int64(Swift.min(Swift.max(step, 0), maxSlippageTicks))
        return buy ? mid + steps * tickMicros : mid - steps * tickMicros
    }
}
