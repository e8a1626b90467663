extension Volta_V1_OrderIntent {
    /// The intent as an operator reads it before confirming it: side, quantity, contract, order
    /// type and price, algo. `SELL 1 SPY 2027-03-05 P 540 LIMIT 3.20 adaptive normal`; a combo
    /// names each leg (`BUY 1 … / SELL 1 …`) with its net price.
    public var operatorSummary: String {
        let legs = self.legs.map { leg in
            "\(leg.side == .sell ? "SELL" : "BUY") \(quantity * Int64(max(leg.ratio, 1))) \(leg.instrument.displayName)"
        }.joined(separator: " / ")
        var words = [legs.isEmpty ? "no legs" : legs]
        switch orderType {
        case .market: words.append("MARKET")
        case .limit:
            words.append(limitPriceMicros != 0 ? "LIMIT \(Self.price(limitPriceMicros))" : "LIMIT (smart)")
        case .stop: words.append("STOP \(Self.price(stopPriceMicros))")
        case .stopLimit: words.append("STOP \(Self.price(stopPriceMicros)) LIMIT \(Self.price(limitPriceMicros))")
        case .trailingStop:
            words.append(trailAmountMicros != 0 ? "TRAIL \(Self.price(trailAmountMicros))" : "TRAIL \(trailPercent)%")
        default: break
        }
        if !algo.isEmpty { words.append(algoPriority.isEmpty ? algo : "\(algo) \(algoPriority)") }
        if hasBracket { words.append("with exits") }
        return words.joined(separator: " ")
    }

    /// Micros as a price with two decimals at least (a sub-cent tick keeps its digits).
    static func price(_ micros: Int64) -> String {
        let cents = micros / 10_000, rest = micros % 10_000
        let sign = micros < 0 ? "-" : ""
        let whole = "\(abs(cents) / 100).\(String(abs(cents) % 100).leftPadded(to: 2))"
        return rest == 0 ? sign + whole : sign + "\(Double(abs(micros)) / 1_000_000)"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
