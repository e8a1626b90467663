import Foundation
import Messages
import Quant
import Trading

extension UnderlyingBook {
    /// What one refresh produced: the analytics of every option it recomputed, and the surface
    /// when an expiry was refitted.
    struct Refresh: Sendable {
        var analytics: [Volta_V1_OptionAnalytics] = []
        var surface: Volta_V1_VolSurface?
        /// Options whose IVs were recomputed: the cost of the refresh.
        var volatilitiesComputed = 0
    }

    /// Recomputes the marked options' IVs, refits the expiries whose IVs changed (at most once per
    /// `refitIntervalNs` each), then the theos and greeks of every option whose IVs or slice
    /// changed. Expired expiries leave the book.
    mutating func refresh(_ market: ChainMarket, calendar: inout ExpiryCalendar, refitIntervalNs: Int64) -> Refresh {
        var result = Refresh()
        guard spot > 0 else { return result }  // marks stay until the underlying has a price
        // Years to each expiry, once per refresh rather than once per option; an expiry with
        // none left is dropped with its options.
        var years: [String: Double] = [:]
        for e in expiries.keys {
            if let T = calendar.years(to: e, from: market.nowNs), T > 0 { years[e] = T }
        }
        let expired = expiries.keys.filter { years[$0] == nil }
        if !expired.isEmpty { remove(expiries: Set(expired)) }
        let touched = allDirty ? Array(options.indices) : dirty
        for i in dirty { isDirty[i] = false }
        (dirty, allDirty) = ([], false)
        var theos = [Bool](repeating: false, count: options.count)
        let computed = touched.filter { years[options[$0].contract.expiry] != nil }
        if market.model == .bs {
            computeVolatilitiesInBatch(computed, market: market, years: years)
        } else {
            for i in computed {
                options[i].computeVolatilities(market.inputs(options[i], time: years[options[i].contract.expiry]!), model: market.model)
            }
        }
        for i in computed {
            result.volatilitiesComputed += 1
            unfitted.insert(options[i].contract.expiry)
            theos[i] = true
        }
        var refitted = false
        for expiry in unfitted.sorted() {
            if let last = lastFitNs[expiry], market.nowNs - last < refitIntervalNs { continue }
            guard let T = years[expiry] else { continue }
            unfitted.remove(expiry)
            lastFitNs[expiry] = market.nowNs
            let members = expiries[expiry, default: []]
            slices[expiry] = try? SurfaceFit.fit(members.map { options[$0] }, expiry: expiry, forward: market.forward(time: T), time: T,
                                                 start: slices[expiry]?.slice)
            for i in members { theos[i] = true }
            refitted = true
        }
        if refitted { result.surface = SurfaceFit.message(underlying: symbol, spot: spot, slices: Array(slices.values)) }
        for i in options.indices where theos[i] {
            guard let T = years[options[i].contract.expiry] else { continue }
            let analytics = analytics(of: options[i], market: market, time: T)
            options[i].analytics = analytics
            result.analytics.append(analytics)
        }
        return result
    }

    /// Black-Scholes IVs of every side of `indices`' quotes in one batch (a tick that moves the
    /// underlying reprices the whole chain): the same IVs and notes as one by one, at the batch's
    /// speed.
    mutating func computeVolatilitiesInBatch(_ indices: [Int], market: ChainMarket, years: [String: Double]) {
        var inputs: [OptionInputs] = [], prices: [Double] = []
        var sides: [(option: Int, requests: [(side: QuoteSide, request: Int?)])] = []
        for i in indices {
            guard let quoted = options[i].volatilitySides() else { continue }
            let T = years[options[i].contract.expiry]!
            sides.append((i, quoted.map { quote in
                guard quote.price > 0 else { return (quote.side, nil) }
                inputs.append(market.inputs(options[i], time: T))
                prices.append(quote.price)
                return (quote.side, prices.count - 1)
            }))
        }
        let (ivs, errors) = BatchPricer.impliedVolatility(prices: prices, OptionBatch(inputs))
        for (i, requests) in sides {
            options[i].setVolatilities(requests.map { side, request in
                (side, request.map { r in errors[r].map { .failure($0) } ?? .success(ivs[r]) })
            })
        }
    }

