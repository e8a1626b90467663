/// One underlying's share of an intent: a combo across underlyings is charged to each of them.
public struct UnderlyingShare: Sendable, Equatable {
    public var underlying: String
    /// Delta-adjusted exposure one unit of the order adds at most on this underlying:
    /// Σ |Δ| × multiplier × underlying price over its legs.
    public var exposurePerUnit: Double
    /// The signed delta dollars one unit moves this underlying's net by (a sold call, a bought
    /// put: negative); nil when a leg's delta is unknown, and then the order counts at its most.
    public var deltaDollarsPerUnit: Double?

    public init(underlying: String, exposurePerUnit: Double, deltaDollarsPerUnit: Double? = nil) {
        self.underlying = underlying
        self.exposurePerUnit = exposurePerUnit
        self.deltaDollarsPerUnit = deltaDollarsPerUnit
    }
}

/// One leg of an intent against what the account holds of that instrument: what a close is
/// checked against, instead of taking the intent's word that it closes.
public struct LegHolding: Sendable, Equatable {
    public var instrument: String
    /// Signed units one unit of the intent moves the position by (a sold leg: minus its ratio).
    public var perUnit: Int64
    /// Signed units held now (short: negative).
    public var held: Int64

    public init(instrument: String, perUnit: Int64, held: Int64) {
        self.instrument = instrument
        self.perUnit = perUnit
        self.held = held
    }

    /// True when `quantity` units of the intent move this position toward zero without passing it.
    public func reduces(quantity: Int64) -> Bool {
        let change = perUnit * quantity
        return held != 0 && change != 0 && (change > 0) != (held > 0) && abs(change) <= abs(held)
    }
}

/// What the pre-trade check needs to know of one intent, in plain numbers.
public struct IntentFacts: Sendable, Equatable {
    public enum Purpose: Sendable { case open, close, adjust }
    public var purpose: Purpose
    public var quantity: Int64
    /// The instrument's key in the portfolio ("SPY 2026-12-18 P 550" or "SPY"): the first leg's.
    public var instrument: String
    /// One entry per underlying the legs touch; never empty.
    public var shares: [UnderlyingShare]
    /// Each leg against the account's holding of it (used for closes).
    public var legs: [LegHolding]
    public var hasPrice: Bool

    public init(purpose: Purpose, quantity: Int64, instrument: String, shares: [UnderlyingShare],
                legs: [LegHolding] = [], hasPrice: Bool = true) {
        self.purpose = purpose
        self.quantity = quantity
        self.instrument = instrument
        self.shares = shares.isEmpty ? [UnderlyingShare(underlying: "", exposurePerUnit: 0)] : shares
        self.legs = legs
        self.hasPrice = hasPrice
    }

    /// An intent on one underlying.
    public init(purpose: Purpose, quantity: Int64, underlying: String, instrument: String, exposurePerUnit: Double,
                deltaDollarsPerUnit: Double? = nil, legs: [LegHolding] = [], hasPrice: Bool = true) {
        self.init(purpose: purpose, quantity: quantity, instrument: instrument,
                  shares: [UnderlyingShare(underlying: underlying, exposurePerUnit: exposurePerUnit, deltaDollarsPerUnit: deltaDollarsPerUnit)],
                  legs: legs, hasPrice: hasPrice)
    }

    /// The first underlying's share, for an intent on one underlying.
    public var underlying: String {
        get { shares[0].underlying }
        set { shares[0].underlying = newValue }
    }
    public var exposurePerUnit: Double {
        get { shares[0].exposurePerUnit }
        set { shares[0].exposurePerUnit = newValue }
    }
    public var deltaDollarsPerUnit: Double? {
        get { shares[0].deltaDollarsPerUnit }
        set { shares[0].deltaDollarsPerUnit = newValue }
    }
}

