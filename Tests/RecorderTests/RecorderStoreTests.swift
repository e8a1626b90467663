import Bus
import Foundation
import GRDB
import Messages
import StopsStrategy
import RecorderService
import TestSupport
import Testing

/// Envelopes as publishers stamp them, for feeding the recorder's writer directly.
struct Publisher {
    var instance = "execution"
    var epoch: UInt64 = 1
    var sequences: [String: UInt64] = [:]

    mutating func event(_ m: some BusMessage, time: Int64 = 1_000, sequence: UInt64? = nil) throws -> RecordedEvent {
        let topic = m.topic
        let next = sequence ?? (sequences[topic, default: 0] + 1)
        sequences[topic] = next
        var e = Volta_V1_Envelope()
        e.type = type(of: m).protoMessageName
        e.source.service = instance
        e.source.instance = instance
        e.source.epoch = epoch
        e.sequence = next
        e.eventTimeNs = time
        e.payload = try m.serializedData()
        e.topic = topic
        return try RecordedEvent(topic: topic, envelope: try e.serializedBytes())
    }
}

func temporaryDatabase() throws -> DatabasePool {
    try RecorderDatabase.open(path: NSTemporaryDirectory() + "volta-recorder-\(UUID().uuidString).sqlite")
}

func option(_ right: Volta_V1_Right = .call, strike: Int64 = 600) -> Volta_V1_Instrument { testOption(right, strike: strike) }

/// A held option's market as the recorder hears it: its underlying's quote, its quote, its analytics.
func market(of option: Volta_V1_Instrument, underlying: (bid: Double, ask: Double), option touch: (bid: Double, ask: Double),
            delta: Double) -> (Volta_V1_UnderlyingQuote, Volta_V1_OptionQuote, Volta_V1_OptionAnalytics) {
    var u = Volta_V1_UnderlyingQuote()
    u.symbol = option.option.underlying
    u.bid = underlying.bid
    u.ask = underlying.ask
    var q = Volta_V1_OptionQuote()
    q.contract = option.option
    q.bid = touch.bid
    q.ask = touch.ask
    var a = Volta_V1_OptionAnalytics()
    a.contract = option.option
    a.own.delta = delta
    return (u, q, a)
}

@Suite("Recorder store")
struct RecorderStoreTests {
    @Test func anEventHeardTwiceIsStoredOnceAndAcksNameContiguousRuns() throws {
        let pool = try temporaryDatabase()
        var writer = RecorderWriter()
        try pool.read { try writer.load($0) }
        var p = Publisher()
        var tick = Volta_V1_ProbeTick()
        tick.note = "x"
        let events = try (1...5).map { _ in try p.event(tick) }
        let first = try pool.write { try writer.record(Array(events[0..<3]), now: 1, $0) }
        #expect(first.inserted == 3)
        let again = try pool.write { try writer.record(Array(events[1..<5]), now: 2, $0) }
        #expect(again.inserted == 2 && again.total == 5)
        #expect(try pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM events") } == 5)
        let ranges = EventLog.ranges([events[0], events[1], events[3], events[1]])
        #expect(ranges.map { [$0.firstSequence, $0.lastSequence] } == [[1, 2], [4, 4]])

        // A restarted writer knows what is stored.
        var restarted = RecorderWriter()
        try pool.read { try restarted.load($0) }
        #expect(try pool.write { try restarted.record(events, now: 3, $0) }.inserted == 0)
    }

