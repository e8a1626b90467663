import Bus
import CoreMetrics
import DequeModule
import Logging
import Messages
import ServiceKit
import ServiceLifecycle
import Synchronization

/// The broker connection on the bus. Connects (and reconnects, backing off) through its
/// adapter; after every connect publishes the whole account (`gw.account.<account>`) before
/// anything else, then forwards quote bursts (`gw.quotes.<underlying>`), order statuses and
/// fills (`exec.status`, `exec.fill`), positions and account values. Serves place, cancel,
/// modify, contract, chain, history and account requests (`gateway`) and a snapshot of every
/// current quote (`gateway.snapshot`) so a restarted marketdata starts from the whole market.
public final class GatewayService: Service, Sendable {
    let bus: Bus
    let adapter: any BrokerAdapter
    let logger: Logger
    let reconnectMax: Duration
    /// The broker connection as published on `gw.connection.<instance>`: one lock around it.
    let link = Mutex(Volta_V1_BrokerConnection())
    let quotes = Counter(label: "gateway_quotes")
    let batches = Counter(label: "gateway_quote_batches")
    let orders = Counter(label: "gateway_orders")
    let reconnects = Counter(label: "gateway_connects")
    let snapshotFailures = Counter(label: "gateway_account_snapshot_failures")
    /// The fills this process published, as published, served again in its snapshot: a recorder
    /// that was down (or a bus that was) when a fill went out gets it at its next start or gap.
    /// Bounded: far more than a day of a trader's fills.
    let publishedFills = Mutex<Deque<Volta_V1_Envelope>>([])
    static let keptFills = 20_000

    public convenience init(context: ServiceContext) throws {
        self.init(bus: context.bus, adapter: try GatewaySettings.makeAdapter(context), logger: context.logger,
                  reconnectMax: .milliseconds(try context.value(GatewaySettings.reconnectMaxMilliseconds)))
    }

