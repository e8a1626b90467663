import Bus
import Foundation
import Messages
import Quant

/// The `pricer` service's answers, from the engine's current market. Every bad request is a
/// ``BadRequest`` naming what is wrong: a caller about to place an order must never get a zero
/// price that looks like an answer.
extension PricerEngine {
    public mutating func answer(_ request: Volta_V1_PricerRequest, now: Int64) throws -> Volta_V1_PricerReply {
        var reply = Volta_V1_PricerReply()
        switch request.op {
        case let .priceAt(r)?: reply.priceAt = try priceAt(r, now: now)
        case let .impliedVol(r)?: reply.impliedVol = try impliedVolatility(r, now: now)
        case let .scenario(r)?: reply.scenario = try scenario(r, now: now)
        case nil: throw BadRequest("empty request: set price_at, implied_vol or scenario")
        }
        return reply
    }

    /// Whether a request must wait for its underlyings' refresh: a price-at of an expiry with a
    /// fitted slice (the stop manager's theo at its stop level, asked every 250 ms while the
    /// price moves) is answered from the book as it stands, its spot current (quotes apply at
    /// once) and its slice refitted at most once a second anyway; the chain's reprice stays in
    /// the publishing task, behind the order path in the kernel. Anything else refreshes first.
    public func needsRefresh(_ request: Volta_V1_PricerRequest) -> Bool {
        guard case let .priceAt(r)? = request.op, r.volRule != .stickyStrike, r.volatility == 0 else { return true }
        return books[r.contract.underlying]?.slices[r.contract.expiry] == nil
    }

    /// The underlyings a request reads, to be refreshed before it is answered.
    public static func underlyings(of request: Volta_V1_PricerRequest) -> [String] {
        switch request.op {
        case let .priceAt(r)?: [r.contract.underlying]
        case let .impliedVol(r)?: [r.contract.underlying]
        case let .scenario(r)?: Array(Set(r.positions.map(\.instrument.underlyingSymbol)))
        case nil: []
        }
    }

    mutating func priceAt(_ r: Volta_V1_PriceAtRequest, now: Int64) throws -> Volta_V1_PriceAtReply {
        let (book, option, T) = try locate(r.contract, now: now)
        let spot = try level(r.underlyingPrice, book: book)
        guard r.daysForward.isFinite, r.daysForward >= 0 else { throw BadRequest("days_forward must be a number ≥ 0") }
        let time = T - r.daysForward / 365
        var market = self.market(book, now: now)
        market.spot = spot
        var reply = Volta_V1_PriceAtReply()
        reply.underlyingPrice = spot
        reply.timeYears = max(time, 0)
        guard time > 0 else {
            let intrinsic = max(option.kind.sign * (spot - option.strike), 0)
            reply.greeks.theo = intrinsic
            reply.greeks.delta = intrinsic > 0 ? option.kind.sign : 0
            reply.greeks.model = "intrinsic"
            reply.volSource = "expired"
            return reply
        }
        let (volatility, source) = try volatility(for: option, book: book, market: market, time: time, request: r)
        do {
            let g = try configuration.model.greeks(market.inputs(option, time: time, volatility: volatility))
            reply.greeks = Volta_V1_Greeks(g, iv: volatility, model: configuration.model.rawValue)
        } catch { throw BadRequest("\(error)") }
        reply.volatility = volatility
        reply.volSource = source
        return reply
    }

    func volatility(for option: OptionState, book: UnderlyingBook, market: ChainMarket, time: Double,
                    request r: Volta_V1_PriceAtRequest) throws -> (Double, String) {
        if r.volatility != 0 {
            guard r.volatility > 0, r.volatility.isFinite else { throw BadRequest("volatility must be > 0") }
            return (r.volatility, "request")
        }
        // A slice can degenerate away from the quotes it was fitted to (zero variance at a far
        // level): then the option's own volatility serves, never a zero one.
        if r.volRule != .stickyStrike, let v = book.surfaceVolatility(option, market: market, time: time), v > 0, v.isFinite {
            return (v, "surface")
        }
        if r.volRule == .surface { throw BadRequest("no fitted slice for \(option.contract.underlying) \(option.contract.expiry)") }
        guard let v = Self.currentVolatility(option), v > 0, v.isFinite else {
            throw BadRequest("no volatility for \(Topics.optionAnalytics(option.contract)): no two-sided quote, no slice")
        }
        return (v, "sticky_strike")
    }

    /// The volatility the option's theo uses now, or its mid IV.
    static func currentVolatility(_ option: OptionState) -> Double? {
        if let a = option.analytics, a.theoIv > 0 { return a.theoIv }
        return option.midIV
    }

