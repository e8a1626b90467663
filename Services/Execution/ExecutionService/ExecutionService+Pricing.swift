import Bus
import Messages
import Trading

extension ExecutionService {
    /// The broker order for an intent at its `reprice`-th price, or nil when no safe price
    /// exists yet (no two-sided quote, no theo): a bad price never becomes an order.
    func order(for rec: ExecutionRecord, reprice: Int) async -> Volta_V1_Order? {
        guard let intent = rec.intent, let first = intent.legs.first else { return nil }
        var order = Volta_V1_Order()
        order.orderID = rec.orderID
        order.intentID = rec.intentID
        order.legs = intent.legs
        order.quantity = intent.quantity
        order.tif = intent.tif == .unspecified ? .day : intent.tif
        order.account = intent.account
        (order.algo, order.algoPriority) = rec.attemptAlgo
        order.ocaGroup = intent.ocaGroup
        // A child placed with its entry is held by the broker under the entry's current order.
        if !rec.parentIntentID.isEmpty {
            let parent = records.withLock { $0[rec.parentIntentID] }
            if parent?.intent?.bracket.afterFill != true {
                order.parentOrderID = parent?.orderID ?? ExecutionRecord.orderID(for: rec.parentIntentID)
            }
        }
        // Every type but the smart limit goes as the intent gives it (checked on submit).
        switch intent.orderType {
        case .market:
            order.orderType = .market
            return order
        case .stop, .stopLimit, .trailingStop:
            order.orderType = intent.orderType
            order.stopPriceMicros = intent.stopPriceMicros
            order.limitPriceMicros = intent.orderType == .stopLimit ? intent.limitPriceMicros : 0
            order.trailAmountMicros = intent.trailAmountMicros
            order.trailPercent = intent.trailPercent
            return order
        case .limit where intent.priceAsGiven:
            order.orderType = .limit
            // A retry after an entry timeout may name its own limit.
            let retryLimit = rec.attempt > 0 && intent.hasTimeout ? intent.timeout.retryLimitMicros : 0
            order.limitPriceMicros = retryLimit > 0 ? retryLimit : intent.limitPriceMicros
            return order
        default:
            break
        }
        order.orderType = .limit
        guard let tick = await tickMicros(first.instrument) else { return nil }
        if intent.legs.count > 1 {
            // The net in the combo's direction: a bought combo walks up from the mid toward
            // paying its net ask, a sold one down toward receiving its net bid.
            guard let net = netTouch(intent.legs),
                  let limit = policy.combo.limit(netBid: net.bid, netAsk: net.ask, tickMicros: tick, buy: first.side != .sell,
                                                 step: reprice) else { return nil }
            order.limitPriceMicros = limit
            return order
        }
        let sell = first.side == .sell
        let (touch, current) = market.withLock { ($0.touch(first.instrument), $0.theo(first.instrument)) }
        // The first limit leans on the theo the strategy expected (at the stop level); reprices
        // re-read the pricer's current theo.
        let expected = Double(intent.expectedPriceMicros) / 1_000_000
        let theo = reprice == 0 || current == nil ? (expected > 0 ? expected : current) : current
        guard let touch, let theo, let raw = policy.limit.price(sell: sell, bid: touch.bid, ask: touch.ask, theo: theo, reprice: reprice) else {
            return nil
        }
        var limit = SmartLimit.onTick(raw, tickMicros: tick, sell: sell)
        // A limit the strategy set is a bound the smart price never passes.
        if intent.limitPriceMicros > 0 { limit = sell ? max(limit, intent.limitPriceMicros) : min(limit, intent.limitPriceMicros) }
        guard limit > 0 else { return nil }
        order.limitPriceMicros = limit
        return order
    }

    /// The combo's net touch in its direction (its first leg's side): legs on that side at
    /// their bid/ask, legs against it negated. For a sold spread, the bid is the credit the
    /// market pays now and the ask the most it could pay.
    func netTouch(_ legs: [Volta_V1_Leg]) -> (bid: Double, ask: Double)? {
        market.withLock { m in
            var bid = 0.0, ask = 0.0
            for leg in legs {
                guard let t = m.touch(leg.instrument) else { return nil }
                let r = Double(max(leg.ratio, 1))
                if leg.side == legs[0].side { bid += t.bid * r; ask += t.ask * r } else { bid -= t.ask * r; ask -= t.bid * r }
            }
            return (bid, ask)
        }
    }

