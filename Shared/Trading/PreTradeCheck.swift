/// What the pre-trade check needs to know of one intent, in plain numbers.
public struct IntentFacts: Sendable, Equatable {
    public enum Purpose: Sendable { case open, close, adjust }
    public var purpose: Purpose
    public var quantity: Int64
    public var underlying: String
    /// The instrument's key in the portfolio ("SPY 2026-12-18 P 550" or "SPY").
    public var instrument: String
    /// Delta-adjusted exposure one unit of the order adds at most: |Δ| × multiplier × underlying price.
    public var exposurePerUnit: Double
    /// The signed delta dollars one unit moves the underlying's net by (a sold call, a bought
    /// put: negative); nil when a leg's delta is unknown, and then the order counts at its most.
    public var deltaDollarsPerUnit: Double?
    public var hasPrice: Bool

    public init(purpose: Purpose, quantity: Int64, underlying: String, instrument: String, exposurePerUnit: Double,
                deltaDollarsPerUnit: Double? = nil, hasPrice: Bool = true) {
        self.purpose = purpose
        self.quantity = quantity
        self.underlying = underlying
        self.instrument = instrument
        self.exposurePerUnit = exposurePerUnit
        self.deltaDollarsPerUnit = deltaDollarsPerUnit
        self.hasPrice = hasPrice
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

    /// The underlying's exposure after the order: its net delta moved by the order's signed
    /// delta when both are known, else the order's whole exposure added (the cautious side).
    public func exposure(after intent: IntentFacts) -> Double {
        let q = Double(intent.quantity)
        if let net = deltaDollarsByUnderlying[intent.underlying], let perUnit = intent.deltaDollarsPerUnit {
            return abs(net + q * perUnit)
        }
        return (exposureByUnderlying[intent.underlying] ?? 0) + q * intent.exposurePerUnit
    }
}

public struct RiskRejection: Error, Sendable, Equatable {
    public var reason: RiskReason
    public var detail: String
}

/// The pre-trade check: the first limit an intent breaks, or nil when it passes them all.
///
/// Closing orders pass everything but a malformed intent: exits must get out in a halt, a loss
/// limit, a VIX spike or a burst of orders, because those are exactly when they matter. New risk
/// (OPEN) and adjustments meet every limit; REDUCING still lets adjustments through. The exposure
/// limits stop an order only if it grows the exposure they measure: an order that nets a
/// position down passes them even in a book already over them, since it is the way back under.
public enum PreTradeCheck {
    public static func evaluate(_ intent: IntentFacts, portfolio p: PortfolioFacts, limits: RiskLimits,
                                killSwitch: KillSwitch) -> RiskRejection? {
        func reject(_ reason: RiskReason, _ detail: String) -> RiskRejection { RiskRejection(reason: reason, detail: detail) }
        guard intent.quantity > 0 else { return reject(.invalidIntent, "quantity \(intent.quantity) is not positive") }
        guard intent.exposurePerUnit.isFinite, intent.exposurePerUnit >= 0 else {
            return reject(.invalidIntent, "exposure \(intent.exposurePerUnit) is not a number")
        }
        if intent.purpose == .close { return nil }

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

    /// The exposure limits, for an order that grows its underlying's exposure.
    static func exposureRejection(_ intent: IntentFacts, portfolio p: PortfolioFacts, limits: RiskLimits) -> RiskRejection? {
        let underlyingBefore = p.exposureByUnderlying[intent.underlying] ?? 0
        let underlyingAfter = p.exposure(after: intent)
        guard underlyingAfter > underlyingBefore else { return nil }
        if limits.maxPositionShare > 0, p.netLiquidation > 0, underlyingAfter / p.netLiquidation > limits.maxPositionShare {
            return RiskRejection(reason: .maxPositionShare, detail: "\(intent.underlying) exposure \(money(underlyingAfter)) is \(percent(underlyingAfter / p.netLiquidation)) of net liquidation, limit \(percent(limits.maxPositionShare))")
        }
        let grossAfter = p.grossExposure - underlyingBefore + underlyingAfter
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
