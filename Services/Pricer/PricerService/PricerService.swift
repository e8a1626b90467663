import Bus
import CoreMetrics
import Logging
import Messages
import ServiceKit
import ServiceLifecycle
import Synchronization

/// The pricer on the bus: follows underlying and option quotes, and publishes per option the
/// bid/mid/ask IVs, theo and greeks (`px.greeks.<underlying>…`) and per underlying the SVI
/// surface (`px.surface.<underlying>`); answers price-at, IV and scenario requests (`pricer`)
/// and snapshots of its analytics (`pricer.snapshot`).
///
/// Quotes only mark what they touch; one publishing task refreshes the marked underlyings it
/// owns. While it works, newer quotes coalesce into the next pass, so under a burst the pricer
/// publishes the latest state a little later instead of falling further and further behind.
public final class PricerService: Service, Sendable {
    let bus: Bus
    let configuration: PricerConfiguration
    let engine: Mutex<PricerEngine>
    let membership: ServiceMembership
    let owned = Mutex<Set<String>>([])
    let logger: Logger
    let counters = Counters()

    struct Counters: Sendable {
        let quotes = Counter(label: "pricer_quotes")
        let rejectedQuotes = Counter(label: "pricer_rejected_quotes")
        let published = Counter(label: "pricer_analytics_published")
        let volatilities = Counter(label: "pricer_volatilities_computed")
        let surfaces = Counter(label: "pricer_surfaces_published")
    }

    public convenience init(context: ServiceContext) throws {
        self.init(bus: context.bus, configuration: try PricerConfiguration(context), logger: context.logger)
    }

    public init(bus: Bus, configuration: PricerConfiguration, logger: Logger) {
        self.bus = bus
        self.configuration = configuration
        self.engine = Mutex(PricerEngine(configuration: configuration))
        self.membership = ServiceMembership(service: Topics.Service.pricer, instance: bus.identity.instance)
        self.logger = logger
    }