    public init(bus: Bus, adapter: any BrokerAdapter, logger: Logger, reconnectMax: Duration = .seconds(30)) {
        self.bus = bus
        self.adapter = adapter
        self.logger = logger
        self.reconnectMax = reconnectMax
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.stayConnected() }
                group.addTask { await self.publishLinkPeriodically() }
                group.addTask { await self.serveRequests() }
                group.addTask { await self.serveSnapshots() }
                group.addTask {
                    for await m in self.bus.subscribe(Volta_V1_MarketDataInterest.self, prefix: Topics.Prefix.marketDataInterests) {
                        self.adapter.want(m.message)
                    }
                }
            }
        }
    }

    /// Connects, forwards events until the connection drops, and reconnects with exponential
    /// backoff (0.5 s doubling to `reconnectMax`).
    func stayConnected() async {
        var delay = Duration.milliseconds(500)
        while !Task.isCancelled {
            do {
                let events = try await adapter.connect()
                reconnects.increment()
                setLink(connected: true, "connected")
                delay = .milliseconds(500)
                logger.info("connected", metadata: ["adapter": "\(adapter.name)"])
                await publishAccountSnapshot()
                for await event in events { forward(event) }
                if Task.isCancelled { return }
                setLink(connected: false, "broker connection lost")
                logger.warning("broker connection lost; reconnecting")
            } catch {
                setLink(connected: false, "cannot connect: \(error)")
                logger.warning("cannot connect", metadata: ["error": "\(error)", "retry_in": "\(delay)"])
            }
            do { try await bus.clock.sleep(for: delay) } catch { return }
            delay = min(delay * 2, reconnectMax)
        }
    }

    /// The connection's new state, published when it changes (a failed attempt after another
    /// keeps its `since`, so the loss is dated once).
    func setLink(connected: Bool, _ detail: String) {
        let now = bus.clock.now()
        let state = link.withLock { l -> Volta_V1_BrokerConnection in
            if l.connected != connected || l.sinceNs == 0 { l.sinceNs = now }
            l.connected = connected
            l.detail = detail
            l.adapter = adapter.name
            l.instance = bus.identity.instance
            if connected { l.connects += 1 }
            Self.noteLines(adapter.marketDataLines(), in: &l)
            l.degraded = connected ? adapter.degraded() : ""
            return l
        }
        bus.publish(state)
    }

    static func noteLines(_ lines: (used: Int, max: Int, unquoted: [String])?, in l: inout Volta_V1_BrokerConnection) {
        l.linesUsed = Int32(lines?.used ?? 0)
        l.linesMax = Int32(lines?.max ?? 0)
        l.unquoted = lines?.unquoted ?? []
    }

    /// The connection every 5 s, for watchers that start later (and the market data lines, and
    /// what is broken behind it).
    func publishLinkPeriodically() async {
        while !Task.isCancelled {
            do { try await bus.clock.sleep(for: .seconds(5)) } catch { return }
            let lines = adapter.marketDataLines(), degraded = adapter.degraded()
            let state = link.withLock { l in
                Self.noteLines(lines, in: &l)
                l.degraded = l.connected ? degraded : ""
                return l
            }
            if state.sinceNs != 0 { bus.publish(state) }
        }
    }

    /// The whole account after a connect. A failure is counted and logged, and the snapshot is
    /// retried a few times: without it a restarted service may not see a position until it changes.
    func publishAccountSnapshot() async {
        var snapshot: Volta_V1_AccountSnapshot?
        for attempt in 1...3 where snapshot == nil {
            do {
                snapshot = try await adapter.accountSnapshot()
            } catch {
                snapshotFailures.increment()
                logger.error("account snapshot after connect failed", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                do { try await bus.clock.sleep(for: .milliseconds(500)) } catch { return }
            }
        }
        guard let snapshot else { return }
        bus.publish(snapshot)
        for p in snapshot.positions { bus.publish(p) }
        for v in snapshot.values { bus.publish(v) }
        for o in snapshot.openOrders { bus.publish(o) }
    }

    func forward(_ event: BrokerEvent) {
        switch event {
        case .quotes(let b):
            bus.publish(b, eventTime: b.marketTimeNs)
            batches.increment()
            quotes.increment(by: b.underlyings.count + b.options.count)
        case .status(let s): bus.publish(s)
        case .fill(let f):
            let envelope: Volta_V1_Envelope
            do { envelope = try bus.makeSequencedEnvelope(f, eventTime: f.timeNs) } catch {
                // Counted and logged by the bus; a fill is money, so it is logged whole here too.
                logger.critical("a fill could not be encoded and was not published", metadata: ["fill": "\(f)", "error": "\(error)"])
                return
            }
            publishedFills.withLock { kept in
                kept.append(envelope)
                if kept.count > Self.keptFills { kept.removeFirst() }
            }
            bus.publish(envelope: envelope)
        case .position(let p): bus.publish(p)
        case .accountValue(let v): bus.publish(v)
        }
    }

    func serveRequests() async {
        await bus.serve(service: Topics.Service.gateway, Volta_V1_GatewayRequest.self) { request, _ in
            // A broker that is away is UNAVAILABLE (retry), never BAD_REQUEST: execution ends an
            // intent only on the broker's own refusal, and a disconnect is not one.
            guard self.link.withLock({ $0.connected }) else { throw Unavailable("\(BrokerError.notConnected)") }
            do {
                return try await self.answer(request)
            } catch let error as BrokerError {
                throw Unavailable(error.description)
            }
        }
    }

    func answer(_ request: Volta_V1_GatewayRequest) async throws -> Volta_V1_GatewayReply {
        var reply = Volta_V1_GatewayReply()
        switch request.request {
        case .place(let order):
            orders.increment()
            reply.status = try await adapter.place(order)
            bus.publish(reply.status)
        case .cancelOrderID(let id):
            reply.status = try await adapter.cancel(orderID: id)
            bus.publish(reply.status)
        case .modify(let order):
            reply.status = try await adapter.modify(order)
            bus.publish(reply.status)
        case .contract(let instrument): reply.contract = try await adapter.contract(instrument)
        case .chainUnderlying(let u): reply.chain = try await adapter.chain(underlying: u)
        case .history(let h): reply.history = try await adapter.history(symbol: h.symbol, days: Int(h.days))
        case .accountSnapshot: reply.account = try await adapter.accountSnapshot()
        case .chainSnapshot(let r):
            reply.chainSnapshot = try await adapter.chainSnapshot(r, now: bus.clock.now())
            // Published as a burst of quotes too: marketdata, the pricer and the recorder see
            // what the asker sees (at IB these contracts stream nowhere else).
            if !reply.chainSnapshot.quotes.isEmpty {
                forward(.quotes(Volta_V1_QuoteBatch.with {
                    $0.underlying = r.underlying
                    $0.options = reply.chainSnapshot.quotes
                    $0.marketTimeNs = reply.chainSnapshot.asOfNs
                }))
            }
        case nil: throw BadRequest("empty gateway request")
        }
        return reply
    }

    /// The Clone pattern for the quote stream: every current quote, one batch per underlying;
    /// and every fill this process published, under its original sequence number.
    func serveSnapshots() async {
        await bus.serve(service: Topics.Service.snapshot(of: Topics.Service.gateway), Volta_V1_SnapshotRequest.self) { request, _ in
            var snapshot = Volta_V1_Snapshot()
            for batch in await self.adapter.currentQuotes() where batch.topic.hasPrefix(request.prefix) {
                var envelope = try self.bus.makeEnvelope(batch, eventTime: batch.marketTimeNs)
                envelope.topic = batch.topic
                snapshot.entries.append(envelope)
            }
            snapshot.entries += self.publishedFills.withLock { $0.filter { $0.topic.hasPrefix(request.prefix) } }
            return snapshot
        }
    }
}
