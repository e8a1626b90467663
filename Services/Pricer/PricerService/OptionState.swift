import Messages
import Quant

/// A side of a quote whose IV the pricer computes.
enum QuoteSide: String, Sendable { case bid, ask, mid }

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
        guard let sides = volatilitySides() else { return }
        setVolatilities(sides.map { side in
            (side.side, side.price > 0 ? Result { try model.impliedVolatility(price: side.price, inputs) } : nil)
        })
    }

    /// The sides whose IVs the quote asks for (bid, ask, and mid when two-sided), with their
    /// prices; nil, with the note set, when it gives none at all. Clears the last IVs.
    mutating func volatilitySides() -> [(side: QuoteSide, price: Double)]? {
        (bidIV, midIV, askIV, note) = (nil, nil, nil, "")
        guard !stale else { note = "stale quote"; return nil }
        guard bid.isFinite, ask.isFinite, bid >= 0, ask >= 0 else { note = "bad quote"; return nil }
        if bid > 0 && ask > 0 && bid > ask { note = "crossed quote"; return nil }
        var sides: [(side: QuoteSide, price: Double)] = [(.bid, bid), (.ask, ask)]
        if bid > 0 && ask > 0 { sides.append((.mid, 0.5 * (bid + ask))) }
        return sides
    }

    /// The IVs solved for ``volatilitySides()``, in its order: nil for a side with no price.
    mutating func setVolatilities(_ solved: [(side: QuoteSide, iv: Result<Double, any Error>?)]) {
        var notes: [String] = []
        for (side, result) in solved {
            var iv: Double?
            switch result {
            case nil: notes.append("no \(side.rawValue)")
            case let .success(v)?: iv = v
            case let .failure(error)?: notes.append("\(side.rawValue): \(error)")
            }
            switch side {
            case .bid: bidIV = iv
            case .ask: askIV = iv
            case .mid: midIV = iv
            }
        }
        note = notes.joined(separator: "; ")
    }
}