    mutating func impliedVolatility(_ r: Volta_V1_ImpliedVolRequest, now: Int64) throws -> Volta_V1_ImpliedVolReply {
        let (book, option, T) = try locate(r.contract, now: now)
        var market = self.market(book, now: now)
        market.spot = try level(r.underlyingPrice, book: book)
        guard r.price > 0, r.price.isFinite else { throw BadRequest("price must be a number > 0") }
        var reply = Volta_V1_ImpliedVolReply()
        do { reply.iv = try configuration.model.impliedVolatility(price: r.price, market.inputs(option, time: T)) } catch {
            throw BadRequest("\(error)")
        }
        reply.model = configuration.model.rawValue
        reply.underlyingPrice = market.spot
        reply.timeYears = T
        return reply
    }

    mutating func scenario(_ r: Volta_V1_ScenarioRequest, now: Int64) throws -> Volta_V1_ScenarioReply {
        guard !r.positions.isEmpty else { throw BadRequest("scenario needs at least one position") }
        let spotShocks = r.spotShocks.isEmpty ? [0] : r.spotShocks
        let volShocks = r.volShocks.isEmpty ? [0] : r.volShocks
        guard spotShocks.count * volShocks.count <= 10_000, r.positions.count <= 10_000 else {
            throw BadRequest("scenario too large: at most 10000 cells and 10000 positions")
        }
        guard spotShocks.allSatisfy({ $0.isFinite && $0 > -1 }), volShocks.allSatisfy(\.isFinite),
              r.daysForward.isFinite, r.daysForward >= 0 else {
            throw BadRequest("spot shocks must be > −1, vol shocks finite, days_forward ≥ 0")
        }
        let shocks = Scenario.grid(spot: spotShocks, volatility: volShocks, days: r.daysForward)
        var pnl = [Double](repeating: 0, count: shocks.count)
        var reply = Volta_V1_ScenarioReply()
        let model = configuration.model
        for position in r.positions {
            guard position.quantity.isFinite else { throw BadRequest("quantity must be a number") }
            guard position.instrument.hasOption else {
                guard let book = books[position.instrument.symbol], book.spot > 0 else {
                    throw BadRequest("no price for \(position.instrument.symbol)")
                }
                reply.baseValue += position.quantity * book.spot
                for (i, s) in shocks.enumerated() { pnl[i] += position.quantity * book.spot * s.spot }
                continue
            }
            let (book, option, T) = try locate(position.instrument.option, now: now)
            guard let v = Self.currentVolatility(option), v > 0, v.isFinite else {
                throw BadRequest("no volatility for \(Topics.optionAnalytics(option.contract)): no two-sided quote, no slice")
            }
            let inputs = market(book, now: now).inputs(option, time: T, volatility: v)
            let size = position.quantity * Double(option.contract.multiplier > 0 ? option.contract.multiplier : 100)
            do {
                reply.baseValue += size * (try model.price(inputs))
                let changes = try Scenario.profitAndLoss(inputs, shocks: shocks) { try model.price($0) }
                for i in changes.indices { pnl[i] += size * changes[i] }
            } catch { throw BadRequest("\(Topics.optionAnalytics(option.contract)): \(error)") }
        }
        reply.cells = zip(shocks, pnl).map { shock, value in
            var cell = Volta_V1_ScenarioCell()
            (cell.spotShock, cell.volShock, cell.pnl) = (shock.spot, shock.volatility, value)
            return cell
        }
        return reply
    }

    /// The book, the option and its years to expiry, or a ``BadRequest`` saying which is missing.
    mutating func locate(_ contract: Volta_V1_OptionContract, now: Int64) throws -> (UnderlyingBook, OptionState, Double) {
        guard let fresh = OptionState(contract) else { throw BadRequest("contract needs a right and a strike > 0") }
        guard let book = books[contract.underlying], book.spot > 0 else { throw BadRequest("no market for '\(contract.underlying)'") }
        guard let T = calendar.years(to: contract.expiry, from: now) else { throw BadRequest("expiry '\(contract.expiry)' is not YYYY-MM-DD") }
        guard T > 0 else { throw BadRequest("\(contract.underlying) \(contract.expiry) has expired") }
        return (book, book.option(contract) ?? fresh, T)
    }

    /// The underlying level a request names, or the current one.
    func level(_ requested: Double, book: UnderlyingBook) throws -> Double {
        guard requested != 0 else { return book.spot }
        guard requested > 0, requested.isFinite else { throw BadRequest("underlying_price must be > 0") }
        return requested
    }
}