    /// The contract's minimum tick, from the gateway. Option ticks change with the price, so a
    /// tick read more than `tickMaxAge` ago is read again.
    func tickMicros(_ instrument: Volta_V1_Instrument) async -> Int64? {
        let key = instrument.displayName, now = bus.clock.now()
        if let known = ticks.withLock({ $0[key] }), now - known.readNs <= Self.tickMaxAge.nanoseconds { return known.tick }
        guard let details = try? await gateway(timeout: .seconds(1), retries: 1, { $0.contract = instrument }).contract,
              details.minTick > 0 else { return nil }
        let tick = Int64((details.minTick * 1_000_000).rounded())
        ticks.withLock { $0[key] = (tick, bus.clock.now()) }
        return tick
    }

    static let tickMaxAge = Duration.seconds(2)

    /// IB's Adaptive priorities ("" for the default, normal).
    static let adaptivePriorities: Set<String> = ["", "patient", "normal", "urgent"]

    /// Why an intent cannot become the order it asks for, or nil. A venue-independent check on
    /// submit: an order type or combination Volta cannot send is refused by name, never turned
    /// into something else.
    static func refusal(_ i: Volta_V1_OrderIntent) -> String? {
        switch i.orderType {
        case .market: break
        case .limit where i.priceAsGiven && i.limitPriceMicros <= 0: return "a limit given as is needs limit_price_micros > 0"
        case .limit: break
        case .stop where i.stopPriceMicros <= 0: return "a STOP needs stop_price_micros > 0"
        case .stopLimit where i.stopPriceMicros <= 0 || i.limitPriceMicros <= 0: return "a STOP_LIMIT needs stop_price_micros and limit_price_micros > 0"
        case .trailingStop where i.trailAmountMicros <= 0 && !(i.trailPercent > 0 && i.trailPercent < 100):
            return "a TRAILING_STOP needs trail_amount_micros > 0 or a trail_percent in (0, 100)"
        case .stop, .stopLimit, .trailingStop: break
        default: return "order type \(i.orderType) is not one Volta sends (MARKET, LIMIT, STOP, STOP_LIMIT, TRAILING_STOP)"
        }
        if i.legs.count > 1, i.orderType != .limit, i.orderType != .market { return "a combo goes as MARKET or LIMIT, not \(i.orderType)" }
        if let leg = i.legs.first(where: { $0.instrument.hasOption && !ExpiryCalendar.isValid($0.instrument.option.expiry) }) {
            return "the expiry '\(leg.instrument.option.expiry)' of \(leg.instrument.displayName) is not a date YYYY-MM-DD from \(SupportedYears.description)"
        }
        switch i.algo {
        case "": if !i.algoPriority.isEmpty { return "algo_priority without an algo" }
        case "adaptive": if !adaptivePriorities.contains(i.algoPriority) { return "adaptive priority must be patient, normal or urgent, got '\(i.algoPriority)'" }
        default: return "algo '\(i.algo)' is not supported (adaptive is)"
        }
        if i.hasTimeout {
            let t = i.timeout
            if t.seconds <= 0 || t.retries < 0 || t.retryAfterSeconds < 0 { return "a timeout needs seconds > 0, and retries and retry_after_seconds ≥ 0" }
            if !adaptivePriorities.contains(t.retryAlgoPriority) { return "retry_algo_priority must be patient, normal or urgent" }
            if t.retryLimitMicros != 0 && !(i.orderType == .limit && i.priceAsGiven) { return "retry_limit_micros applies to a limit given as is" }
            if i.hasBracket && !i.bracket.afterFill { return "a bracket placed with its entry cannot retry the entry: use after_fill" }
        }
        guard i.hasBracket else { return nil }
        let b = i.bracket
        if i.purpose == .close { return "a bracket's entry opens a position: a CLOSE cannot carry one" }
        if b.takeProfitMicros <= 0 && b.stopLossMicros <= 0 && b.takeProfitRatio <= 0 && b.stopLossRatio <= 0 {
            return "a bracket needs a take profit or a stop loss"
        }
        if (b.takeProfitRatio > 0 || b.stopLossRatio > 0) && !b.afterFill {
            return "bracket prices as ratios of the fill need after_fill (the fill price is not known before)"
        }
        if b.tif == .ioc { return "a bracket's children cannot be IOC" }
        if b.hasExitInstrument {
            if !i.legs.contains(where: { $0.instrument == b.exitInstrument }) { return "the bracket's exit_instrument is none of the intent's legs" }
            // A combo's fill price is its net, not the leg's: a ratio of it means nothing.
            if b.takeProfitRatio > 0 || b.stopLossRatio > 0 { return "exits on one leg of a combo need absolute prices, not ratios" }
        }
        return nil
    }
}
