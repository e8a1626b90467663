/// A stop on the underlying that trails its best level since entry and only ever tightens.
///
/// Positions that gain when the underlying rises (long calls, short puts, long stock) keep the
/// stop `below` the high since entry; the others above the low. The stop is driven by the
/// underlying, never by the option's own quotes, which are too noisy to trigger on.
public struct TrailingStop: Sendable, Equatable {
    public let below: Bool
    public let entry: Double
    public private(set) var best: Double
    public private(set) var trail: Double
    public private(set) var level: Double

    public init(below: Bool, entry: Double, best: Double? = nil, trail: Double, level: Double? = nil) {
        self.below = below
        self.entry = entry
        self.trail = trail
        let start = best.map { below ? Swift.max($0, entry) : Swift.min($0, entry) } ?? entry
        self.best = start
        let fresh = Self.level(below: below, best: start, trail: trail)
        self.level = level.map { below ? Swift.max($0, fresh) : Swift.min($0, fresh) } ?? fresh
    }

    /// Whether the position gains when the underlying rises: long calls and short puts (and long
    /// shares) do; long puts and short calls do not.
    public static func gainsWhenUnderlyingRises(quantity: Int64, isPut: Bool?) -> Bool {
        let longExposure = isPut == true ? false : true
        return (quantity > 0) == longExposure
    }

    static func level(below: Bool, best: Double, trail: Double) -> Double {
        below ? best * (1 - trail) : best * (1 + trail)
    }

    /// A new underlying price: a better level moves the stop with it; a worse one leaves it.
    public mutating func observe(_ price: Double) {
        guard price.isFinite, price > 0 else { return }
        if below ? price > best : price < best { best = price }
        tighten(to: Self.level(below: below, best: best, trail: trail))
    }

    /// A new trail size (the VIX or the days to expiry changed). The level still only tightens:
    /// a wider trail takes effect from the next new best level, never by loosening this one.
    public mutating func resize(trail newTrail: Double) {
        trail = newTrail
        tighten(to: Self.level(below: below, best: best, trail: trail))
    }

    private mutating func tighten(to candidate: Double) {
        level = below ? Swift.max(level, candidate) : Swift.min(level, candidate)
    }

    /// The underlying has reached the stop.
    public func isCrossed(by price: Double) -> Bool { below ? price <= level : price >= level }
}
