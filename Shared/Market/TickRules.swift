/// Minimum price increments. Index options trade in 0.05 under 3.00 and 0.10 above; the index
/// ETFs are in the penny program throughout; other options tick 0.01 under 3.00 and 0.05 above;
/// shares tick 0.01.
public enum TickRules {
    public static func optionTick(price: Double, isIndex: Bool, kind: UnderlyingParameters.Kind) -> Double {
        if isIndex { return price < 3 ? 0.05 : 0.10 }
        if kind == .etf { return 0.01 }
        return price < 3 ? 0.01 : 0.05
    }

    public static let shareTick = 0.01

    /// Whether `micros` is a whole number of ticks (exact, in micros).
    public static func isOnTick(_ micros: Int64, tick: Double) -> Bool {
        let tickMicros = Int64((tick * 1_000_000).rounded())
        return tickMicros > 0 && micros % tickMicros == 0
    }
}
