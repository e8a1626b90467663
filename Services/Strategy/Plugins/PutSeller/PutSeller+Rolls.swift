import Foundation
import Messages
import StrategyKit

/// What the put seller does with what it already holds, each session before its sale: rolls its
/// short puts by ThetaGang's rules as one two-leg combo (sell the new put, buy the old back) whose
/// OCA exits stand on the new put, and sells the shares an assignment delivered (or keeps them).
extension PutSeller {
    /// A short put closed by exercise (the broker's "exercise" or "assignment" execution): its
    /// shares are noted, to be sold at the next routine or kept.
    mutating func noteAssignment(_ f: Volta_V1_Fill) {
        guard f.instrument.hasOption, f.instrument.option.right == .put, f.side == .buy,
              ["exercise", "assignment"].contains(f.orderID), settings.symbols.contains(f.instrument.symbol) else { return }
        let multiplier = f.instrument.option.multiplier > 0 ? Int64(f.instrument.option.multiplier) : 100
        assigned[f.instrument.symbol, default: 0] += f.quantity * multiplier
    }

    /// The delivered shares still held, sold at market when the settings say so.
    mutating func sellAssignedShares(_ symbol: String, _ context: StrategyContext) -> [StrategyAction] {
        guard let delivered = assigned[symbol], delivered > 0, let held = shares[symbol], held.quantity > 0 else { return [] }
        let id = "\(name)-\(Topics.key(settings.instance))-assigned-\(Topics.key(symbol))-\(Self.day(context.now))"
        guard !settings.keepAssignedShares else {
            return [state(symbol, id, "kept", "\(delivered) \(symbol) shares from assignment kept (assigned_shares = keep)", context.now)]
        }
        var position = held
        position.quantity = min(delivered, held.quantity)
        let intent = Volta_V1_OrderIntent.closing(position, id: id, strategy: name, instance: settings.instance,
                                                  reason: "assigned_shares", now: context.now)
        return [.submit(intent, owner: symbol),
                state(symbol, id, "selling", "sell \(position.quantity) \(symbol) shares an assignment delivered", context.now)]
    }

    mutating func followShareSale(_ e: Volta_V1_IntentExecution, now: Int64) -> [StrategyAction] {
        let symbol = e.instrument.split(separator: " ").first.map(String.init) ?? ""
        guard e.stage == .stageDone || e.stage == .stageRiskRejected else { return [] }
        assigned[symbol] = max(0, (assigned[symbol] ?? 0) - e.filledQuantity)
        return [state(symbol, e.intentID, e.filledQuantity > 0 ? "sold" : "skipped",
                      "sold \(e.filledQuantity) \(symbol) shares from assignment\(e.filledQuantity > 0 ? " at \(Double(e.avgFillPriceMicros) / 1e6)" : ": \(e.reason)")", now)]
    }

    /// Each short put of `symbol` the rules roll, rolled (or, when no roll qualifies and the
    /// settings say so, bought back); why not, in its state.
    mutating func rolls(_ symbol: String, _ context: StrategyContext) -> [StrategyAction] {
        guard settings.rolls, let spot = underlying[symbol] else { return [] }
        let chain = Array(chains[symbol, default: [:]].values)
        let selection = PutSelection(settings: settings, now: context.now)
        var actions: [StrategyAction] = []
        for (contract, position) in shortPuts[symbol, default: [:]].sorted(by: { $0.key < $1.key })
        where !rolling.values.contains(contract) {
            let key = "\(name)-\(Topics.key(settings.instance))-roll-\(Topics.key(contract))-\(Self.day(context.now))"
            guard let quote = chains[symbol]?[Topics.optionQuote(position.instrument.option)], quote.bid >= 0, quote.ask > 0,
                  let days = NewYorkDate.days(from: context.now, to: position.instrument.option.expiry) else { continue }
            let captured = PutRoll.capturedShare(sale: Double(position.avgCostMicros) / 1e6, mark: PutRoll.mid(quote))
            guard case .roll(let why) = settings.roll.decide(strike: Double(position.instrument.option.strikeMicros) / 1e6, spot: spot,
                                                             days: days, captured: captured) else { continue }
            guard let (target, credit) = settings.roll.target(from: quote, spot: spot, chain: chain, selection: selection) else {
                // Nothing to roll into among what streams: the broker's chain first, then decide.
                if settings.askChain {
                    switch chainStep(symbol, spot: spot, now: context.now) {
                    case .ask(let ask):
                        actions += [ask, state(symbol, key, "selecting", "\(why), but no put to roll into streams: asked the broker for the chain", context.now)]
                        continue
                    case .waiting: continue
                    case .answered: break
                    }
                }
                actions += unableToRoll(position, key: key, why: why, now: context.now)
                continue
            }
            rolling[key] = contract
            var roll = rollIntent(key, old: position, new: target, credit: credit, now: context.now)
            roll.selection = selection.record(target, spot: spot)
            actions.append(.submit(roll, owner: symbol))
            actions.append(state(symbol, key, "rolling", "\(contract) → \(Volta_V1_Instrument.of(target.contract).displayName) for a net "
                                 + String(format: "%.2f", credit) + ": \(why)", context.now))
        }
        return actions
    }

