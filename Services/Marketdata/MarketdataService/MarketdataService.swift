import Bus
import CoreMetrics
import Logging
import Market
import Messages
import ServiceKit
import ServiceLifecycle
import Synchronization

/// The validated market on the bus. Takes the gateway's quote bursts (starting from the
/// gateway's snapshot), refuses NaN, non-positive, crossed and stale quotes (counted by reason,
/// logged), and republishes every valid quote on `md.quote.<symbol>` / `md.option.…` as a
/// stateful stream: `marketdata.snapshot` gives a restarted subscriber the whole market.
/// Publishes `md.stats.<symbol>` (realized vol, ATR, beta, VIX) and each chain whole on
/// `md.chain.<underlying>` at a set cadence; flags quotes that stop updating as stale.
public final class MarketdataService: Service, Sendable {
    let bus: Bus
    let stream: StateStream
    let book = Mutex(MarketBook())
    let logger: Logger
    let settings: Settings
    let accepted = Counter(label: "marketdata_quotes_accepted")
    let rejected: [QuoteRejection: Counter]
    let staleFlagged = Counter(label: "marketdata_quotes_flagged_stale")
    /// Quotes validated so far, accepted or not: what benchmarks and tests wait on.
    public let processed = Atomic<Int>(0)

    public struct Settings: Sendable {
        public var maxAgeNs: Int64 = 5_000_000_000
        public var staleAfterNs: Int64 = 30_000_000_000
        public var chainSnapshotNs: Int64 = 10_000_000_000
        public var index = "SPX"
        public var betas: [String: Double] = [:]
        public var historyDays = 60
        public var snapshotOnStart = true
        public init() {}

        public init(_ c: ServiceContext) throws {
            maxAgeNs = Int64(try c.value(MarketdataSettings.maxAgeMilliseconds)) * 1_000_000
            staleAfterNs = Int64(try c.value(MarketdataSettings.staleAfterMilliseconds)) * 1_000_000
            chainSnapshotNs = Int64(try c.value(MarketdataSettings.chainSnapshotMilliseconds)) * 1_000_000
            index = try c.value(MarketdataSettings.indexSymbol)
            betas = try c.value(MarketdataSettings.betas)
            historyDays = try c.value(MarketdataSettings.historyDays)
        }
    }

    public convenience init(context: ServiceContext) throws {
        self.init(bus: context.bus, settings: try Settings(context), logger: context.logger)
    }

    public init(bus: Bus, settings: Settings, logger: Logger) {
        self.bus = bus
        self.settings = settings
        self.logger = logger
        stream = StateStream(name: Topics.Service.marketdata, bus: bus)
        rejected = Dictionary(uniqueKeysWithValues: QuoteRejection.allCases.map {
            ($0, Counter(label: "marketdata_quotes_rejected", dimensions: [("reason", $0.rawValue)]))
        })
    }