    public func run() async throws {
        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.follow(Volta_V1_UnderlyingQuote.self, prefix: Topics.Prefix.underlyingQuotes, wake: wake) { engine, q, t in
                    engine.apply(q, at: t)
                    return true
                } }
                group.addTask { await self.follow(Volta_V1_OptionQuote.self, prefix: Topics.Prefix.optionQuotes, wake: wake) { engine, q, t in
                    engine.apply(q, at: t)
                } }
                group.addTask { await self.followMembers() }
                group.addTask { await self.tick(wake) }
                group.addTask { await self.publish(on: wakes) }
                group.addTask { await self.serveRequests() }
                group.addTask { await self.serveSnapshots() }
            }
        }
        wake.finish()
    }

    // MARK: Following the market

    /// Applies every quote of one type to the engine and wakes the publisher. Starts from
    /// marketdata's snapshot when it answers, so a restarted pricer need not wait for every
    /// quote to change.
    func follow<Q: BusMessage>(_ type: Q.Type, prefix: String, wake: AsyncStream<Void>.Continuation,
                               apply: @escaping @Sendable (inout PricerEngine, Q, Int64) -> Bool) async {
        var quotes = bus.subscribe(type, prefix: prefix)
        if configuration.snapshotOnStart {
            do {
                // Live updates buffer in the subscription meanwhile: a slow answer loses nothing,
                // and a missed snapshot would leave quiet options unknown until they requote.
                quotes = try await bus.subscribeWithSnapshot(type, prefix: prefix, stream: Topics.Service.marketdata,
                                                             timeout: .seconds(2), retries: 3)
            } catch {
                logger.notice("no marketdata snapshot, following live quotes only", metadata: ["prefix": "\(prefix)", "error": "\(error)"])
            }
        }
        for await quote in quotes {
            let now = bus.clock.now()
            let accepted = engine.withLock { apply(&$0, quote.message, now) }
            (accepted ? counters.quotes : counters.rejectedQuotes).increment()
            wake.yield()
        }
    }

    func followMembers() async {
        for await beat in bus.subscribe(Volta_V1_Heartbeat.self, prefix: membership.heartbeatPrefix) {
            membership.observe(beat.message, now: bus.clock.now())
        }
    }

    /// Wakes the publisher for due refits and the periodic full refresh, when no quote does.
    func tick(_ wake: AsyncStream<Void>.Continuation) async {
        let period = Duration.nanoseconds(configuration.refitIntervalNs)
        while !Task.isCancelled {
            do { try await bus.clock.sleep(for: period) } catch { return }
            wake.yield()
        }
    }

    // MARK: Publishing

    func publish(on wakes: AsyncStream<Void>) async {
        var lastFullRefresh = bus.clock.now()
        for await _ in wakes {
            if configuration.coalesceNs > 0 {
                do { try await bus.clock.sleep(for: .nanoseconds(configuration.coalesceNs)) } catch { return }
            }
            // A chain's reprice after what the same quotes set off on the way to an order (in the
            // kernel: when nothing else is ready at this bus instant).
            await TaskPlacement.afterReadyWork(.derived)
            let now = bus.clock.now()
            let symbols = engine.withLock { $0.underlyings }
            let mine = membership.owned(symbols, now: now)
            let gained = owned.withLock { previous in
                defer { previous = mine }
                return mine.subtracting(previous)
            }
            let full = now - lastFullRefresh >= configuration.refreshIntervalNs
            if full { lastFullRefresh = now }
            engine.withLock { e in
                for symbol in full ? mine : gained { e.invalidate(symbol) }
            }
            if !gained.isEmpty { logger.info("publishing underlyings", metadata: ["gained": "\(gained.sorted())"]) }
            refresh(engine.withLock { $0.pending }.filter(mine.contains), now: now)
        }
    }

    /// Refreshes `symbols` and publishes what changed for those this worker owns. A book with
    /// nothing marked costs a lookup: callers need not filter.
    func refresh(_ symbols: [String], now: Int64) {
        let mine = owned.withLock { $0 }
        for symbol in symbols {
            let update = engine.withLock { $0.refresh(symbol, now: now) }
            counters.volatilities.increment(by: update.volatilitiesComputed)
            guard mine.contains(symbol) else { continue }
            for analytics in update.analytics { bus.publish(analytics, eventTime: analytics.quoteTimeNs) }
            counters.published.increment(by: update.analytics.count)
            if let surface = update.surface {
                bus.publish(surface)
                counters.surfaces.increment()
            }
        }
    }

    // MARK: Requests

    func serveRequests() async {
        await bus.serve(service: Topics.Service.pricer, Volta_V1_PricerRequest.self) { request, _ in
            let now = self.bus.clock.now()
            if self.engine.withLock({ $0.needsRefresh(request) }) { self.refresh(PricerEngine.underlyings(of: request), now: now) }
            return try self.engine.withLock { try $0.answer(request, now: now) }
        }
    }

    /// The Clone pattern for the pricer's streams: the current analytics and surfaces under a
    /// prefix, computed on request from this worker's books (every worker holds every book).
    func serveSnapshots() async {
        await bus.serve(service: Topics.Service.snapshot(of: Topics.Service.pricer), Volta_V1_SnapshotRequest.self) { request, _ in
            let now = self.bus.clock.now()
            // Only the books the prefix can name: a service following one contract must not
            // cost a pass over every chain.
            let p = request.prefix
            let symbols = self.engine.withLock { $0.underlyings }.filter { s in
                [Topics.optionAnalytics(underlying: s), Topics.volSurface(s)].contains { $0.hasPrefix(p) || p.hasPrefix($0) }
            }
            self.refresh(symbols, now: now)
            var snapshot = Volta_V1_Snapshot()
            let messages: [(topic: String, message: any BusMessage)] = self.engine.withLock { e in
                symbols.flatMap { s -> [(topic: String, message: any BusMessage)] in
                    let surface = e.surface(of: s).flatMap { $0.topic.hasPrefix(p) ? [($0.topic, $0 as any BusMessage)] : nil } ?? []
                    return e.analytics(of: s, under: p).map { ($0.topic, $0.message as any BusMessage) } + surface
                }
            }
            for (topic, message) in messages {
                var envelope = try self.bus.makeEnvelope(message)
                envelope.topic = topic
                snapshot.entries.append(envelope)
            }
            return snapshot
        }
    }
}
