import Bus
import CoreMetrics
import Logging
import Messages
import ServiceKit
import ServiceLifecycle
import Synchronization
import Trading

/// A strategy worker running the stop manager. Every worker tracks every option position's
/// stop from the same quotes; each underlying's stops are acted on and published by one worker,
/// the rendezvous-hash owner among the strategy workers heard heartbeating.
///
/// When the underlying crosses a stop, the owner asks the pricer for the theo at the stop level
/// and submits a closing intent to execution, and resubmits it (same id) every period until the
/// exit ends: a restarted execution thereby gets back the intent of an order it adopted. The
/// intent id is derived from the position and the trigger count, so a worker that takes over
/// mid-exit resubmits the same intent and execution never places a second order.
public final class StrategyService: Service, Sendable {
    let bus: Bus
    let book: Mutex<StopBook>
    let membership: ServiceMembership
    let logger: Logger
    let resubmitPeriod: Duration
    let inFlight = Mutex<Set<String>>([])
    /// The exit intents this worker built, by id: one per fired stop, so the record holds each once.
    let intents = Mutex<[String: Volta_V1_OrderIntent]>([:])
    /// The theo at each armed stop's level, asked ahead of the crossing by `prefetchTheos`, so a
    /// fired stop's intent goes out without a pricer round trip.
    let stopTheos = Mutex<[String: (level: Double, theo: Double, askedNs: Int64)]>([:])
    let theoAsks = Mutex<Set<String>>([])
    let theoRefresh = Duration.seconds(2)
    let theoMaxAge = Duration.seconds(5)
    let triggered = Counter(label: "strategy_stops_triggered")
    let submitted = Counter(label: "strategy_intents_submitted")

    public convenience init(context: ServiceContext) throws {
        let book = StopBook(profile: try StrategySettings.stopProfile(context), instance: try context.value(StrategySettings.instance),
                            worker: context.identity.instance, indexSymbol: try context.value(StrategySettings.indexSymbol))
        self.init(bus: context.bus, book: book, logger: context.logger,
                  resubmitPeriod: .milliseconds(try context.value(StrategySettings.resubmitMilliseconds)))
    }

    public init(bus: Bus, book: StopBook, logger: Logger, resubmitPeriod: Duration = .seconds(1)) {
        self.bus = bus
        self.book = Mutex(book)
        self.membership = ServiceMembership(service: Topics.Service.strategy, instance: bus.identity.instance)
        self.logger = logger
        self.resubmitPeriod = resubmitPeriod
    }