    /// No put to roll into: bought back when `close_if_unable_to_roll`, else held and said.
    mutating func unableToRoll(_ position: Volta_V1_Position, key: String, why: String, now: Int64) -> [StrategyAction] {
        let symbol = position.instrument.symbol, contract = position.instrument.displayName
        guard settings.roll.closeIfUnable else {
            return [state(symbol, key, "not rolled", "\(why), but no put qualifies (credit, strike limit, filters): held", now)]
        }
        let id = key.replacingOccurrences(of: "-roll-", with: "-close-")
        rolling[id] = contract
        return [.submit(.closing(position, id: id, strategy: name, instance: settings.instance, reason: "close_if_unable_to_roll",
                                 now: now), owner: symbol),
                state(symbol, key, "closing", "\(why), but no put qualifies: bought back (close_if_unable_to_roll)", now)]
    }

    /// The roll: one combo, sold for a credit (the new put first) or bought for a debit when
    /// credit-only is off, at the mids' difference on the cent toward a fill, for the day; the new put's exits
    /// (take profit and stop loss at the settings' shares of its mid) follow the fill in a new
    /// OCA group. The old put's exits are cancelled by execution once it is flat.
    func rollIntent(_ id: String, old: Volta_V1_Position, new: Volta_V1_OptionQuote, credit: Double, now: Int64) -> Volta_V1_OrderIntent {
        let newPut = Volta_V1_Instrument.of(new.contract)
        let sell = Volta_V1_Leg.with { $0.instrument = newPut; $0.side = .sell; $0.ratio = 1 }
        let buy = Volta_V1_Leg.with { $0.instrument = old.instrument; $0.side = .buy; $0.ratio = 1 }
        let sale = PutRoll.mid(new)
        return Volta_V1_OrderIntent.with {
            $0.intentID = id
            $0.strategy = name
            $0.instance = settings.instance
            $0.purpose = .adjust
            $0.legs = credit >= 0 ? [sell, buy] : [buy, sell]
            $0.quantity = abs(old.quantity)
            $0.orderType = .limit
            $0.priceAsGiven = true
            $0.limitPriceMicros = credit >= 0 ? PutRoll.netLimitMicros(credit) : -PutRoll.netLimitMicros(credit)
            $0.expectedPriceMicros = $0.limitPriceMicros
            $0.tif = .day
            $0.reason = "roll"
            $0.account = old.account
            $0.createdNs = now
            $0.timeout = .with { t in
                t.seconds = Int32(settings.entryTimeoutSeconds)
                t.retries = 0
                t.retryAlgoPriority = "urgent"
            }
            $0.bracket = .with { b in
                b.exitInstrument = newPut
                b.takeProfitMicros = Int64(((1 - settings.takeProfit) * sale * 1e6).rounded())
                b.stopLossMicros = Int64(((1 + settings.stopLoss) * sale * 1e6).rounded())
                b.tif = .gtc
                b.afterFill = true
            }
        }
    }

    /// A roll's (or a failed roll's close's) end.
    mutating func followRoll(_ e: Volta_V1_IntentExecution, now: Int64) -> [StrategyAction] {
        guard e.stage == .stageDone || e.stage == .stageRiskRejected, let old = rolling.removeValue(forKey: e.intentID) else { return [] }
        let symbol = old.split(separator: " ").first.map(String.init) ?? ""
        let isClose = e.intentID.contains("-close-")
        if e.filledQuantity > 0 {
            return [state(symbol, e.intentID, isClose ? "closed" : "rolled",
                          "\(old) \(isClose ? "bought back" : "rolled") at a net \(Double(e.avgFillPriceMicros) / 1e6)", now)]
        }
        let why = e.riskReasonCode.isEmpty ? e.reason : e.riskReasonCode
        var actions: [StrategyAction] = [state(symbol, e.intentID, "not rolled", "\(old): \(why)", now),
                                         .alert(level: .warning, message: "\(e.intentID) not filled (\(why))", owner: symbol)]
        if !isClose, settings.roll.closeIfUnable, let position = shortPuts[symbol]?[old] {
            actions += unableToRoll(position, key: e.intentID, why: "the roll did not fill", now: now)
        }
        return actions
    }
}
