import Messages
import Quant

/// What the pricer knows of one option: its latest quote, the broker's greeks, and the IVs
/// computed from that quote. IVs are nil where none exists (no bid, a price below intrinsic).
struct OptionState: Sendable {
    let contract: Volta_V1_OptionContract
    let kind: OptionKind
    let strike: Double
    var bid = 0.0
    var ask = 0.0
    var stale = false
    var quoteTimeNs: Int64 = 0
    var broker: Volta_V1_Greeks?
    var bidIV: Double?
    var midIV: Double?
    var askIV: Double?
    /// Why an IV is missing, for the operator.
    var note = ""
    /// The last analytics computed (published or not): the sticky-strike volatility of price-at.
    var analytics: Volta_V1_OptionAnalytics?

    init?(_ contract: Volta_V1_OptionContract) {
        guard contract.right == .call || contract.right == .put, contract.strikeMicros > 0 else { return nil }
        self.contract = contract
        kind = contract.right == .call ? .call : .put
        strike = Double(contract.strikeMicros) / 1e6
    }

    mutating func update(_ quote: Volta_V1_OptionQuote, at timeNs: Int64) {
        bid = quote.bid
        ask = quote.ask
        stale = quote.stale
        quoteTimeNs = timeNs
        broker = quote.hasGreeks ? quote.greeks : nil
    }

    /// The bid, mid and ask IVs of the current quote under `model`, given the rest of the market
    /// in `inputs`. A side that has no IV leaves a note; a stale or crossed quote has none at all.
    mutating func computeVolatilities(_ inputs: OptionInputs, model: PricingModel) {
        (bidIV, midIV, askIV, note) = (nil, nil, nil, "")
        guard !stale else { note = "stale quote"; return }
        guard bid.isFinite, ask.isFinite, bid >= 0, ask >= 0 else { note = "bad quote"; return }
        if bid > 0 && ask > 0 && bid > ask { note = "crossed quote"; return }
        var notes: [String] = []
        func solve(_ price: Double, _ side: String) -> Double? {
            guard price > 0 else { notes.append("no \(side)"); return nil }
            do { return try model.impliedVolatility(price: price, inputs) } catch {
                notes.append("\(side): \(error)")
                return nil
            }
        }
        bidIV = solve(bid, "bid")
        askIV = solve(ask, "ask")
        if bid > 0 && ask > 0 { midIV = solve(0.5 * (bid + ask), "mid") }
        note = notes.joined(separator: "; ")
    }
}
