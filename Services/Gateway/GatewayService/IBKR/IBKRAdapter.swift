import Bus
import CoreMetrics
import Foundation
import Logging
import Market
import Messages
import Synchronization
import TWS

/// Interactive Brokers through TWS or IB Gateway's socket API. Connects (the gateway
/// reconnects with backoff when the stream ends), then reads the account, positions, this
/// client's open orders and today's executions, and subscribes market data: the configured
/// underlyings, every position's instrument, and the nearest expiries and strikes up to the line
/// cap. Orders carry Volta's id in orderRef, so after a reconnect, or a gateway restart, every
/// status and fill maps back to the order it belongs to. Requests are paced under IB's limit.
public final class IBKRAdapter: BrokerAdapter, Sendable {
    public let name = "ibkr"
    let config: IBKRConfiguration
    let logger: Logger
    let book = Mutex(IBKRBook())
    let quotes = Mutex(IBKRQuotes())
    let connection = Mutex<TWSConnection?>(nil)
    let pacer: RequestPacer
    let replies: IBKRReplies
    /// Every wait and stamp (pacing, timeouts, a fill's wait for its commission): the bus clock.
    let clock: any BusClock
    let requestIds = Atomic<Int>(1_000)
    let details = Mutex<[String: Volta_V1_ContractDetails]>([:])
    let chains = Mutex<[String: Volta_V1_OptionChainDefinition]>([:])
    /// Daily bars asked today (New York), by symbol and days: TWS refuses an identical historical
    /// request within 15 s and more than 60 in ten minutes (error 162), and a day's bars do not
    /// change within it.
    let histories = Mutex<[String: (day: String, history: Volta_V1_History)]>([:])
    /// Executions whose contract could not be read (see ``IBKRBook/unreadExecutions``).
    let unreadFills = Counter(label: "gateway_ibkr_unread_fills")
    /// Instruments left without quotes because every market data line was taken.
    let linesExhausted = Counter(label: "gateway_ibkr_lines_exhausted")
    let snapshotsFailed = Counter(label: "gateway_ibkr_snapshots_failed")
    /// Messages that could not be decoded: logged, counted and skipped.
    public let malformed = Atomic<Int>(0)
    public let connections = Atomic<Int>(0)
    /// What needs a market data line changed since the last plan (IBKRAdapter+MarketData).
    let linesDirty = Atomic<Bool>(false)
    /// Every line is to be cancelled and asked again (a market data farm came back).
    let linesStale = Atomic<Bool>(false)

    public init(config: IBKRConfiguration, logger: Logger, clock: any BusClock = WallClock()) {
        self.config = config
        self.logger = logger
        self.clock = clock
        pacer = RequestPacer(rate: config.requestsPerSecond, clock: clock)
        replies = IBKRReplies(clock: clock)
    }

    func nextRequestId() -> Int { requestIds.add(1, ordering: .relaxed).newValue }

    /// Sends a request in its paced turn.
    /// - Throws: ``BrokerError/notConnected`` without a connection.
    func send(_ message: some TWSMessage) async throws {
        try await pacer.wait()
        guard let c = connection.withLock({ $0 }) else { throw BrokerError.notConnected }
        try c.send(message)
    }

    public func connect() async throws -> AsyncStream<BrokerEvent> {
        let c: TWSConnection
        do { c = try await TWSConnection.connect(host: config.host, port: config.port, clientId: config.clientId) } catch {
            throw BrokerError.unavailable("\(config.host):\(config.port): \(error)")
        }
        let (events, out) = AsyncStream.makeStream(of: BrokerEvent.self, bufferingPolicy: .bufferingNewest(100_000))
        book.withLock { b in
            b.haveNextId = false
            b.accounts = []
            b.positionsComplete = false
            b.executionsComplete = false
            b.completedOrdersComplete = false
            b.lastConnectionError = nil
            b.outages = TWSOutages()
        }
        quotes.withLock { $0.dropLines() }
        connection.withLock { $0 = c }
        let reader = Task { await self.read(c, into: out) }
        do {
            // TWS closes a connection it refuses (326: the client id is still in use by a session
            // it has not yet seen end): fail now, and let the gateway's backoff retry.
            try await waitFor(.seconds(10), "nextValidId and managedAccounts") {
                let (ready, refusal) = self.book.withLock { ($0.isReady, $0.lastConnectionError) }
                if !ready, self.connection.withLock({ $0 !== c }) {
                    throw BrokerError.unavailable("TWS closed the connection during the handshake (\(refusal ?? c.endReason ?? "no reason given"))")
                }
                return ready
            }
            let account = try config.account(among: book.withLock(\.accounts))
            book.withLock { $0.account = account }
        } catch {
            c.close()
            throw error
        }
        connections.add(1, ordering: .relaxed)
        logger.info("connected to TWS", metadata: ["version": "\(c.version)", "account": "\(book.withLock(\.account))"])
        let sync = Task { await self.synchronize() }
        let ticker = Task { await self.flushPeriodically(into: out) }
        let lines = Task { await self.keepLines() }
        out.onTermination = { _ in
            sync.cancel()
            ticker.cancel()
            lines.cancel()
            reader.cancel()
            c.close()
        }
        return events
    }

