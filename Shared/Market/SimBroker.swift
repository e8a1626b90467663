import Foundation

/// The simulated broker: takes, modifies and cancels orders, works them against the simulated
/// market (`SimBroker+Matching`) and books fills to the account. A value type, stepped by its
/// owner like the market, so a test drives it deterministically.
public struct SimBroker: Sendable {
    struct Working: Sendable {
        var request: SimOrderRequest
        let brokerID: Int64
        var state: SimOrderState
        var filled: Int64 = 0
        /// Σ net price × quantity, for the average.
        var notionalMicros: Int64 = 0
        var activeAt: Int64
        var triggered = false
        var trailStopMicros: Int64?
        var adaptiveG: Double?
        var adaptiveStepAt: Int64 = 0
        var reason = ""
        var commissionMicros: Int64 = 0

        var remaining: Int64 { max(0, request.quantity - filled) }
        var status: SimOrderStatus {
            SimOrderStatus(orderID: request.orderID, brokerID: brokerID, state: state, filled: filled, remaining: state.isDone ? 0 : remaining,
                           averagePriceMicros: filled > 0 ? notionalMicros / filled : 0, reason: reason)
        }
    }

    public var account: SimAccount
    /// From placement to the order working at the exchange.
    public var latencyNs: Int64 = 50_000_000
    public var optionCommissionMicros: Int64 = 650_000
    /// IB's minimum per option order ($1): charged on the order's first fills until reached.
    public var minimumOptionCommissionMicros: Int64 = 1_000_000
    public var shareCommissionMicros: Int64 = 5_000
    public var minimumShareCommissionMicros: Int64 = 1_000_000
    /// Where in the spread a crossing order trades: 1 at the touch (the default); below 1 at
    /// mid ± k × half the spread, optopsy's fill convention for backtests.
    public var spreadFactor = 1.0
    /// How fast a limit inside the spread fills, per second at the far side (× f², f the share
    /// of the spread it crosses): 1/15 by default, a mean of a minute at the mid.
    public var insideFillRate = 1.0 / 15
    /// LEAN's early assignment of deep in-the-money short options near expiry (`assignEarly`).
    public var earlyAssignment = false
    var orders: [String: Working] = [:]
    var sequence: [String] = []
    var nextBrokerID: Int64 = 1
    var nextExecution = 1
    var rng: SeededGenerator

    public init(account: SimAccount, seed: UInt64 = 7) {
        self.account = account
        rng = SeededGenerator(seed: seed)
    }

    public func status(of orderID: String) -> SimOrderStatus? { orders[orderID]?.status }
    public var openOrders: [SimOrderStatus] { orders(done: false) }
    public var doneOrders: [SimOrderStatus] { orders(done: true) }

    func orders(done: Bool) -> [SimOrderStatus] { sequence.compactMap { orders[$0] }.filter { $0.state.isDone == done }.map(\.status) }
    public func request(of orderID: String) -> SimOrderRequest? { orders[orderID]?.request }

    // MARK: Placing

    /// Validates and accepts an order; the same order id twice returns the first order's status.
    public mutating func place(_ request: SimOrderRequest, market: some MarketView) -> SimOrderStatus {
        if let existing = orders[request.orderID] { return existing.status }
        var w = Working(request: request, brokerID: nextBrokerID, state: .pendingSubmit, activeAt: market.now + latencyNs)
        nextBrokerID += 1
        if let reason = rejection(request, market: market) {
            w.state = .rejected
            w.reason = reason
        } else if let parent = request.parentID, orders[parent].map({ $0.state != .filled }) ?? false {
            w.state = .held   // a bracket child works once its parent fills
        } else {
            w.state = .submitted
        }
        orders[request.orderID] = w
        sequence.append(request.orderID)
        return w.status
    }

    /// Why the order cannot be taken, or nil.
    func rejection(_ r: SimOrderRequest, market: some MarketView) -> String? {
        guard !r.orderID.isEmpty else { return "missing order id" }
        guard r.quantity > 0 else { return "quantity must be positive, got \(r.quantity)" }
        guard !r.legs.isEmpty, r.legs.allSatisfy({ $0.ratio > 0 }) else { return "an order needs legs with positive ratios" }
        for leg in r.legs where market.touch(of: leg.instrument) == nil {
            return "unknown contract: \(leg.instrument)"
        }
        if let parent = r.parentID, orders[parent] == nil { return "unknown parent order \(parent)" }
        switch r.type {
        case .limit where r.limitMicros == nil, .stopLimit where r.limitMicros == nil: return "a \(r.type) order needs a limit price"
        case .stop where r.stopMicros == nil, .stopLimit where r.stopMicros == nil: return "a \(r.type) order needs a stop price"
        case .trailingStop where (r.trailAmountMicros ?? 0) <= 0 && (r.trailPercent ?? 0) <= 0:
            return "a trailing stop needs a positive trail amount or percent"
        default: break
        }
        for (name, price) in [("limit", r.limitMicros), ("stop", r.stopMicros)] {
            guard let p = price else { continue }
            if r.legs.count == 1 && p <= 0 { return "\(name) price must be positive, got \(Money.format(p))" }
            let tick = tickSize(r, at: Money.value(abs(p)), market: market)
            if !TickRules.isOnTick(p, tick: tick) {
                return Self.offTick(name, price: p, tick: tick)
            }
        }
        return buyingPowerShortfall(r, market: market)
    }