    public func run() async throws {
        let profile = book.withLock { $0.profile }
        logger.info("stop manager", metadata: ["profile": "\(profile.name)", "k": "\(profile.k)",
                                               "floor": "\(profile.minTrail)", "cap": "\(profile.maxTrail)"])
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.followMembers() }
                group.addTask { await self.follow(Volta_V1_StopState.self, prefix: "strategy.stop.") { b, s, _ in b.merge(s); return [] } }
                group.addTask { await self.follow(Volta_V1_UnderlyingStats.self, prefix: "md.stats.") { b, s, now in b.apply(s, now: now) } }
                group.addTask { await self.follow(Volta_V1_Position.self, prefix: "acct.position.") { b, p, now in
                    b.apply(p, now: now).map { [$0] } ?? []
                } }
                group.addTask { await self.follow(Volta_V1_UnderlyingQuote.self, prefix: "md.quote.", snapshot: true) { b, q, now in
                    q.stale ? [] : b.price(q.symbol, q.referencePrice, now: now)
                } }
                group.addTask { await self.follow(Volta_V1_IntentExecution.self, prefix: "exec.intent.stop-") { b, e, now in
                    b.apply(e, now: now).map { [$0] } ?? []
                } }
                group.addTask { await self.resubmitLoop() }
                group.addTask { await self.prefetchTheos() }
            }
        }
    }

    func followMembers() async {
        for await beat in bus.subscribe(Volta_V1_Heartbeat.self, prefix: membership.heartbeatPrefix) {
            membership.observe(beat.message, now: bus.clock.now())
        }
    }

    func follow<M: BusMessage>(_ type: M.Type, prefix: String, snapshot: Bool = false,
                               apply: @escaping @Sendable (inout StopBook, M, Int64) -> [Volta_V1_StopState]) async {
        var messages = bus.subscribe(type, prefix: prefix)
        if snapshot, let withSnapshot = try? await bus.subscribeWithSnapshot(type, prefix: prefix, stream: Topics.Service.marketdata,
                                                                              timeout: .seconds(1), retries: 0) {
            messages = withSnapshot
        }
        for await m in messages {
            let now = bus.clock.now()
            let (changed, fired) = book.withLock { b in (apply(&b, m.message, now), b.takeFired()) }
            if !changed.isEmpty || !fired.isEmpty { publish(changed, fired: fired, now: now) }
        }
    }

    /// Publishes the stops this worker owns and submits those that just fired.
    func publish(_ states: [Volta_V1_StopState], fired: [Volta_V1_StopState], now: Int64) {
        let mine = membership.owned(Array(Set((states + fired).map(\.instrument.option.underlying))), now: now)
        for s in states where mine.contains(s.instrument.option.underlying) {
            bus.publish(s)
            if s.status == "armed" && s.stopLevel > 0 { theoForNewStop(s) }
        }
        for s in fired where mine.contains(s.instrument.option.underlying) {
            triggered.increment()
            logger.notice("stop crossed", metadata: ["stop": "\(s.stopLevel)", "price": "\(s.underlyingPrice)", "intent": "\(s.intentID)"])
            submit(s)
        }
    }

    /// Resubmits the fired stops whose exits have not ended, including those of an underlying
    /// this worker just gained. Submitting is idempotent: execution answers where each stands.
    func resubmitLoop() async {
        while !Task.isCancelled {
            do { try await bus.clock.sleep(for: resubmitPeriod) } catch { return }
            let now = bus.clock.now()
            let fired = book.withLock { $0.stops.values.filter { $0.status == "triggered" && !$0.intentID.isEmpty } }
            let mine = membership.owned(Array(Set(fired.map(\.instrument.option.underlying))), now: now)
            for s in fired where mine.contains(s.instrument.option.underlying) { submit(s) }
        }
    }

    func submit(_ state: Volta_V1_StopState) {
        let first = inFlight.withLock { $0.insert(state.intentID).inserted }
        guard first else { return }
        Task {
            defer { _ = inFlight.withLock { $0.remove(state.intentID) } }
            do {
                // Built (one price-at) and published once; resubmits send the same intent again.
                let intent: Volta_V1_OrderIntent
                if let known = intents.withLock({ $0[state.intentID] }) {
                    intent = known
                } else {
                    intent = try await exitIntent(for: state)
                    intents.withLock { $0[state.intentID] = intent }
                    bus.publish(intent)
                }
                var request = Volta_V1_ExecutionRequest()
                request.submit = intent
                let reply = try await bus.request(service: Topics.Service.execution, request, as: Volta_V1_ExecutionReply.self,
                                                  timeout: .seconds(2), retries: 2)
                submitted.increment()
                for e in reply.executions {
                    let now = bus.clock.now()
                    if let changed = book.withLock({ $0.apply(e, now: now) }) { bus.publish(changed) }
                }
            } catch {
                logger.warning("exit not submitted; will retry", metadata: ["intent": "\(state.intentID)", "error": "\(error)"])
            }
        }
    }

    /// The closing order a fired stop asks for: the whole position, at a limit execution
    /// computes, expecting the pricer's theo at the stop level (asked ahead when it could be).
    func exitIntent(for s: Volta_V1_StopState) async throws -> Volta_V1_OrderIntent {
        let now = bus.clock.now()
        let theo: Double
        if let known = stopTheos.withLock({ $0[Self.theoKey(s)] }), known.level == s.stopLevel, now - known.askedNs <= theoMaxAge.nanoseconds {
            theo = known.theo
        } else {
            theo = try await self.theo(at: s, timeout: .seconds(1), retries: 2)
        }
        var leg = Volta_V1_Leg()
        leg.instrument = s.instrument
        leg.side = s.quantity > 0 ? .sell : .buy
        leg.ratio = 1
        var intent = Volta_V1_OrderIntent()
        intent.intentID = s.intentID
        intent.strategy = "stops"
        intent.instance = s.instance
        intent.purpose = .close
        intent.legs = [leg]
        intent.quantity = abs(s.quantity)
        intent.orderType = .limit
        intent.expectedPriceMicros = Int64((theo * 1_000_000).rounded())
        intent.tif = .day
        intent.reason = "stop_loss"
        intent.createdNs = bus.clock.now()
        intent.trigger.underlying = s.instrument.option.underlying
        intent.trigger.level = s.stopLevel
        intent.trigger.below = s.below
        intent.trigger.underlyingAtTrigger = s.underlyingPrice
        intent.positionAvgCostMicros = s.avgCostMicros
        intent.account = s.account
        return intent
    }
}