/// The portfolio as the risk service sees it when an intent arrives.
public struct PortfolioFacts: Sendable, Equatable {
    public var netLiquidation: Double
    public var dayStartNetLiquidation: Double
    /// Delta-adjusted exposure per underlying: |net delta dollars|.
    public var exposureByUnderlying: [String: Double]
    /// Net delta dollars per underlying, signed; where one is missing, exposure only grows.
    public var deltaDollarsByUnderlying: [String: Double]
    public var openInstruments: Set<String>
    public var vix: Double?
    public var ordersLastMinute: Int

    public init(netLiquidation: Double, dayStartNetLiquidation: Double, exposureByUnderlying: [String: Double] = [:],
                deltaDollarsByUnderlying: [String: Double] = [:],
                openInstruments: Set<String> = [], vix: Double? = nil, ordersLastMinute: Int = 0) {
        self.netLiquidation = netLiquidation
        self.dayStartNetLiquidation = dayStartNetLiquidation
        self.exposureByUnderlying = exposureByUnderlying
        self.deltaDollarsByUnderlying = deltaDollarsByUnderlying
        self.openInstruments = openInstruments
        self.vix = vix
        self.ordersLastMinute = ordersLastMinute
    }

    public var grossExposure: Double { exposureByUnderlying.values.reduce(0, +) }
    public var dayPnL: Double { netLiquidation - dayStartNetLiquidation }

    /// An underlying's exposure after `quantity` units of the order: its net delta moved by the
    /// order's signed delta when both are known, else the order's whole exposure added (the
    /// cautious side).
    public func exposure(after share: UnderlyingShare, quantity: Int64) -> Double {
        let q = Double(quantity)
        if let net = deltaDollarsByUnderlying[share.underlying], let perUnit = share.deltaDollarsPerUnit {
            return abs(net + q * perUnit)
        }
        return (exposureByUnderlying[share.underlying] ?? 0) + q * share.exposurePerUnit
    }
}

public struct RiskRejection: Error, Sendable, Equatable {
    public var reason: RiskReason
    public var detail: String
}

/// The pre-trade check: the first limit an intent breaks, or nil when it passes them all.
///
/// Closing orders pass every limit: exits must get out in a halt, a loss limit, a VIX spike or a
/// burst of orders, because those are exactly when they matter. That pass is not taken on the
/// intent's word: every leg of a close must reduce a position the account holds, by no more
/// than is held; a "close" that would open or flip a position is refused as such. New risk
/// (OPEN) and adjustments meet every limit; REDUCING still lets adjustments through. The exposure
/// limits stop an order only if it grows the exposure they measure: an order that nets a
/// position down passes them even in a book already over them, since it is the way back under.
public enum PreTradeCheck {
    public static func evaluate(_ intent: IntentFacts, portfolio p: PortfolioFacts, limits: RiskLimits,
                                killSwitch: KillSwitch) -> RiskRejection? {
        func reject(_ reason: RiskReason, _ detail: String) -> RiskRejection { RiskRejection(reason: reason, detail: detail) }
        guard intent.quantity > 0 else { return reject(.invalidIntent, "quantity \(intent.quantity) is not positive") }
        for share in intent.shares where !(share.exposurePerUnit.isFinite && share.exposurePerUnit >= 0) {
            return reject(.invalidIntent, "exposure \(share.exposurePerUnit) on \(share.underlying) is not a number")
        }
        if intent.purpose == .close { return closeRejection(intent) }

        switch killSwitch {
        case .halted: return reject(.killSwitchHalted, "the kill switch is HALTED: only exits and cancels pass")
        case .reducing where intent.purpose == .open: return reject(.killSwitchReducing, "the kill switch is REDUCING: no new risk")
        default: break
        }
        if limits.maxOrdersPerMinute > 0, p.ordersLastMinute >= limits.maxOrdersPerMinute {
            return reject(.orderRateLimit, "\(p.ordersLastMinute) orders in the last minute, limit \(limits.maxOrdersPerMinute)")
        }
        if limits.maxOrderQuantity > 0, intent.quantity > limits.maxOrderQuantity {
            return reject(.maxOrderSize, "quantity \(intent.quantity) over \(limits.maxOrderQuantity)")
        }
        guard intent.hasPrice else { return reject(.noMarketData, "no price for \(intent.instrument): exposure unknown") }
        if limits.minAccountBalance > 0, p.netLiquidation < limits.minAccountBalance {
            return reject(.minAccountBalance, "net liquidation \(money(p.netLiquidation)) under \(money(limits.minAccountBalance))")
        }
        if limits.maxDailyLoss > 0, -p.dayPnL >= limits.maxDailyLoss {
            return reject(.maxDailyLoss, "day P&L \(money(p.dayPnL)), limit −\(money(limits.maxDailyLoss))")
        }
        if let vix = p.vix, limits.vixCircuitBreaker > 0, vix >= limits.vixCircuitBreaker {
            return reject(.vixCircuitBreaker, "VIX \(vix) at or over \(limits.vixCircuitBreaker)")
        }
        if limits.maxOpenPositions > 0, !p.openInstruments.contains(intent.instrument),
           p.openInstruments.count >= limits.maxOpenPositions {
            return reject(.maxOpenPositions, "\(p.openInstruments.count) positions open, limit \(limits.maxOpenPositions)")
        }
        return exposureRejection(intent, portfolio: p, limits: limits)
    }