    public func run() async throws {
        let (symbols, newSymbol) = AsyncStream<String>.makeStream()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.follow(newSymbol) }
                group.addTask { await self.catchUp() }
                group.addTask { await self.stream.serveSnapshots() }
                group.addTask { await self.loadHistories(symbols) }
                group.addTask { await self.housekeeping() }
            }
        }
        newSymbol.finish()
    }

    /// Applies every burst from the gateway, starting from its snapshot when it answers.
    ///
    /// The snapshot's bursts skip the age check: they are the gateway's current quotes, however
    /// long ago they last changed (a quiet market requotes little), where a live burst that old
    /// was delayed on its way. Quotes that stay unchanged are flagged stale later, as any are.
    func follow(_ newSymbol: AsyncStream<String>.Continuation) async {
        var batches = bus.subscribe(Volta_V1_QuoteBatch.self, prefix: Topics.Prefix.quoteBatches)
        if settings.snapshotOnStart {
            do {
                batches = try await bus.subscribeWithSnapshot(Volta_V1_QuoteBatch.self, prefix: Topics.Prefix.quoteBatches,
                                                              stream: Topics.Service.gateway, timeout: .seconds(2), retries: 3)
            } catch {
                logger.notice("no gateway snapshot, following live quotes only", metadata: ["error": "\(error)"])
            }
        }
        var known: Set<String> = []
        await withDiscardingTaskGroup { group in
            for await batch in batches {
                let burst = accept(batch.message, fromSnapshot: batch.fromSnapshot)
                if TaskPlacement.defersWork, !burst.options.isEmpty {
                    // In the kernel: every burst's underlyings, and what their quotes set off on
                    // the way to an order, before any burst's options, without a second bus instant.
                    group.addTask {
                        await TaskPlacement.afterReadyWork(.quotes)
                        self.publish(burst.options, eventTime: burst.eventTime)
                    }
                } else {
                    publish(burst.options, eventTime: burst.eventTime)
                }
                if known.insert(batch.message.underlying).inserted { newSymbol.yield(batch.message.underlying) }
            }
        }
    }

    /// Second looks at the gateway's snapshot after start, for the instruments still unknown
    /// here. A burst published while this subscription was still reaching the daemon (ZeroMQ's
    /// slow joiner), or one that came too late on a starved machine and was refused as stale,
    /// is not requoted by a quiet market: without this, its instruments would stay unknown for
    /// as long as the market stays quiet. What is known already is left alone (live is newer).
    func catchUp() async {
        guard settings.snapshotOnStart else { return }
        for delay in Self.catchUpDelays {
            do { try await bus.clock.sleep(for: delay) } catch { return }
            let frames: [RawFrame]
            do {
                frames = try await bus.snapshotFrames(of: Topics.Service.gateway, prefix: Topics.Prefix.quoteBatches, timeout: .seconds(2), retries: 1)
            } catch {
                logger.notice("no gateway snapshot to catch up from", metadata: ["error": "\(error)"])
                continue
            }
            var recovered = 0
            for frame in frames {
                guard let header = try? EnvelopeHeader.parse(frame.envelope),
                      var batch = try? Volta_V1_QuoteBatch(serializedBytes: frame.envelope[header.payloadRange]) else {
                    logger.warning("unreadable burst in the gateway's snapshot", metadata: ["topic": "\(frame.topic)"])
                    continue
                }
                book.withLock { b in
                    batch.underlyings.removeAll { b.underlyings[$0.symbol] != nil }
                    batch.options.removeAll { b.options[$0.contract.underlying]?[$0.topic] != nil }
                }
                guard !batch.underlyings.isEmpty || !batch.options.isEmpty else { continue }
                recovered += batch.underlyings.count + batch.options.count
                apply(batch, fromSnapshot: true)
            }
            if recovered > 0 { logger.notice("caught up from the gateway's snapshot", metadata: ["quotes": "\(recovered)"]) }
        }
    }

    /// When the catch-up looks again, one after the other.
    static let catchUpDelays: [Duration] = [.seconds(3), .seconds(10), .seconds(30)]

    /// A burst validated and booked, its underlyings published, its options not yet.
    struct AcceptedBurst: Sendable {
        var options: [(topic: String, quote: Volta_V1_OptionQuote)]
        var eventTime: Int64
    }

    /// Validates one burst and republishes what passes.
    public func apply(_ batch: Volta_V1_QuoteBatch, fromSnapshot: Bool = false) {
        let burst = accept(batch, fromSnapshot: fromSnapshot)
        publish(burst.options, eventTime: burst.eventTime)
    }

    /// Validates and books one burst and publishes its underlyings' quotes: first, since an
    /// underlying's move is what fires a stop; the caller publishes the options.
    func accept(_ batch: Volta_V1_QuoteBatch, fromSnapshot: Bool) -> AcceptedBurst {
        let now = bus.clock.now()
        let tooOld = !fromSnapshot && settings.maxAgeNs > 0 && batch.marketTimeNs > 0 && now - batch.marketTimeNs > settings.maxAgeNs
        let outOfOrder = book.withLock { b in
            defer { b.newestBatch[batch.underlying] = max(b.newestBatch[batch.underlying] ?? 0, batch.marketTimeNs) }
            return !fromSnapshot && batch.marketTimeNs < (b.newestBatch[batch.underlying] ?? 0)
        }
        // One lock per burst, then one publish per valid quote.
        let stale = tooOld || outOfOrder
        var valid: [(topic: String, quote: Volta_V1_OptionQuote)] = []
        valid.reserveCapacity(batch.options.count)
        let underlyings = batch.underlyings.compactMap { q -> Volta_V1_UnderlyingQuote? in
            if let reason = stale ? .stale : QuoteValidator.check(q) {
                reject(reason, q.symbol)
                return nil
            }
            // A level (an index) goes out with no sides rather than the broker's −1s.
            guard !QuoteValidator.hasMarket(q) else { return q }
            var level = q
            level.bid = 0
            level.ask = 0
            return level
        }
        for q in batch.options {
            if let reason = stale ? .stale : QuoteValidator.check(q) { reject(reason, q.contract.underlying); continue }
            valid.append((q.topic, q))
        }
        book.withLock { b in
            for q in underlyings { b.accept(q, at: now) }
            for (topic, q) in valid { b.accept(q, topic: topic, at: now) }
        }
        for q in underlyings { stream.publish(q, eventTime: batch.marketTimeNs) }
        accepted.increment(by: underlyings.count + valid.count)
        processed.add(batch.underlyings.count + batch.options.count, ordering: .relaxed)
        return AcceptedBurst(options: valid, eventTime: batch.marketTimeNs)
    }

    func publish(_ options: [(topic: String, quote: Volta_V1_OptionQuote)], eventTime: Int64) {
        for (topic, q) in options { stream.publish(q, topic: topic, eventTime: eventTime) }
    }

    func reject(_ reason: QuoteRejection, _ symbol: String) {
        rejected[reason]?.increment()
        logger.debug("quote rejected", metadata: ["reason": "\(reason.rawValue)", "symbol": "\(symbol)"])
    }

    /// Asks the gateway for each new symbol's daily history, retrying while it is not there.
    func loadHistories(_ symbols: AsyncStream<String>) async {
        guard settings.historyDays > 0 else { return }
        for await symbol in symbols {
            var request = Volta_V1_GatewayRequest()
            request.history.symbol = symbol
            request.history.days = Int32(settings.historyDays)
            do {
                let reply = try await bus.request(service: Topics.Service.gateway, request, as: Volta_V1_GatewayReply.self,
                                                  timeout: .seconds(10), retries: 2)
                let bars = reply.history.bars.compactMap { b in
                    CivilDate(b.date).map { DailyBar(date: $0, open: b.open, high: b.high, low: b.low, close: b.close) }
                }
                book.withLock { $0.loadHistory(symbol, bars) }
            } catch {
                logger.info("no history", metadata: ["symbol": "\(symbol)", "error": "\(error)"])
            }
        }
    }

    /// Once a second: flags quotes gone quiet, publishes changed statistics, and each chain
    /// whole at its cadence.
    func housekeeping() async {
        var lastChains = bus.clock.now()
        var today = NewYorkTime.local(lastChains).date
        while !Task.isCancelled {
            do { try await bus.clock.sleep(for: .seconds(1)) } catch { return }
            let now = bus.clock.now()
            if case let date = NewYorkTime.local(now).date, date != today {
                today = date
                let dropped = book.withLock { $0.dropExpired(before: today) }
                if dropped > 0 { logger.info("expired options dropped", metadata: ["count": "\(dropped)"]) }
            }
            let stale = book.withLock { $0.newlyStale(before: now - settings.staleAfterNs) }
            for q in stale.underlyings { stream.publish(q) }
            for q in stale.options { stream.publish(q) }
            staleFlagged.increment(by: stale.underlyings.count + stale.options.count)
            publishStatistics()
            if now - lastChains >= settings.chainSnapshotNs {
                lastChains = now
                let chains = book.withLock { b in b.options.keys.sorted().map { b.chain($0, now: now) } }
                for c in chains { bus.publish(c) }
            }
        }
    }

    func publishStatistics() {
        let changed: [Volta_V1_UnderlyingStats] = book.withLock { b in
            b.bars.keys.sorted().compactMap { symbol in
                let s = b.statistics(symbol, index: settings.index, betas: settings.betas)
                guard b.lastStats[symbol] != s else { return nil }
                b.lastStats[symbol] = s
                return s
            }
        }
        for s in changed { stream.publish(s) }
    }
}
