import Foundation

/// The fill rules. An order trades against the true market (never the feed's faults):
/// - crossing (a market order, a triggered stop, a limit through the far side) fills at the
///   touch, up to the size shown there; the rest waits for the next quotes (partial fills);
/// - a limit inside the spread fills at its price at a rate that grows with how far it leans
///   toward the far side: `insideFillRate` (1/15) per second × f², f the fraction of the spread
///   it crosses;
/// - stops trigger on the touch of their side (a sell stop when the bid falls to it), trailing
///   stops follow that touch by their amount or percent;
/// - the adaptive algo starts inside the spread and steps toward the far side, never past its
///   limit;
/// - combos price at the net of their legs' touches, fill all legs in ratio.
extension SimBroker {
    /// Works every live order against the market for the `seconds` that just passed.
    public mutating func match(market: some MarketView, seconds: Double) -> [SimEvent] {
        var events: [SimEvent] = []
        for id in sequence {
            guard let w = orders[id], w.state == .submitted || w.state == .partiallyFilled, market.now >= w.activeAt else { continue }
            events += work(id, market: market, seconds: seconds)
        }
        return events
    }

    /// Net prices of the order's direction at aggressiveness g (0: each leg at its near side,
    /// 1: each at its far side, crossing), and the units available at g = 1.
    struct NetMarket {
        var atNear: Double
        var atFar: Double
        var units: Int64
        var legs: [(leg: SimLeg, touch: Touch)]

        /// The highest aggressiveness the limit allows (may be < 0 or > 1).
        func aggressiveness(limit: Double) -> Double {
            if atFar == atNear { return (atNear <= limit) == buyLike ? .infinity : -.infinity }
            return (limit - atNear) / (atFar - atNear)
        }
        var buyLike: Bool { atFar >= atNear }

        /// Each leg's price at aggressiveness g: bought legs from bid to ask, sold legs from ask to bid.
        func legPrices(_ g: Double) -> [Double] {
            legs.map { l in
                let spread = l.touch.ask - l.touch.bid
                return l.leg.side == .buy ? l.touch.bid + g * spread : l.touch.ask - g * spread
            }
        }
    }

    func net(_ r: SimOrderRequest, market: some MarketView) -> NetMarket? {
        var legs: [(leg: SimLeg, touch: Touch)] = []
        for leg in r.legs {
            guard var t = market.touch(of: leg.instrument), t.ask > 0 else { return nil }
            if spreadFactor != 1 {
                let (mid, half) = ((t.bid + t.ask) / 2, (t.ask - t.bid) / 2 * spreadFactor)
                (t.bid, t.ask) = (mid - half, mid + half)
            }
            legs.append((leg, t))
        }
        let units = legs.map { l in (l.leg.side == .buy ? l.touch.askSize : l.touch.bidSize) / l.leg.ratio }.min() ?? 0
        var net = NetMarket(atNear: 0, atFar: 0, units: units, legs: legs)
        let direction = r.side
        let (near, far) = (net.legPrices(0), net.legPrices(1))
        func total(_ prices: [Double]) -> Double {
            zip(legs, prices).reduce(0) { sum, lp in sum + Double(lp.0.leg.ratio) * lp.1 * (lp.0.leg.side == direction ? 1 : -1) }
        }
        net.atNear = total(near)
        net.atFar = total(far)
        return net
    }

    mutating func work(_ id: String, market: some MarketView, seconds: Double) -> [SimEvent] {
        guard var w = orders[id], let m = net(w.request, market: market) else { return [] }
        let r = w.request
        let sell = r.side == .sell
        // The touch a stop watches: for a sell the price it could sell at, for a buy the reverse.
        let watched = m.atFar
        if [.stop, .stopLimit, .trailingStop].contains(r.type) && !w.triggered {
            if r.type == .trailingStop {
                let trail = r.trailAmountMicros.map(Money.value) ?? watched * (r.trailPercent ?? 0) / 100
                let candidate = Money.micros(sell ? watched - trail : watched + trail)
                w.trailStopMicros = w.trailStopMicros.map { sell ? max($0, candidate) : min($0, candidate) } ?? candidate
            }
            guard let stop = (r.type == .trailingStop ? w.trailStopMicros : r.stopMicros).map(Money.value) else { return [] }
            w.triggered = sell ? watched <= stop : watched >= stop
            orders[id] = w
            guard w.triggered else { return [] }
        }
        var limit: Double? = [.limit, .stopLimit].contains(r.type) ? r.limitMicros.map(Money.value) : nil
        var g = limit.map(m.aggressiveness) ?? 1
        if let priority = r.adaptive {
            g = min(g, adaptiveStep(&w, priority: priority, now: market.now))
            limit = nil
        }
        guard g > 0 else { orders[id] = w; return finishIOC(&w, id) }
        var quantity: Int64
        var price: [Double]
        if g >= 1 {
            quantity = min(w.remaining, m.units)
            price = m.legPrices(1)
        } else {
            let p = 1 - exp(-insideFillRate * g * g * seconds)
            guard rng.uniform() < p else { orders[id] = w; return finishIOC(&w, id) }
            quantity = min(w.remaining, max(1, m.units / 2))
            price = m.legPrices(g)
        }
        guard quantity > 0 else { orders[id] = w; return finishIOC(&w, id) }
        var events: [SimEvent] = []
        var netMicros: Int64 = 0
        for (l, p) in zip(m.legs, price) {
            // A single-leg limit inside the spread fills at its own price exactly.
            let micros = (r.legs.count == 1 && g < 1 && limit != nil) ? r.limitMicros! : Money.micros(p)
            netMicros += micros * l.leg.ratio * (l.leg.side == r.side ? 1 : -1)
            events.append(.fill(book(r, leg: l.leg, quantity: quantity * l.leg.ratio, priceMicros: micros, time: market.now,
                                     charged: &w.commissionMicros)))
        }
        w.filled += quantity
        w.notionalMicros += netMicros * quantity
        w.state = w.remaining == 0 ? .filled : .partiallyFilled
        orders[id] = w
        events.append(.status(w.status))
        events += reduceOCA(of: id, by: quantity)
        if w.state == .filled { events += releaseChildren(of: id) }
        return events + finishIOC(&w, id)
    }