    /// A close that does not reduce what is held on every leg.
    static func closeRejection(_ intent: IntentFacts) -> RiskRejection? {
        guard !intent.legs.isEmpty else {
            return RiskRejection(reason: .closeWouldOpen, detail: "a close must name the positions it reduces")
        }
        for leg in intent.legs where !leg.reduces(quantity: intent.quantity) {
            let change = leg.perUnit * intent.quantity
            let what = leg.held == 0 ? "no position is held" : "\(leg.held) held"
            return RiskRejection(reason: .closeWouldOpen,
                                 detail: "\(leg.instrument): a close of \(change > 0 ? "+" : "")\(change) where \(what) would open or flip a position")
        }
        return nil
    }

    /// The exposure limits, for an order that grows the exposure they measure: each underlying
    /// the legs touch against its own share, and the whole book against the gross and leverage.
    static func exposureRejection(_ intent: IntentFacts, portfolio p: PortfolioFacts, limits: RiskLimits) -> RiskRejection? {
        let grossBefore = p.grossExposure
        var grossAfter = grossBefore
        for share in intent.shares {
            let before = p.exposureByUnderlying[share.underlying] ?? 0
            let after = p.exposure(after: share, quantity: intent.quantity)
            grossAfter += after - before
            if after > before, limits.maxPositionShare > 0, p.netLiquidation > 0, after / p.netLiquidation > limits.maxPositionShare {
                return RiskRejection(reason: .maxPositionShare, detail: "\(share.underlying) exposure \(money(after)) is \(percent(after / p.netLiquidation)) of net liquidation, limit \(percent(limits.maxPositionShare))")
            }
        }
        guard grossAfter > grossBefore else { return nil }
        if limits.maxGrossExposure > 0, grossAfter > limits.capital * limits.maxGrossExposure {
            return RiskRejection(reason: .maxGrossExposure, detail: "gross exposure \(money(grossAfter)) over \(limits.maxGrossExposure) × capital \(money(limits.capital))")
        }
        if limits.maxLeverage > 0, p.netLiquidation > 0, grossAfter / p.netLiquidation > limits.maxLeverage {
            return RiskRejection(reason: .maxLeverage, detail: "leverage \(grossAfter / p.netLiquidation) over \(limits.maxLeverage)")
        }
        return nil
    }

    static func money(_ x: Double) -> String { "$" + String(Int64(x.rounded())) }
    static func percent(_ x: Double) -> String { "\(((x * 1000).rounded()) / 10)%" }
}
