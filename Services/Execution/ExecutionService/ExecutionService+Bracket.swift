import Bus
import Messages
import Trading

/// A bracket's exits: a take-profit limit and a stop-loss stop, on the other side of the entry,
/// in one OCA group. Placed with the entry as broker-held children (the broker works them once the
/// entry fills), or, two-step, once the entry has filled, for what filled. A combo that opens one
/// leg (a roll) names it: its exits close that leg alone.
extension ExecutionService {
    func placeBracket(of parentID: String, fillMicros: Int64?, quantity: Int64) async {
        guard let parent = records.withLock({ $0[parentID]?.intent }), parent.hasBracket else { return }
        let b = parent.bracket
        let exitLegs = Self.exitLegs(of: parent)
        guard let first = exitLegs.first else {
            logger.error("a bracket names an exit leg its entry does not have: no exits placed",
                         metadata: ["entry": "\(parentID)", "exit_instrument": "\(b.exitInstrument.displayName)"])
            return
        }
        let tick = await tickMicros(first.instrument)
        var children: [Volta_V1_OrderIntent] = []
        func child(_ role: String) -> Volta_V1_OrderIntent {
            var c = Volta_V1_OrderIntent()
            c.intentID = Self.childIntentID(parentID, role: role)
            c.strategy = parent.strategy
            c.instance = parent.instance
            c.purpose = .close
            c.legs = exitLegs.map { leg in
                var l = leg
                l.side = leg.side == .sell ? .buy : .sell
                return l
            }
            c.quantity = quantity
            c.tif = b.tif == .unspecified ? .gtc : b.tif
            c.reason = role
            c.account = parent.account
            c.ocaGroup = parent.ocaGroup.isEmpty ? "oca-\(parentID)" : parent.ocaGroup
            c.positionAvgCostMicros = fillMicros ?? parent.limitPriceMicros
            c.algo = ""
            return c
        }
        // The exits sell a long (buy back a short): a limit rounds toward a fill, a stop toward
        // triggering sooner, both onto the contract's tick.
        let exitSells = first.side != .sell
        func price(_ absolute: Int64, _ ratio: Double, limit: Bool) -> Int64? {
            let raw = absolute > 0 ? absolute : (ratio > 0 ? fillMicros.map { Int64((Double($0) * ratio).rounded()) } : nil)
            guard let raw, raw > 0 else { return nil }
            guard let tick, tick > 0 else { return raw }
            let up = limit ? !exitSells : exitSells  // onTick rounds up for `sell: true`
            let snapped = SmartLimit.onTick(Double(raw) / 1_000_000, tickMicros: tick, sell: up)
            return max(snapped, tick)
        }
        if let tp = price(b.takeProfitMicros, b.takeProfitRatio, limit: true) {
            var c = child("take_profit")
            c.orderType = .limit
            c.priceAsGiven = true
            c.limitPriceMicros = tp
            children.append(c)
        }
        if let sl = price(b.stopLossMicros, b.stopLossRatio, limit: false) {
            var c = child("stop_loss")
            c.orderType = .stop
            c.stopPriceMicros = sl
            children.append(c)
        }
        let started = records.withLock { r -> [String] in
            children.compactMap { c in
                guard r[c.intentID] == nil else { return nil }
                var rec = ExecutionRecord(intentID: c.intentID, intent: c)
                rec.parentIntentID = parentID
                rec.role = c.reason
                r[c.intentID] = rec
                return c.intentID
            }
        }
        logger.info("bracket exits", metadata: ["entry": "\(parentID)", "children": "\(started)", "two_step": "\(b.afterFill)"])
        for id in started {
            publish(id)
            TaskPlacement.spawn { await self.work(id) }
        }
    }

    /// The entry's legs its exits close: the named one, or all of them.
    static func exitLegs(of parent: Volta_V1_OrderIntent) -> [Volta_V1_Leg] {
        guard parent.bracket.hasExitInstrument else { return parent.legs }
        return parent.legs.filter { $0.instrument == parent.bracket.exitInstrument }.map { leg in
            var l = leg
            l.ratio = 1
            return l
        }
    }

    /// True for the one caller that gets to make `id`'s bracket children: tested and set in one
    /// critical section, so two paths reaching it (a place, a status) never make them twice.
    func claimChildren(_ id: String) -> Bool {
        records.withLock { r in
            guard r[id]?.childrenPlaced == false else { return false }
            r[id]?.childrenPlaced = true
            return true
        }
    }

    /// `<entry>.take_profit`, `<entry>.stop_loss`: derived, so a restarted execution or a
    /// resubmitted entry names the same children.
    static func childIntentID(_ parent: String, role: String) -> String { "\(parent).\(role)" }
}
