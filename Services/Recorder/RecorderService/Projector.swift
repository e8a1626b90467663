import Foundation
import GRDB
import Messages

/// Keeps the projection tables up to date from newly stored events, in the same transaction, so a
/// projection never holds an event the log lacks, nor misses or repeats one.
///
/// It also keeps, in memory, the latest quote and analytics of every instrument held, for the
/// periodic position snapshots: decoding is limited to those topics, since quotes are most of the
/// traffic.
public struct Projector: Sendable {
    public struct Mark: Sendable, Equatable {
        public var bid: Double?
        public var ask: Double?
        public var underlyingPrice: Double?
        public var greeks: Volta_V1_Greeks?
    }

    /// Latest marks by instrument display name.
    public private(set) var marks: [String: Mark] = [:]
    /// The quote and analytics topics of held options, to their instrument.
    var watched: [String: String] = [:]
    /// Underlying quote topics of held options, to the instruments on them.
    var watchedUnderlyings: [String: Set<String>] = [:]
    /// Positions opened (or found at start) whose greeks no snapshot has shown yet: when their
    /// first analytics arrive, a snapshot is due at once, so the page shows a new position's
    /// greeks, IV and underlying within a second of its fill, not at the next period.
    var awaitingGreeks: Set<String> = []
    /// The latest quote and analytics of every contract and underlying not held, undecoded, by
    /// topic: a position opened on a contract whose analytics came just before its fill takes its
    /// marks from them at once. A quiet contract is republished rarely (its analytics only when
    /// the chain is repriced), and waiting for the next one left a new position without greeks
    /// for seconds on a busy machine.
    var unwatched: [String: RecordedEvent] = [:]
    public private(set) var earlySnapshotDue = false

    public init() {}

    public mutating func load(_ db: Database) throws {
        for row in try Row.fetchAll(db, sql: "SELECT instrument, underlying, expiry, strike, option_right FROM positions WHERE quantity != 0") {
            let expiry: String = row["expiry"]
            guard !expiry.isEmpty else { continue }
            var i = Volta_V1_Instrument()
            i.symbol = row["underlying"]
            i.option.underlying = row["underlying"]
            i.option.expiry = expiry
            i.option.strikeMicros = Int64(((row["strike"] as Double?) ?? 0) * 1_000_000)
            i.option.right = (row["option_right"] as String) == "P" ? .put : .call
            try watch(i)
        }
    }

    /// Applies one newly stored event, if it is of a projected kind.
    public mutating func apply(_ e: RecordedEvent, _ db: Database) throws {
        let topic = e.topic
        if topic.hasPrefix(Topics.Prefix.marketdata) || topic.hasPrefix(Topics.Prefix.pricer) {
            try mark(e)
            return
        }
        switch e.typeName {
        case Volta_V1_OrderStatus.protoMessageName: try Projections.status(try decode(e), e.header.eventTime, db)
        case Volta_V1_Fill.protoMessageName: try Projections.fill(try decode(e), db)
        case Volta_V1_IntentExecution.protoMessageName: try Projections.intentExecution(try decode(e), db)
        case Volta_V1_OrderIntent.protoMessageName: try Projections.intent(try decode(e), e.header.eventTime, db)
        case Volta_V1_StrategyState.protoMessageName: try Projections.strategyState(try decode(e), topic: topic, db)
        case Volta_V1_ParameterChange.protoMessageName: try Projections.parameterChange(try decode(e), db)
        case Volta_V1_DaySummary.protoMessageName:
            let s: Volta_V1_DaySummary = try decode(e)
            try db.execute(sql: "INSERT OR REPLACE INTO day_summaries (date, made_ns, text, json) VALUES (?, ?, ?, ?)",
                           arguments: [s.date, s.madeNs, s.text, s.json])
        case Volta_V1_RiskDecision.protoMessageName: try Projections.riskDecision(try decode(e), e.header.eventTime, db)
        case Volta_V1_AccountValue.protoMessageName: try Projections.accountValue(try decode(e), e.header.eventTime, db)
        case Volta_V1_Position.protoMessageName: try position(try decode(e), e.header.eventTime, db)
        case Volta_V1_AccountSnapshot.protoMessageName:
            let s: Volta_V1_AccountSnapshot = try decode(e)
            for p in s.positions { try position(p, e.header.eventTime, db) }
            for v in s.values { try Projections.accountValue(v, e.header.eventTime, db) }
        default: break
        }
    }

    func decode<M: BusMessage>(_ e: RecordedEvent) throws -> M { try M(serializedBytes: Array(e.payload)) }

    mutating func position(_ p: Volta_V1_Position, _ time: Int64, _ db: Database) throws {
        try Projections.position(p, time, db)
        if p.quantity != 0, p.instrument.hasOption { try watch(p.instrument) }
    }