    /// The refusal of a price off its tick, in the one wording `isOffTick` knows: twsim answers it
    /// with TWS's own code (110) rather than a generic rejection.
    static func offTick(_ name: String, price: Int64, tick: Double) -> String {
        "\(name) price \(Money.format(price)) is off the \(Money.format(Money.micros(tick))) tick"
    }

    public static func isOffTick(_ reason: String) -> Bool { reason.contains(" is off the ") && reason.hasSuffix(" tick") }

    func tickSize(_ r: SimOrderRequest, at price: Double, market: some MarketView) -> Double {
        guard r.legs.count == 1 else { return 0.01 }
        switch r.legs[0].instrument {
        case .underlying: return TickRules.shareTick
        case .option(let o):
            let kind = market.kind(of: o.underlying)
            return TickRules.optionTick(price: price, isIndex: market.isIndex(o.underlying), kind: kind)
        }
    }

    /// An order that adds risk must leave the account's excess liquidity (net liquidation less
    /// the Reg-T requirement) non-negative once filled at its limit or the current touch.
    func buyingPowerShortfall(_ r: SimOrderRequest, market: some MarketView) -> String? {
        var after = account
        for leg in r.legs {
            guard let touch = market.touch(of: leg.instrument) else { continue }
            let price = r.legs.count == 1 ? r.limitMicros.map(Money.value) ?? (leg.side == .buy ? touch.ask : touch.bid)
                                          : (leg.side == .buy ? touch.ask : touch.bid)
            after.apply(leg.instrument, side: leg.side, quantity: r.quantity * leg.ratio, priceMicros: Money.micros(price),
                        commissionMicros: 0)
        }
        let before = excessLiquidity(account, market: market)
        let excess = excessLiquidity(after, market: market)
        if excess < 0 && excess < before {
            return String(format: "insufficient buying power: needs %.2f more (excess liquidity after the order %.2f)", -excess, excess)
        }
        return nil
    }

    public func excessLiquidity(_ a: SimAccount? = nil, market: some MarketView) -> Double {
        let v = (a ?? account).valuation(in: market)
        return v.netLiquidation - v.requirement
    }

    // MARK: Cancelling and modifying

    public mutating func cancel(_ orderID: String) -> SimOrderStatus? {
        guard var w = orders[orderID] else { return nil }
        guard !w.state.isDone else { return w.status }
        w.state = .cancelled
        w.reason = "cancelled by request"
        orders[orderID] = w
        cancelChildren(of: orderID)
        return w.status
    }

    /// Changes the quantity and prices of a working order (the order id stays); a quantity
    /// below what has filled is refused.
    public mutating func modify(_ request: SimOrderRequest, market: some MarketView) -> Result<SimOrderStatus, SimRejection> {
        guard var w = orders[request.orderID] else { return .failure(SimRejection("unknown order \(request.orderID)")) }
        guard !w.state.isDone else { return .failure(SimRejection("order \(request.orderID) is \(w.state.rawValue)")) }
        guard request.legs == w.request.legs else { return .failure(SimRejection("the legs of an order cannot change")) }
        guard request.quantity >= w.filled else {
            return .failure(SimRejection("quantity \(request.quantity) is below the \(w.filled) already filled"))
        }
        var check = request
        check.quantity = request.quantity - w.filled
        if let reason = rejection(check, market: market), !reason.hasPrefix("unknown parent") { return .failure(SimRejection(reason)) }
        w.request = request
        w.trailStopMicros = nil
        if w.remaining == 0 { w.state = .filled }
        orders[request.orderID] = w
        return .success(w.status)
    }

    mutating func cancelChildren(of parent: String) {
        for id in sequence where orders[id]?.request.parentID == parent && orders[id]?.state.isDone == false {
            orders[id]?.state = .cancelled
            orders[id]?.reason = "parent \(parent) ended unfilled"
        }
    }

    /// DAY orders end at the session's close, as at the exchange.
    public mutating func sessionClosed() -> [SimEvent] {
        var events: [SimEvent] = []
        for id in sequence {
            guard var w = orders[id], !w.state.isDone, w.request.tif == .day else { continue }
            w.state = .expired
            w.reason = "DAY order ended at the close"
            orders[id] = w
            events.append(.status(w.status))
        }
        return events
    }
}

public struct SimRejection: Error, Equatable, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}
