import Foundation

/// Early assignment of short American options, LEAN's rule (`DefaultOptionAssignmentModel`): at a
/// close within four days of its expiry, a short equity option more than 5% in the money is
/// assigned when its holder gains by it, that is when the option's bid is below what exercising
/// and selling (or buying back) the shares at the touch would bring. Index options (European,
/// cash-settled) are never assigned early. Off unless the backtest asks for it.
extension SimBroker {
    static let earlyAssignmentDays = 4.0
    static let earlyAssignmentMoneyness = 0.05

    /// - Returns: the assignments made, as the account's bookings and the option's orders ended.
    public mutating func assignEarly(market: some MarketView) -> [SimEvent] {
        guard earlyAssignment else { return [] }
        let (today, _) = NewYorkTime.local(market.now)
        var assigned: [(option: OptionKey, settlement: Double)] = []
        for (key, holding) in account.holdings.sorted(by: { $0.key < $1.key }) {
            guard case .option(let o) = key, holding.quantity < 0, !market.isIndex(o.underlying),
                  Double(o.expiry.dayNumber - today.dayNumber) <= Self.earlyAssignmentDays, o.expiry > today,
                  let spot = market.price(of: o.underlying), spot > 0,
                  let underlying = market.touch(of: .underlying(o.underlying)), let option = market.touch(of: key) else { continue }
            let strike = o.strike
            let deep = (o.right == .call ? spot - strike : strike - spot) / spot > Self.earlyAssignmentMoneyness
            // The holder exercises and sells calls' shares at the bid, buys puts' at the ask.
            let exercised = o.right == .call ? underlying.bid - strike : strike - underlying.ask
            if deep && option.bid < exercised { assigned.append((o, o.right == .call ? underlying.bid : underlying.ask)) }
        }
        guard !assigned.isEmpty else { return [] }
        return end(assigned.map(\.option), reason: "the option was assigned early") + assigned.flatMap { a in
            account.settle(a.option, settlement: a.settlement, cashSettled: false, time: market.now).map(SimEvent.fill)
        }
    }

    /// Ends every working order with a leg on one of `options`.
    mutating func end(_ options: [OptionKey], reason: String) -> [SimEvent] {
        let keys = Set(options.map(InstrumentKey.option))
        var events: [SimEvent] = []
        for id in sequence {
            guard var w = orders[id], !w.state.isDone, w.request.legs.contains(where: { keys.contains($0.instrument) }) else { continue }
            w.state = .expired
            w.reason = reason
            orders[id] = w
            events.append(.status(w.status))
        }
        return events
    }
}