    /// The expiry's fitted slice at the option's log-moneyness in `market` (its spot may be a
    /// hypothetical level), or nil when the expiry has no slice.
    func surfaceVolatility(_ option: OptionState, market: ChainMarket, time T: Double) -> Double? {
        slices[option.contract.expiry].map { $0.slice.impliedVolatility(log(option.strike / market.forward(time: T))) }
    }

    /// The volatility the theo uses: the expiry's slice at the option's moneyness, else its own
    /// mid IV.
    func theoVolatility(_ option: OptionState, market: ChainMarket, time T: Double) -> (Double, String)? {
        if let v = surfaceVolatility(option, market: market, time: T), v > 0 && v.isFinite { return (v, "surface") }
        return option.midIV.map { ($0, "mid") }
    }

    func analytics(of option: OptionState, market: ChainMarket, time T: Double) -> Volta_V1_OptionAnalytics {
        var a = Volta_V1_OptionAnalytics()
        a.contract = option.contract
        a.underlyingPrice = market.spot
        a.timeYears = T
        a.bidIv = option.bidIV ?? 0
        a.midIv = option.midIV ?? 0
        a.askIv = option.askIV ?? 0
        a.quoteTimeNs = option.quoteTimeNs
        var notes = option.note.isEmpty ? [] : [option.note]
        if let (volatility, source) = theoVolatility(option, market: market, time: T) {
            a.theoIv = volatility
            a.volSource = source
            do {
                let own = try market.model.greeks(market.inputs(option, time: T, volatility: volatility))
                a.own = Volta_V1_Greeks(own, iv: volatility, model: market.model.rawValue)
                if let broker = option.broker {
                    a.broker = broker
                    a.brokerMinusOwn = broker.minus(a.own)
                }
            } catch {
                notes.append("theo: \(error)")
            }
        } else {
            notes.append("no theo: no two-sided quote and no fitted slice")
        }
        a.note = notes.joined(separator: "; ")
        return a
    }

    /// Drops expired expiries and renumbers what stays (once a day at most).
    mutating func remove(expiries gone: Set<String>) {
        let kept = options.indices.filter { !gone.contains(options[$0].contract.expiry) }
        let wasDirty = Set(dirty)
        options = kept.map { options[$0] }
        (index, expiries, dirty, isDirty) = ([:], [:], [], [])
        for (i, old) in kept.enumerated() {
            index[OptionKey(options[i].contract)] = i
            expiries[options[i].contract.expiry, default: []].append(i)
            isDirty.append(wasDirty.contains(old))
            if wasDirty.contains(old) { dirty.append(i) }
        }
        for expiry in gone {
            slices[expiry] = nil
            lastFitNs[expiry] = nil
            unfitted.remove(expiry)
        }
    }
}

extension Volta_V1_Greeks {
    init(_ g: Greeks, iv: Double, model: String) {
        self.init()
        (theo, delta, gamma, vega, theta, rho) = (g.price, g.delta, g.gamma, g.vega, g.theta, g.rho)
        self.iv = iv
        self.model = model
    }

    /// Field by field `self − other`: how far the broker's model is from Volta's.
    func minus(_ other: Volta_V1_Greeks) -> Volta_V1_Greeks {
        var d = Volta_V1_Greeks()
        d.theo = theo - other.theo
        d.iv = iv - other.iv
        d.delta = delta - other.delta
        d.gamma = gamma - other.gamma
        d.vega = vega - other.vega
        d.theta = theta - other.theta
        d.rho = rho - other.rho
        d.model = "\(model)-\(other.model)"
        return d
    }
}