    /// A short put whose take profit is a working order (the put seller's): max profit is what
    /// that order gains, (2.00 − 5.00) × −1 × 100 = 300.
    @Test func maxProfitCountsAWorkingTakeProfitOrder() throws {
        let pool = try temporaryDatabase()
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO positions (account, instrument, underlying, expiry, strike, option_right, multiplier, quantity, avg_cost, updated_ns)
                VALUES ('SIM1', 'SPY 2027-02-19 P 545', 'SPY', '2027-02-19', 545, 'P', 100, -1, 5.0, 1);
                INSERT INTO orders (order_id, account, instrument, quantity, limit_price, state, order_role, created_ns, updated_ns)
                VALUES ('tp', 'SIM1', 'SPY 2027-02-19 P 545', 1, 2.0, 'submitted', 'TAKE_PROFIT', 2, 2),
                       ('old', 'SIM1', 'SPY 2027-02-19 P 545', 1, 1.0, 'cancelled', 'TAKE_PROFIT', 1, 1);
                """)
        }
        let maxProfit = try pool.read { db in try Double.fetchOne(db, sql: "SELECT max_profit FROM risk_metrics") }
        #expect(maxProfit == 300)
    }

    @Test func gapsInAPublisherStreamAreRecorded() throws {
        let pool = try temporaryDatabase()
        var writer = RecorderWriter()
        var p = Publisher(instance: "marketdata")
        var q = Volta_V1_UnderlyingQuote()
        q.symbol = "SPY"
        let events = [try p.event(q, sequence: 1), try p.event(q, sequence: 2), try p.event(q, sequence: 5)]
        let outcome = try pool.write { try writer.record(events, now: 1, $0) }
        #expect(outcome.gaps.count == 1 && outcome.gaps[0].service == "marketdata" && outcome.gaps[0].topic == "md.quote.SPY")
        let row = try #require(try pool.read { try Row.fetchOne($0, sql: "SELECT first_missing, last_missing FROM gaps") })
        #expect(row["first_missing"] as Int64 == 3 && row["last_missing"] as Int64 == 4)
    }

    /// An open through execution, a stop exit, fills and positions: orders, executions, the
    /// trade with its exit reason, P&L and slippage, and the views.
    @Test func aStopExitBecomesAClosedTradeInEveryView() throws {
        let pool = try temporaryDatabase()
        var writer = RecorderWriter()
        var exec = Publisher(), gateway = Publisher(instance: "gateway"), strategy = Publisher(instance: "strategy-1")
        let call = option()
        func report(_ id: String, purpose: Volta_V1_IntentPurpose, reason: String, expected: Int64, state: Volta_V1_OrderState) -> Volta_V1_IntentExecution {
            var r = Volta_V1_IntentExecution()
            r.intentID = id
            r.orderID = "ex-\(id)"
            r.stage = state == .filled ? .stageDone : .stageWorking
            r.orderState = state
            r.quantity = 2
            r.filledQuantity = state == .filled ? 2 : 0
            r.expectedPriceMicros = expected
            r.limitPriceMicros = expected
            r.strategy = purpose == .open ? "test" : "stops"
            r.purpose = purpose
            r.intentReason = reason
            r.account = "SIM1"
            r.instrument = call.displayName
            r.updatedNs = 10
            return r
        }
        func status(_ order: String, _ state: Volta_V1_OrderState, filled: Int64) -> Volta_V1_OrderStatus {
            var s = Volta_V1_OrderStatus()
            s.orderID = order
            s.brokerOrderID = 77
            s.state = state
            s.filledQuantity = filled
            s.remainingQuantity = 2 - filled
            return s
        }
        func fill(_ id: String, _ order: String, _ side: Volta_V1_Side, price: Int64) -> Volta_V1_Fill {
            var f = Volta_V1_Fill()
            f.fillID = id
            f.orderID = order
            f.instrument = call
            f.side = side
            f.quantity = 2
            f.priceMicros = price
            f.commissionMicros = 1_300_000
            f.timeNs = 20
            f.account = "SIM1"
            return f
        }
        func position(_ quantity: Int64) -> Volta_V1_Position {
            var p = Volta_V1_Position()
            p.account = "SIM1"
            p.instrument = call
            p.quantity = quantity
            p.avgCostMicros = quantity == 0 ? 0 : 3_000_000
            return p
        }
        var stop = Volta_V1_StopState()
        stop.instrument = call
        stop.account = "SIM1"
        stop.quantity = 2
        stop.stopLevel = 590
        stop.underlyingPrice = 600
        stop.status = "armed"
        let opening = [
            try exec.event(report("open-1", purpose: .open, reason: "", expected: 3_000_000, state: .submitted)),
            try gateway.event(status("ex-open-1", .submitted, filled: 0)),
        ]
        try pool.write { _ = try writer.record(opening, now: 1, $0) }
        #expect(try pool.read { try String.fetchAll($0, sql: "SELECT order_id FROM pending_orders") } == ["ex-open-1"])
        let rest = [
            try gateway.event(fill("F1", "ex-open-1", .buy, price: 3_000_000)),
            try gateway.event(status("ex-open-1", .filled, filled: 2)),
            try gateway.event(position(2)),
            try strategy.event(try stop.strategyState()),
        ]
        try pool.write { _ = try writer.record(rest, now: 2, $0) }
        let open = try #require(try pool.read { try Row.fetchOne($0, sql: "SELECT * FROM open_positions") })
        #expect(open["quantity"] as Int64 == 2 && open["stop_level"] as Double == 590 && open["stop_status"] as String == "armed")
        stop.status = "triggered"
        let exit = [
            try strategy.event(try stop.strategyState()),
            try exec.event(report("stop-1", purpose: .close, reason: "stop_loss", expected: 2_600_000, state: .submitted)),
            try gateway.event(fill("F2", "ex-stop-1", .sell, price: 2_500_000)),
            try gateway.event(fill("F2", "ex-stop-1", .sell, price: 2_500_000), sequence: 99), // the same fill again
            try gateway.event(status("ex-stop-1", .filled, filled: 2)),
            try gateway.event(position(0)),
        ]
        try pool.write { _ = try writer.record(exit, now: 3, $0) }
        try pool.read { db in
            let trade = try #require(try Row.fetchOne(db, sql: "SELECT * FROM trades"))
            #expect(trade["status"] as String == "CLOSED" && trade["exit_reason"] as String == "STOP_LOSS" && trade["strategy"] as String == "test")
            #expect(abs(trade["realized_pnl"] as Double - (-102.6)) < 1e-9)
            #expect(abs(trade["slippage"] as Double - 0.1) < 1e-9)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM executions") == 2)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM order_events") == 3)
            #expect(try String.fetchAll(db, sql: "SELECT state FROM orders ORDER BY order_id") == ["filled", "filled"])
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pending_orders") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM open_positions") == 0)
            #expect(try String.fetchAll(db, sql: "SELECT kind FROM signals") == ["stop_triggered"])
            let summary = try #require(try Row.fetchOne(db, sql: "SELECT * FROM strategy_summary"))
            #expect(summary["losses"] as Int == 1 && summary["win_rate"] as Double == 0)
        }
    }

    /// The put seller plan's record: each order's role (the sale as PARENT, its exits by role,
    /// a roll as ROLL), its entry, algo, OCA group and contract id; the sale's signal with the
    /// numbers the put was chosen by.
    @Test func thePlansOrderRolesAlgosAndSelectionAreKept() throws {
        let pool = try temporaryDatabase()
        var writer = RecorderWriter()
        var exec = Publisher(), strategy = Publisher(instance: "strategy-1")
        var put = option(.put, strike: 540)
        put.option.brokerID = 123_456
        var sale = Volta_V1_OrderIntent.with {
            $0.intentID = "putseller-SPY-20261207"; $0.strategy = "putseller"; $0.purpose = .open; $0.reason = "daily_put_sale"
            $0.legs = [.with { l in l.instrument = put; l.side = .sell; l.ratio = 1 }]; $0.quantity = 1
        }
        sale.selection = .with { $0.dte = 95; $0.delta = -0.15; $0.iv = 0.18; $0.premium = 3.15; $0.underlyingPrice = 600 }
        func report(_ id: String, parent: String = "", role: String = "", reason: String, purpose: Volta_V1_IntentPurpose,
                    algo: (String, String) = ("", ""), oca: String = "") -> Volta_V1_IntentExecution {
            .with {
                $0.intentID = id; $0.orderID = "ex-\(id)"; $0.stage = .stageWorking; $0.orderState = .submitted; $0.quantity = 1
                $0.strategy = "putseller"; $0.purpose = purpose; $0.intentReason = reason; $0.parentIntentID = parent; $0.role = role
                $0.algo = algo.0; $0.algoPriority = algo.1; $0.ocaGroup = oca; $0.contractID = 123_456; $0.instrument = put.displayName
                $0.updatedNs = 10
            }
        }
        let events = [
            try strategy.event(sale),
            try exec.event(report(sale.intentID, reason: "daily_put_sale", purpose: .open, algo: ("adaptive", "normal"))),
            try exec.event(report(sale.intentID + ".take_profit", parent: sale.intentID, role: "take_profit", reason: "take_profit",
                                  purpose: .close, oca: "oca-" + sale.intentID)),
            try exec.event(report(sale.intentID + ".stop_loss", parent: sale.intentID, role: "stop_loss", reason: "stop_loss",
                                  purpose: .close, oca: "oca-" + sale.intentID)),
            try exec.event(report("putseller-roll-1", reason: "roll", purpose: .adjust)),
        ]
        try pool.write { _ = try writer.record(events, now: 1, $0) }
        try pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM orders ORDER BY created_ns, order_id")
            let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0["order_id"] as String, $0) })
            let parent = try #require(byID["ex-" + sale.intentID])
            #expect(parent["order_role"] as String == "PARENT" && parent["algo_strategy"] as String == "adaptive"
                    && parent["algo_priority"] as String == "normal" && parent["con_id"] as Int64 == 123_456)
            let tp = try #require(byID["ex-\(sale.intentID).take_profit"]), sl = try #require(byID["ex-\(sale.intentID).stop_loss"])
            #expect(tp["order_role"] as String == "TAKE_PROFIT" && sl["order_role"] as String == "STOP_LOSS")
            #expect(tp["parent_intent_id"] as String == sale.intentID && tp["oca_group"] as String == sl["oca_group"] as String)
            #expect(byID["ex-putseller-roll-1"]?["order_role"] as String? == "ROLL")
            let signal = try #require(try Row.fetchOne(db, sql: "SELECT * FROM signals WHERE kind = 'intent'"))
            #expect(signal["dte"] as Int == 95 && signal["delta"] as Double == -0.15 && signal["iv"] as Double == 0.18)
            #expect(signal["premium"] as Double == 3.15 && signal["underlying_price"] as Double == 600)
        }
    }

    /// The book's greeks and the loss if every stop were hit, from a snapshot of the marks.
    @Test func riskMetricsComeFromSnapshotsAndStopLevels() throws {
        let pool = try temporaryDatabase()
        var writer = RecorderWriter()
        var gateway = Publisher(instance: "gateway"), md = Publisher(instance: "marketdata"), px = Publisher(instance: "pricer")
        var strategy = Publisher(instance: "strategy-1")
        let call = option()
        var p = Volta_V1_Position()
        p.account = "SIM1"
        p.instrument = call
        p.quantity = 1
        p.avgCostMicros = 4_000_000
        var (u, q, a) = market(of: call, underlying: (99.99, 100.01), option: (4.9, 5.1), delta: 0.5)
        a.own.gamma = 0.02
        a.own.theta = -36.5
        a.own.vega = 20
        var stop = Volta_V1_StopState()
        stop.instrument = call
        stop.account = "SIM1"
        stop.quantity = 1
        stop.stopLevel = 95
        stop.status = "armed"
        let events = [try gateway.event(p), try md.event(u), try md.event(q), try px.event(a), try strategy.event(try stop.strategyState())]
        try pool.write { db in
            _ = try writer.record(events, now: 1, db)
            try writer.projector.snapshot(now: 2, db)
        }
        try pool.read { db in
            let r = try #require(try Row.fetchOne(db, sql: "SELECT * FROM risk_metrics"))
            #expect(r["net_delta"] as Double == 50 && r["net_gamma"] as Double == 2)
            #expect(abs(r["net_theta"] as Double - (-10)) < 1e-9 && abs(r["net_vega"] as Double - 20) < 1e-9)
            #expect(abs(r["max_loss"] as Double - 225) < 1e-9, "100 × (0.5 × −5 + ½ × 0.02 × 25) = −225")
            #expect(abs(r["unrealized_pnl"] as Double - 100) < 1e-9)
            let pnl = try #require(try Row.fetchOne(db, sql: "SELECT * FROM pnl_history"))
            #expect(abs(pnl["unrealized"] as Double - 100) < 1e-9)
        }
    }

    /// A sale's analytics came just before its position (the pricer repriced the chain as the
    /// fill landed) and a quiet contract is not republished for a while: the new position's
    /// marks come from what was already recorded, and its snapshot is due at once.
    @Test func aNewPositionTakesItsMarksFromWhatCameBeforeIt() throws {
        let pool = try temporaryDatabase()
        var writer = RecorderWriter()
        var gateway = Publisher(instance: "gateway"), md = Publisher(instance: "marketdata"), px = Publisher(instance: "pricer")
        let put = option(.put, strike: 545)
        let (u, q, a) = market(of: put, underlying: (599, 601), option: (3.5, 3.7), delta: -0.15)
        var other = a
        other.contract = option(.put, strike: 550).option
        other.own.delta = -0.2
        var p = Volta_V1_Position()
        p.account = "SIM1"
        p.instrument = put
        p.quantity = -1
        try pool.write { db in _ = try writer.record([try md.event(u), try md.event(q), try px.event(a), try px.event(other)], now: 1, db) }
        #expect(writer.projector.marks[put.displayName] == nil)
        #expect(!writer.projector.earlySnapshotDue)
        try pool.write { db in _ = try writer.record([try gateway.event(p)], now: 2, db) }
        let mark = try #require(writer.projector.marks[put.displayName])
        #expect(mark.greeks?.delta == -0.15 && mark.bid == 3.5 && mark.ask == 3.7 && mark.underlyingPrice == 600)
        #expect(writer.projector.earlySnapshotDue)
    }

    @Test func aBackupIsAWholeDatabase() throws {
        let pool = try temporaryDatabase()
        var writer = RecorderWriter()
        var p = Publisher()
        var tick = Volta_V1_ProbeTick()
        tick.note = "x"
        let events = try (1...10).map { _ in try p.event(tick) }
        try pool.write { _ = try writer.record(events, now: 1, $0) }
        let dir = NSTemporaryDirectory() + "volta-backups-\(UUID().uuidString)"
        var files: [String] = []
        for n in 0..<3 { files.append(try RecorderDatabase.backup(pool, to: dir, keep: 2, now: Int64(n) * 1_000_000_000)) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == files.suffix(2).map { ($0 as NSString).lastPathComponent })
        let copy = try DatabaseQueue(path: files.last!)
        #expect(try copy.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM events") } == 10)
    }

    @Test func queriesRefuseBadParametersWithTheirReason() throws {
        let pool = try temporaryDatabase()
        func run(_ name: String, _ parameters: [String: String]) throws -> Volta_V1_RecorderTable {
            var q = Volta_V1_RecorderQuery()
            q.name = name
            q.parameters = parameters
            q.csv = true
            return try pool.read { try RecorderQueries.run(q, now: 0, $0) }
        }
        #expect(throws: QueryError("from must be a date like 2026-11-20, got '2026-02-30'")) { try run("trades", ["from": "2026-02-30"]) }
        #expect(throws: QueryError("status must be one of open, closed, all, got 'won'")) { try run("trades", ["status": "won"]) }
        #expect(throws: QueryError("to must not be before from")) { try run("trades", ["from": "2026-11-20", "to": "2026-11-19"]) }
        #expect(throws: (any Error).self) { try run("trades", ["sort": "x"]) }
        #expect(throws: (any Error).self) { try run("no_such_query", [:]) }
        let table = try run("trades", ["from": "2026-11-20", "to": "2026-11-20", "status": "CLOSED"])
        #expect(table.rows.isEmpty && table.csv.hasPrefix("id,account,instrument,"))
    }
}