    /// The adaptive algo's aggressiveness now: its start, plus a quarter of the way to the far
    /// side at every step.
    func adaptiveStep(_ w: inout Working, priority: AdaptivePriority, now: Int64) -> Double {
        guard let g = w.adaptiveG else {
            w.adaptiveG = priority.start
            w.adaptiveStepAt = now + Int64(priority.stepSeconds * 1e9)
            return priority.start
        }
        if now >= w.adaptiveStepAt {
            w.adaptiveG = min(1, g + 0.25 * (1 - g) + 0.05)
            w.adaptiveStepAt = now + Int64(priority.stepSeconds * 1e9)
        }
        return w.adaptiveG ?? g
    }

    mutating func finishIOC(_ w: inout Working, _ id: String) -> [SimEvent] {
        guard w.request.tif == .ioc, !w.state.isDone else { return [] }
        w.state = .cancelled
        w.reason = "IOC remainder cancelled"
        orders[id] = w
        return [.status(w.status)]
    }

    /// Books one leg's fill; `charged` is what the order paid so far, for the per-order minimum.
    mutating func book(_ r: SimOrderRequest, leg: SimLeg, quantity: Int64, priceMicros: Int64, time: Int64,
                       charged: inout Int64) -> SimFill {
        let commission: Int64
        if case .option = leg.instrument {
            commission = max(optionCommissionMicros * quantity, minimumOptionCommissionMicros - charged)
        } else {
            commission = max(minimumShareCommissionMicros, shareCommissionMicros * quantity)
        }
        charged += commission
        let fill = SimFill(executionID: "SIM-\(nextExecution)", orderID: r.orderID, instrument: leg.instrument, side: leg.side,
                           quantity: quantity, priceMicros: priceMicros, commissionMicros: commission, time: time)
        nextExecution += 1
        account.apply(leg.instrument, side: leg.side, quantity: quantity, priceMicros: priceMicros, commissionMicros: commission)
        return fill
    }

    /// One-cancels-all, reducing: a fill takes the same quantity off the group's other orders,
    /// cancelling those left with nothing.
    mutating func reduceOCA(of id: String, by quantity: Int64) -> [SimEvent] {
        guard let group = orders[id]?.request.ocaGroup, !group.isEmpty else { return [] }
        var events: [SimEvent] = []
        for other in sequence where other != id {
            guard var o = orders[other], o.request.ocaGroup == group, !o.state.isDone else { continue }
            o.request.quantity -= min(quantity, o.remaining)
            if o.remaining == 0 {
                o.state = o.filled > 0 ? .filled : .cancelled
                o.reason = "OCA group \(group) filled"
            }
            orders[other] = o
            events.append(.status(o.status))
        }
        return events
    }

    mutating func releaseChildren(of parent: String) -> [SimEvent] {
        var events: [SimEvent] = []
        for id in sequence where orders[id]?.request.parentID == parent && orders[id]?.state == .held {
            orders[id]?.state = .submitted
            events.append(.status(orders[id]!.status))
        }
        return events
    }

    /// Orders on options that just expired end with them; positions are settled by the account.
    public mutating func expire(_ expired: [(option: OptionKey, settlement: Double)], market: some MarketView) -> [SimEvent] {
        var events = end(expired.map(\.option), reason: "the option expired")
        for (option, settlement) in expired {
            let cash = market.isIndex(option.underlying)
            events += account.settle(option, settlement: settlement, cashSettled: cash, time: market.now).map(SimEvent.fill)
        }
        return events
    }
}
