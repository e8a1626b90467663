import GRDB
import Messages

/// The rows each kind of event writes. Every function runs inside the transaction that stored
/// the event, once per event.
enum Projections {
    static func dollars(_ micros: Int64) -> Double { Double(micros) / 1_000_000 }
    static func optionalDollars(_ micros: Int64) -> Double? { micros == 0 ? nil : dollars(micros) }

    static func state(_ s: Volta_V1_OrderState) -> String {
        switch s {
        case .pendingSubmit: "pending"
        case .submitted: "submitted"
        case .pendingCancel: "pending_cancel"
        case .partiallyFilled: "partially_filled"
        case .filled: "filled"
        case .cancelled: "cancelled"
        case .rejected: "rejected"
        case .expired: "expired"
        default: "unknown"
        }
    }

    /// Every state change of an order, and its current state.
    static func status(_ s: Volta_V1_OrderStatus, _ time: Int64, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO order_events (order_id, broker_order_id, state, filled_quantity, remaining_quantity, avg_fill_price, reason, event_ns)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [s.orderID, s.brokerOrderID, state(s.state), s.filledQuantity, s.remainingQuantity,
                             optionalDollars(s.avgFillPriceMicros), s.reason, time])
        try db.execute(sql: """
            INSERT INTO orders (order_id, broker_order_id, quantity, filled_quantity, avg_fill_price, state, reason, created_ns, updated_ns)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
            ON CONFLICT (order_id) DO UPDATE SET
                broker_order_id = CASE WHEN ?2 != 0 THEN ?2 ELSE broker_order_id END,
                filled_quantity = MAX(filled_quantity, ?4), avg_fill_price = COALESCE(?5, avg_fill_price),
                state = CASE WHEN state IN ('filled', 'cancelled', 'rejected', 'expired') THEN state ELSE ?6 END,
                reason = CASE WHEN ?7 != '' THEN ?7 ELSE reason END, updated_ns = MAX(updated_ns, ?8)
            """, arguments: [s.orderID, s.brokerOrderID, s.filledQuantity + s.remainingQuantity, s.filledQuantity,
                             optionalDollars(s.avgFillPriceMicros), state(s.state), s.reason, time])
    }

    /// What execution knows of an intent's order: who, what, why, the limit, slippage and P&L.
    static func intentExecution(_ e: Volta_V1_IntentExecution, _ db: Database) throws {
        guard !e.orderID.isEmpty else { return }
        let purpose = switch e.purpose { case .open: "open"; case .close: "close"; case .adjust: "adjust"; default: "" }
        try db.execute(sql: """
            INSERT INTO orders (order_id, intent_id, account, strategy, instrument, purpose, intent_reason, quantity, filled_quantity,
                limit_price, avg_fill_price, expected_price, slippage, realized_pnl, reprices, state, reason, created_ns, updated_ns)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?18)
            ON CONFLICT (order_id) DO UPDATE SET
                intent_id = ?2, account = ?3, strategy = ?4, instrument = ?5, purpose = ?6, intent_reason = ?7, quantity = ?8,
                filled_quantity = MAX(filled_quantity, ?9), limit_price = COALESCE(?10, limit_price),
                avg_fill_price = COALESCE(?11, avg_fill_price), expected_price = COALESCE(?12, expected_price),
                slippage = COALESCE(?13, slippage), realized_pnl = COALESCE(?14, realized_pnl), reprices = MAX(reprices, ?15),
                state = CASE WHEN state IN ('filled', 'cancelled', 'rejected', 'expired') THEN state ELSE ?16 END,
                updated_ns = MAX(updated_ns, ?18)
            """, arguments: [e.orderID, e.intentID, e.account, e.strategy, e.instrument, purpose, e.intentReason, e.quantity,
                             e.filledQuantity, optionalDollars(e.limitPriceMicros), optionalDollars(e.avgFillPriceMicros),
                             optionalDollars(e.expectedPriceMicros), e.filledQuantity > 0 ? dollars(e.slippageMicros) : nil,
                             e.realizedPnlMicros == 0 ? nil : dollars(e.realizedPnlMicros), Int(e.reprices), state(e.orderState),
                             e.reason, e.updatedNs])
        try db.execute(sql: """
            UPDATE orders SET order_role = ?, parent_intent_id = ?, algo_strategy = ?, algo_priority = ?, oca_group = ?,
                con_id = CASE WHEN ? != 0 THEN ? ELSE con_id END WHERE order_id = ?
            """, arguments: [role(e), e.parentIntentID, e.algo, e.algoPriority, e.ocaGroup, e.contractID, e.contractID, e.orderID])
    }

    /// The plan's order roles: a bracket's exits by their role, a roll by its reason, an entry
    /// as the parent of what follows it.
    static func role(_ e: Volta_V1_IntentExecution) -> String {
        if !e.role.isEmpty { return e.role.uppercased() }
        if e.intentReason.contains("roll") { return "ROLL" }
        switch e.purpose {
        case .open: return "PARENT"
        case .close: return "CLOSE"
        case .adjust: return "ADJUST"
        default: return ""
        }
    }

    /// An execution, and the trade it opens, adds to, reduces or closes.
    static func fill(_ f: Volta_V1_Fill, _ db: Database) throws {
        let name = f.instrument.displayName
        let underlying = f.instrument.underlyingSymbol
        try db.execute(sql: """
            INSERT OR IGNORE INTO executions (fill_id, order_id, account, instrument, underlying, side, quantity, price, commission, time_ns)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [f.fillID, f.orderID, f.account, name, underlying, f.side == .sell ? "SELL" : "BUY", f.quantity,
                             dollars(f.priceMicros), dollars(f.commissionMicros), f.timeNs])
        guard db.changesCount > 0 else { return } // a fill heard twice counts once
        let order = try Row.fetchOne(db, sql: "SELECT strategy, intent_reason, expected_price FROM orders WHERE order_id = ?", arguments: [f.orderID])
        let fill = TradeFill(account: f.account, instrument: name, underlying: underlying,
                             multiplier: f.instrument.hasOption ? Int64(max(1, f.instrument.option.multiplier)) : 1,
                             quantity: f.side == .sell ? -f.quantity : f.quantity, price: dollars(f.priceMicros),
                             commission: dollars(f.commissionMicros), timeNs: f.timeNs, orderID: f.orderID,
                             strategy: order?["strategy"], intentReason: order?["intent_reason"], expectedPrice: order?["expected_price"])
        let open = try Row.fetchOne(db, sql: "SELECT * FROM trades WHERE account = ? AND instrument = ? AND status = 'OPEN'",
                                    arguments: [f.account, name]).map(TradeRows.trade)
        for t in TradeLedger.apply(fill, to: open) { try TradeRows.save(t, db) }
    }

    static func intent(_ i: Volta_V1_OrderIntent, _ time: Int64, _ db: Database) throws {
        let instrument = i.legs.map(\.instrument.displayName).joined(separator: " / ")
        let c = i.cancelIf
        let detail = [i.reason, i.hasCancelIf ? "cancel if \(c.underlying) \(c.above ? "above" : "below") \(c.level)\(c.reason.isEmpty ? "" : " (\(c.reason))")" : ""]
            .filter { !$0.isEmpty }.joined(separator: "; ")
        let s = i.hasSelection ? i.selection : nil
        try db.execute(sql: """
            INSERT INTO signals (kind, strategy, intent_id, instrument, detail, event_ns, dte, delta, iv, premium, underlying_price)
            VALUES ('intent', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [i.strategy, i.intentID, instrument, detail, time, s.map { Int($0.dte) }, s?.delta, s?.iv, s?.premium,
                             s?.underlyingPrice])
    }

    static func parameterChange(_ c: Volta_V1_ParameterChange, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO parameter_changes (ts_ns, strategy, key, previous, value, who) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [c.atNs, c.strategy, c.key, c.previous, c.reset ? nil : c.value, c.who])
    }

    /// Any strategy's state; a plug-in's own projection reads its payload beside it.
    static func strategyState(_ s: Volta_V1_StrategyState, topic: String, _ db: Database) throws {
        if s.removed {
            try db.execute(sql: "DELETE FROM strategy_states WHERE topic = ?", arguments: [topic])
        } else {
            try db.execute(sql: """
                INSERT OR REPLACE INTO strategy_states (topic, strategy, instance, key, owner_key, worker, status, summary, updated_ns)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [topic, s.strategy, s.instance, s.key, s.ownerKey, s.worker, s.status, s.summary, s.updatedNs])
        }
        if s.payloadType == Volta_V1_StopState.protoMessageName {
            try stop(try Volta_V1_StopState(serializedBytes: s.payload), topic: topic, db)
        }
    }

    /// The stop manager's own projection: the `stops` table behind the risk view's max loss.
    static func stop(_ s: Volta_V1_StopState, topic: String, _ db: Database) throws {
        if s.status == "closed" {
            try db.execute(sql: "DELETE FROM stops WHERE topic = ?", arguments: [topic])
            return
        }
        let previous = try String.fetchOne(db, sql: "SELECT status FROM stops WHERE topic = ?", arguments: [topic])
        try db.execute(sql: """
            INSERT OR REPLACE INTO stops (topic, account, instrument, underlying, quantity, stop_level, best_underlying, underlying_price,
                trail, status, intent_id, updated_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [topic, s.account, s.instrument.displayName, s.instrument.option.underlying, s.quantity, s.stopLevel,
                             s.bestUnderlying, s.underlyingPrice, s.trailFraction, s.status, s.intentID, s.updatedNs])
        if s.status == "triggered", previous != "triggered" {
            try db.execute(sql: "INSERT INTO signals (kind, strategy, intent_id, instrument, detail, event_ns) VALUES ('stop_triggered', ?, ?, ?, ?, ?)",
                           arguments: [s.instance, s.intentID, s.instrument.displayName,
                                       "\(s.instrument.option.underlying) at \(s.underlyingPrice) crossed the stop at \(s.stopLevel)", s.updatedNs])
        }
    }

    static func riskDecision(_ d: Volta_V1_RiskDecision, _ time: Int64, _ db: Database) throws {
        let verdict = switch d.verdict { case .riskApproved: "approved"; case .riskRejected: "rejected"; case .riskPendingConfirmation: "pending"; default: "unknown" }
        try db.execute(sql: """
            INSERT INTO risk_decisions (intent_id, verdict, reason_code, detail, kill_switch, mode, event_ns) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [d.intentID, verdict, d.reasonCode, d.detail, d.killSwitch, d.mode, time])
    }

    static func accountValue(_ v: Volta_V1_AccountValue, _ time: Int64, _ db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO account_values (account, key, value, currency, updated_ns) VALUES (?, ?, ?, ?, ?)",
                       arguments: [v.account, v.key, dollars(v.valueMicros), v.currency, time])
    }

    static func position(_ p: Volta_V1_Position, _ time: Int64, _ db: Database) throws {
        let o = p.instrument.option
        let option = p.instrument.hasOption
        try db.execute(sql: """
            INSERT OR REPLACE INTO positions (account, instrument, underlying, expiry, strike, option_right, multiplier, quantity, avg_cost,
                market_price, unrealized_pnl, realized_pnl, updated_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [p.account, p.instrument.displayName, option ? o.underlying : p.instrument.symbol, option ? o.expiry : "",
                             option ? dollars(o.strikeMicros) : nil, option ? (o.right == .put ? "P" : "C") : "",
                             option ? Int(max(1, o.multiplier)) : 1, p.quantity, dollars(p.avgCostMicros),
                             p.marketPrice, p.unrealizedPnl, p.realizedPnl, time])
    }
}
