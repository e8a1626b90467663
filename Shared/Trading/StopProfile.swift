/// The parameters of one stop-manager instance. The three named profiles are the seed's
/// (paper, live-conservative, live-aggressive); any field can be overridden in configuration.
public struct StopProfile: Sendable, Equatable {
    public var name: String
    /// Scales beta × index volatility into a trail: below 1 tightens every stop, above 1 widens.
    public var k: Double
    /// The trail, as a fraction of the underlying's best level, never goes under `minTrail`
    /// (noise would stop out every position) nor over `maxTrail` (a stop that never fires).
    public var minTrail: Double
    public var maxTrail: Double
    public var dte: DTEMultipliers
    /// Underlyings managed: all when `allow` is empty, never those in `deny`.
    public var allow: Set<String>
    public var deny: Set<String>
    /// Positions smaller than this (in contracts, either sign) are left alone.
    public var minQuantity: Int64

    public init(name: String, k: Double, minTrail: Double, maxTrail: Double, dte: DTEMultipliers = DTEMultipliers(),
                allow: Set<String> = [], deny: Set<String> = [], minQuantity: Int64 = 1) {
        self.name = name
        self.k = k
        self.minTrail = minTrail
        self.maxTrail = maxTrail
        self.dte = dte
        self.allow = allow
        self.deny = deny
        self.minQuantity = minQuantity
    }

    public static let paper = StopProfile(name: "paper", k: 1.0, minTrail: 0.04, maxTrail: 0.40)
    public static let liveConservative = StopProfile(name: "live-conservative", k: 0.7, minTrail: 0.06, maxTrail: 0.40)
    public static let liveAggressive = StopProfile(name: "live-aggressive", k: 1.5, minTrail: 0.08, maxTrail: 0.40)
    public static let all = [paper, liveConservative, liveAggressive]

    public static func named(_ name: String) -> StopProfile? { all.first { $0.name == name } }

    /// Whether this instance manages positions on `underlying`.
    public func manages(_ underlying: String) -> Bool {
        !deny.contains(underlying) && (allow.isEmpty || allow.contains(underlying))
    }
}

/// Short-dated options have more gamma, so their stops sit wider: the seed's three bands.
public struct DTEMultipliers: Sendable, Equatable {
    public var above30: Double
    public var from7To30: Double
    public var under7: Double

    public init(above30: Double = 1.0, from7To30: Double = 1.5, under7: Double = 2.0) {
        self.above30 = above30
        self.from7To30 = from7To30
        self.under7 = under7
    }

    /// 1.0 above 30 calendar days to expiry, 1.5 from 7 to 30 inclusive, 2.0 below 7.
    public func multiplier(daysToExpiry days: Int) -> Double {
        if days > 30 { return above30 }
        if days >= 7 { return from7To30 }
        return under7
    }
}
