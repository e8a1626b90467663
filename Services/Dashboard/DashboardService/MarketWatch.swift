import Bus
import Logging
import Messages
import Synchronization

/// The market as the page shows it: each underlying's price (the index and the VIX among them)
/// and a sparkline of it, and the pricer's fitted surfaces. The recorder keeps every quote, but
/// only as encoded envelopes, so the recent path is kept here, sampled on the bus clock: a page
/// opened after a dashboard restart starts from marketdata's snapshot and draws its line from
/// then on. The surfaces are followed rather than asked for: one small message per underlying
/// per refit, at hand when a page wants a smile even while the pricer is busy.
public final class MarketWatch: Sendable {
    public struct Settings: Sendable {
        /// One point of the sparkline per this much bus time; the newest point follows the price.
        public var sampleEveryNs: Int64 = 10_000_000_000
        /// Points kept: an hour at the default cadence.
        public var keep = 360
        /// The volatility index, shown on its own.
        public var volatilityIndex = "VIX"
        public init() {}
    }

    struct Line {
        var quote: Volta_V1_UnderlyingQuote
        var updatedNs: Int64
        /// (bus time, price), oldest first; the last one moves with the price until a new one is due.
        var points: [(ns: Int64, price: Double)]
    }

    let bus: Bus
    let settings: Settings
    let logger: Logger
    private let lines = Mutex<[String: Line]>([:])
    private let surfaces = Mutex<[String: Volta_V1_VolSurface]>([:])

    public init(bus: Bus, settings: Settings = Settings(), logger: Logger) {
        self.bus = bus
        self.settings = settings
        self.logger = logger
    }

    /// Follows the underlyings' quotes and the pricer's surfaces until cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.followQuotes() }
            group.addTask { await self.followSurfaces() }
        }
    }

    /// The pricer's surfaces, from its snapshot when it answers soon (a busy pricer computes one
    /// slowly: then from its next refits).
    func followSurfaces() async {
        let surfaces: Subscription<Volta_V1_VolSurface>
        do {
            surfaces = try await bus.subscribeWithSnapshot(Volta_V1_VolSurface.self, prefix: Topics.Prefix.volSurfaces,
                                                           stream: Topics.Service.pricer, timeout: .seconds(2), retries: 0)
        } catch {
            logger.info("no pricer snapshot; surfaces show from its next refits", metadata: ["error": "\(error)"])
            surfaces = bus.subscribe(Volta_V1_VolSurface.self, prefix: Topics.Prefix.volSurfaces)
        }
        for await r in surfaces { self.surfaces.withLock { $0[r.message.underlying] = r.message } }
    }

    /// The underlyings' quotes, starting from marketdata's snapshot.
    func followQuotes() async {
        let quotes: Subscription<Volta_V1_UnderlyingQuote>
        do {
            quotes = try await bus.subscribeWithSnapshot(Volta_V1_UnderlyingQuote.self, prefix: Topics.Prefix.underlyingQuotes,
                                                         stream: Topics.Service.marketdata, retries: 1)
        } catch {
            // Not the page's error: the prices come with the next quotes.
            logger.info("no marketdata snapshot; prices show from the next quotes", metadata: ["error": "\(error)"])
            quotes = bus.subscribe(Volta_V1_UnderlyingQuote.self, prefix: Topics.Prefix.underlyingQuotes)
        }
        for await r in quotes { observe(r.message, now: bus.clock.now()) }
    }

    /// The price a trader reads: the last trade, else the middle of a two-sided market (an
    /// index sends a level as its last, with no market: that is its price, not a missing one).
    static func price(of q: Volta_V1_UnderlyingQuote) -> Double? {
        if q.last > 0 { return q.last }
        if q.bid > 0, q.ask > 0, q.ask >= q.bid { return (q.bid + q.ask) / 2 }
        return nil
    }

    func observe(_ q: Volta_V1_UnderlyingQuote, now: Int64) {
        lines.withLock { lines in
            var line = lines[q.symbol] ?? Line(quote: q, updatedNs: now, points: [])
            line.quote = q
            line.updatedNs = now
            if let p = Self.price(of: q) {
                let n = line.points.count
                if n >= 2, now - line.points[n - 2].ns < settings.sampleEveryNs {
                    line.points[n - 1] = (now, p)
                } else {
                    line.points.append((now, p))
                    if line.points.count > settings.keep { line.points.removeFirst(line.points.count - settings.keep) }
                }
            }
            lines[q.symbol] = line
        }
    }

    /// The pricer's latest fit of an underlying's surface, if one was heard.
    func surface(of symbol: String) -> Volta_V1_VolSurface? { surfaces.withLock { $0[symbol] } }

    /// When an underlying's latest quote was heard and whether it was stale; nil if never.
    func lastHeard(_ symbol: String) -> (ns: Int64, stale: Bool)? {
        lines.withLock { $0[symbol].map { ($0.updatedNs, $0.quote.stale || Self.price(of: $0.quote) == nil) } }
    }

    /// An underlying's price now, if one was heard.
    func price(of symbol: String) -> Double? { lines.withLock { $0[symbol]?.points.last?.price } }

    /// Every underlying heard, the volatility index first, then alphabetically.
    public func json() -> JSONValue {
        let all = lines.withLock { $0 }
        let vix = settings.volatilityIndex
        let symbols = all.keys.sorted { ($0 == vix ? 0 : 1, $0) < ($1 == vix ? 0 : 1, $1) }
        return .object([
            ("volatility_index", .string(vix)),
            ("sample_every_s", .number(Double(settings.sampleEveryNs) / 1e9)),
            ("underlyings", .array(symbols.compactMap { s in all[s].map { Self.json(s, $0, isVolatilityIndex: s == vix) } })),
        ])
    }

    static func json(_ symbol: String, _ line: Line, isVolatilityIndex: Bool) -> JSONValue {
        let q = line.quote
        let first = line.points.first?.price, last = line.points.last?.price
        let change = first.flatMap { f in last.map { $0 - f } }
        return .object([
            ("symbol", .string(symbol)),
            ("volatility_index", .bool(isVolatilityIndex)),
            ("price", .number(last)),
            ("bid", .number(q.bid > 0 ? q.bid : nil)),
            ("ask", .number(q.ask > 0 ? q.ask : nil)),
            ("stale", .bool(q.stale)),
            ("updated_ns", .integer(line.updatedNs)),
            ("change", .number(change)),
            ("change_pct", .number(change.flatMap { c in first.flatMap { $0 > 0 ? 100 * c / $0 : nil } })),
            ("since_ns", line.points.first.map { .integer($0.ns) } ?? .null),
            ("points", .array(line.points.map { .array([.integer($0.ns), .number($0.price)]) })),
        ])
    }
}