    /// Reads until the connection ends, then ends the event stream so the gateway reconnects.
    func read(_ c: TWSConnection, into out: AsyncStream<BrokerEvent>.Continuation) async {
        for await fields in c.frames {
            let message: any TWSMessage
            do { message = try TWSMessageTable.replies.decode(fields, version: c.version) } catch {
                malformed.add(1, ordering: .relaxed)
                logger.warning("unreadable message from TWS, skipped", metadata: ["error": "\(error)"])
                continue
            }
            for event in handle(message) { out.yield(event) }
        }
        connection.withLock { if $0 === c { $0 = nil } }
        replies.failAll(BrokerError.notConnected)
        logger.warning("TWS connection ended", metadata: ["reason": "\(c.endReason ?? "closed by TWS")"])
        out.finish()
    }

    func handle(_ message: any TWSMessage) -> [BrokerEvent] {
        if quotes.withLock({ $0.apply(message) }) { return [] }
        _ = replies.offer(message)
        if let error = message as? TWSError { note(error) }
        if message is TWSPositionEnd { book.withLock { $0.positionsComplete = true } }
        if message is TWSExecutionsEnd { book.withLock { $0.executionsComplete = true } }
        if message is TWSCompletedOrdersEnd { book.withLock { $0.completedOrdersComplete = true } }
        let (events, unread) = book.withLock { b in
            let events = b.apply(message, now: clock.now())
            defer { b.unreadExecutions = [] }
            return (events, b.unreadExecutions)
        }
        for why in unread {
            unreadFills.increment()
            logger.error("a fill could not be read; its order's status moved, no fill was published", metadata: ["why": "\(why)"])
        }
        if events.contains(where: changesLines) { linesDue() }
        return events
    }

    /// A position opened (its contract and underlying need lines) or closed (they may go), or an
    /// order ended (its contracts' lines may go).
    func changesLines(_ event: BrokerEvent) -> Bool {
        switch event {
        case .position(let p):
            p.quantity == 0 ? quotes.withLock { $0.isSubscribed(p.instrument) }
                : Self.needs(p.instrument).contains { i in !quotes.withLock { $0.isSubscribed(i) } }
        case .status(let s): s.state.isEnded
        default: false
        }
    }

    /// Logs TWS's errors at their weight and acts on connectivity: after 1101 (restored, data
    /// lost) the market data is subscribed again; after 1101 and 1102 orders and positions are
    /// read again; after a market data farm's 2104 that follows its 2103, each line is asked
    /// afresh. What is broken meanwhile goes out with the gateway's connection (``degraded()``).
    func note(_ e: TWSError) {
        if book.withLock({ $0.outages.apply(e) }) == .marketData {
            // TWS resumes a farm's lines by itself, but a field that changed meanwhile may not be
            // sent again: each line is asked afresh, so every quote starts whole.
            logger.notice("a market data farm is back: market data asked afresh", metadata: ["message": "\(e.message)"])
            linesStale.store(true, ordering: .relaxed)
        }
        if e.isInformational {
            logger.debug("TWS notice", metadata: ["code": "\(e.code)", "message": "\(e.message)"])
            return
        }
        logger.warning("TWS error", metadata: ["code": "\(e.code)", "id": "\(e.reqId)", "message": "\(e.message)"])
        switch e.code {
        case 1101:
            quotes.withLock { $0.dropLines() }
            Task { await self.synchronize() }
        case 1102: Task { try? await self.readAccount() }
        case 101, 354: lineRefused(e)
        default: break
        }
    }

    /// After every connect: the account, positions, orders and executions, then market data.
    func synchronize() async {
        do {
            if config.marketDataType != 1 { try await send(TWSRequestMarketDataType(type: config.marketDataType)) }
            try await readAccount()
            try? await waitFor(.seconds(3), "positionEnd") { self.book.withLock(\.positionsComplete) }
            linesDue()
        } catch {
            logger.warning("synchronization incomplete", metadata: ["error": "\(error)"])
        }
    }

    func readAccount() async throws {
        try await send(TWSRequestAccountUpdates(subscribe: true, account: book.withLock(\.account)))
        try await send(TWSRequestPositions())
        if config.clientId == 0 { try await send(TWSRequestAllOpenOrders()) } else { try await send(TWSRequestOpenOrders()) }
        var executions = TWSRequestExecutions(reqId: nextRequestId())
        executions.clientId = config.clientId
        try await send(executions)
        var completed = TWSRequestCompletedOrders()
        completed.apiOnly = true
        try await send(completed)
    }

    func flushPeriodically(into out: AsyncStream<BrokerEvent>.Continuation) async {
        while !Task.isCancelled {
            do { try await clock.sleep(for: config.flush) } catch { return }
            let now = clock.now()
            for batch in quotes.withLock({ $0.flush(time: now) }) { out.yield(.quotes(batch)) }
            for event in book.withLock({ $0.flushStaleFills(now: now) + $0.expiredWorthless(now: now) }) { out.yield(event) }
        }
    }

    public func degraded() -> String { book.withLock(\.outages.description) }

    func waitFor(_ limit: Duration, _ what: String, _ condition: @Sendable () throws -> Bool) async throws {
        let deadline = clock.now() + limit.nanoseconds
        while try !condition() {
            guard clock.now() < deadline else { throw BrokerError.unavailable("TWS sent no \(what) within \(limit)") }
            try await clock.sleep(for: .milliseconds(10))
        }
    }
}