    /// Follows a held option's quote, analytics and underlying, starting from the latest of each
    /// already recorded.
    mutating func watch(_ i: Volta_V1_Instrument) throws {
        let name = i.displayName
        if watched[Topics.optionAnalytics(i.option)] == nil, marks[name]?.greeks == nil { awaitingGreeks.insert(name) }
        let topics = (quote: Topics.optionQuote(i.option), analytics: Topics.optionAnalytics(i.option), underlying: Topics.underlyingQuote(i.option.underlying))
        watched[topics.quote] = name
        watched[topics.analytics] = name
        watchedUnderlyings[topics.underlying, default: []].insert(name)
        // The underlying first: the analytics then find the position whole and make the snapshot due.
        if let known = watchedUnderlyings[topics.underlying]?.sorted().compactMap({ marks[$0]?.underlyingPrice }).first {
            marks[name, default: Mark()].underlyingPrice = known
        }
        for topic in [topics.underlying, topics.quote, topics.analytics] {
            if let latest = unwatched.removeValue(forKey: topic) { try mark(latest) }
        }
    }

    mutating func mark(_ e: RecordedEvent) throws {
        if let names = watchedUnderlyings[e.topic] {
            let q: Volta_V1_UnderlyingQuote = try decode(e)
            guard q.referencePrice > 0 else { return }
            for n in names { marks[n, default: Mark()].underlyingPrice = q.referencePrice }
            if names.contains(where: ready) { earlySnapshotDue = true }
            return
        }
        guard let name = watched[e.topic] else {
            unwatched[e.topic] = e
            return
        }
        if e.topic.hasPrefix(Topics.Prefix.marketdata) {
            let q: Volta_V1_OptionQuote = try decode(e)
            marks[name, default: Mark()].bid = q.bid
            marks[name, default: Mark()].ask = q.ask
        } else {
            let a: Volta_V1_OptionAnalytics = try decode(e)
            if a.hasOwn { marks[name, default: Mark()].greeks = a.own }
            if ready(name) { earlySnapshotDue = true }
        }
    }

    /// An awaited position whose greeks and underlying price are both known: the page can show it whole.
    func ready(_ name: String) -> Bool {
        awaitingGreeks.contains(name) && marks[name]?.greeks != nil && marks[name]?.underlyingPrice != nil
    }

    /// After a snapshot: the positions it showed whole are no longer awaited.
    public mutating func snapshotTaken() {
        awaitingGreeks = awaitingGreeks.filter { !ready($0) }
        earlySnapshotDue = false
    }

    /// One row per open position into `position_snapshots`, and one per account into
    /// `pnl_history` (realized from the positions, unrealized from the marks).
    public func snapshot(now: Int64, _ db: Database) throws {
        var pnl: [String: (realized: Double, unrealized: Double)] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT account, instrument, quantity, multiplier, avg_cost, unrealized_pnl, realized_pnl FROM positions") {
            let account: String = row["account"], name: String = row["instrument"]
            let quantity: Int64 = row["quantity"], multiplier: Int64 = row["multiplier"], avgCost: Double = row["avg_cost"]
            var unrealized: Double? = row["unrealized_pnl"]
            pnl[account, default: (0, 0)].realized += (row["realized_pnl"] as Double?) ?? 0
            guard quantity != 0 else { continue }
            let m = marks[name]
            let mid = m.flatMap { m in m.bid.flatMap { b in m.ask.map { (b + $0) / 2 } } }
            // avg_cost is per unit of price, as the mark is (Volta's convention; IB's includes the multiplier).
            if let mid { unrealized = (mid - avgCost) * Double(quantity) * Double(multiplier) }
            pnl[account, default: (0, 0)].unrealized += unrealized ?? 0
            try db.execute(sql: """
                INSERT INTO position_snapshots (snapshot_ns, account, instrument, quantity, bid, ask, mid, underlying_price,
                    delta, gamma, theta, vega, iv, theo, unrealized_pnl) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [now, account, name, quantity, m?.bid, m?.ask, mid, m?.underlyingPrice,
                                 m?.greeks?.delta, m?.greeks?.gamma, m?.greeks?.theta, m?.greeks?.vega, m?.greeks?.iv, m?.greeks?.theo,
                                 unrealized])
        }
        for (account, p) in pnl.sorted(by: { $0.key < $1.key }) {
            try db.execute(sql: "INSERT INTO pnl_history (ts_ns, account, realized, unrealized, total) VALUES (?, ?, ?, ?, ?)",
                           arguments: [now, account, p.realized, p.unrealized, p.realized + p.unrealized])
        }
    }
}
