/// Reg-T style requirements, as a broker's options account applies them: half the value of
/// shares; for a short option its premium plus 20% of the underlying (15% for a broad index)
/// less the amount out of the money, at least 10% of the underlying (calls) or of the strike
/// (puts). Short calls covered by shares held need nothing more. Bought options are paid in full.
public enum RegTMargin {
    public static func requirement(_ positions: [InstrumentKey: SimAccount.Holding], mark: (InstrumentKey) -> Double?,
                                   spot: (String) -> Double?, isIndex: (String) -> Bool) -> Double {
        var total = 0.0
        var sharesFree: [String: Int64] = [:]
        for (key, h) in positions { if case .underlying(let s) = key, h.quantity > 0 { sharesFree[s] = h.quantity } }
        for (key, h) in positions.sorted(by: { $0.key < $1.key }) where h.quantity != 0 {
            switch key {
            case .underlying:
                total += 0.5 * Double(abs(h.quantity)) * (mark(key) ?? Money.value(h.averageCostMicros))
            case .option(let o):
                guard h.quantity < 0, let s = spot(o.underlying) else { continue }
                var naked = -h.quantity
                if o.right == .call {
                    let covered = min(naked, (sharesFree[o.underlying] ?? 0) / 100)
                    sharesFree[o.underlying, default: 0] -= covered * 100
                    naked -= covered
                }
                let premium = mark(key) ?? 0
                let k = o.strike
                let outOfMoney = o.right == .call ? max(0, k - s) : max(0, s - k)
                let rate = isIndex(o.underlying) ? 0.15 : 0.20
                let floor = 0.10 * (o.right == .call ? s : k)
                total += Double(naked) * 100 * (premium + max(rate * s - outOfMoney, floor))
            }
        }
        return total
    }
}

extension SimAccount {
    /// Net liquidation at the market's mids and the Reg-T requirement: buying-power checks and
    /// the published account values both derive from these two.
    public func valuation(in market: some MarketView) -> (netLiquidation: Double, requirement: Double) {
        let mark = { (k: InstrumentKey) in market.touch(of: k)?.mid }
        return (netLiquidation(mark: mark),
                RegTMargin.requirement(holdings, mark: mark, spot: { market.price(of: $0) }, isIndex: { market.isIndex($0) }))
    }
}
