import Bus
import CoreMetrics
import Logging
import Messages
import ServiceKit
import ServiceLifecycle
import Synchronization
import Trading

/// Turns approved intents into broker orders and works them until they end (`execution`).
///
/// One intent id is at most one order: the order id is derived from it, submits of a known
/// intent answer where it stands, and after a restart execution first adopts the working
/// orders the gateway reports, so a resubmitted intent continues its order instead of placing
/// another. Orders are limits inside the spread bounded by the theo, repriced toward the far
/// side every interval, and cancelled when their intent's cancel condition holds (a stop exit's
/// underlying recovering through the stop).
public final class ExecutionService: Service, Sendable {
    let bus: Bus
    let policy: ExecutionPolicy
    let logger: Logger
    let records = Mutex<[String: ExecutionRecord]>([:])
    /// When each ended intent was first seen ended (see ``ExecutionRetention``).
    let retention = Mutex(Retention())
    let market = Locked(MarketState())
    /// Quotes and theos of the contracts in ``interest()`` only (see ExecutionService+Feeds).
    let quoteFeed: ContractFeed<Volta_V1_OptionQuote>
    let theoFeed: ContractFeed<Volta_V1_OptionAnalytics>
    /// Option contracts of open positions, by position topic.
    let held = Mutex<[String: Volta_V1_OptionContract]>([:])
    /// Minimum ticks by instrument, with when they were read: one gateway round trip serves the
    /// placement it was fetched for (asked while risk checks the intent) and reprices soon after.
    let ticks = Mutex<[String: (tick: Int64, readNs: Int64)]>([:])
    let ready = Atomic<Bool>(false)
    /// How long a flatten waits for its cancels to end before it closes positions.
    let flattenCancelWait = Duration.seconds(5)
    let placed = Counter(label: "execution_orders_placed")
    let repriced = Counter(label: "execution_reprices")
    let placeRetries = Counter(label: "execution_place_retries")
    let cancelFailures = Counter(label: "execution_cancel_failures")
    let orphanedClosesCancelled = Counter(label: "execution_orphaned_closes_cancelled")
    let expiredBeforePlacing = Counter(label: "execution_intents_expired_before_placing")

    public convenience init(context: ServiceContext) throws {
        self.init(bus: context.bus, policy: try ExecutionSettings.policy(context), logger: context.logger)
    }

    public init(bus: Bus, policy: ExecutionPolicy, logger: Logger) {
        self.bus = bus
        self.policy = policy
        self.logger = logger
        quoteFeed = ContractFeed(bus: bus, stream: Topics.Service.marketdata, topic: Topics.optionQuote, logger: logger) { [market] q in
            market.withLock { $0.apply(q) }
        }
        theoFeed = ContractFeed(bus: bus, stream: Topics.Service.pricer, topic: Topics.optionAnalytics, logger: logger) { [market] a in
            market.withLock { $0.apply(a) }
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.follow(Volta_V1_UnderlyingQuote.self, Topics.Prefix.underlyingQuotes) { $0.apply($1) } }
                group.addTask { await self.followPositions() }
                group.addTask { await self.pruneFeeds() }
                group.addTask { await self.followOrders() }
                group.addTask {
                    await self.reconcile()
                    await self.serve()
                }
            }
        }
    }

    func follow<M: BusMessage>(_ type: M.Type, _ prefix: String, apply: @escaping @Sendable (inout MarketState, M) -> Void) async {
        for await m in bus.subscribe(type, prefix: prefix) { market.withLock { apply(&$0, m.message) } }
    }

    /// Broker statuses and fills, from the gateway's stream.
    func followOrders() async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await m in self.bus.subscribe(Volta_V1_OrderStatus.self, prefix: Topics.Prefix.orderStatuses) { self.apply(m.message) }
            }
            group.addTask {
                for await m in self.bus.subscribe(Volta_V1_Fill.self, prefix: Topics.Prefix.fills) {
                    guard let id = ExecutionRecord.intentID(ofOrder: m.message.orderID) else { continue }
                    // Only the current attempt's order: an earlier one ended cancelled with nothing filled.
                    if self.records.withLock({ r in r[id]?.orderID == m.message.orderID ? r[id]?.apply(m.message) ?? false : false }) {
                        self.publish(id)
                    }
                }
            }
        }
    }

    func apply(_ s: Volta_V1_OrderStatus) {
        guard let id = ExecutionRecord.intentID(ofOrder: s.orderID) else { return }
        let changed = records.withLock { r -> Bool in
            guard var rec = r[id], rec.orderID == s.orderID else { return false }
            let before = rec.report(now: 0)
            rec.apply(s, quantity: rec.intent?.quantity ?? s.filledQuantity + s.remainingQuantity)
            r[id] = rec
            return rec.report(now: 0) != before
        }
        if changed { publish(id) }
    }

    func publish(_ id: String) {
        let now = bus.clock.now()
        let (report, bracket) = records.withLock { r -> (Volta_V1_IntentExecution?, (fill: Int64, quantity: Int64)?) in
            guard var rec = r[id] else { return (nil, nil) }
            let report = rec.report(now: now)
            // A two-step bracket's entry that has ended with something filled: its exits, once.
            guard let b = rec.intent?.bracket, rec.intent?.hasBracket == true, b.afterFill, rec.isDone, !rec.childrenPlaced,
                  let p = rec.progress, p.filled > 0 else { return (report, nil) }
            rec.childrenPlaced = true
            r[id] = rec
            return (report, (p.averagePriceMicros, p.filled))
        }
        if let report { bus.publish(report) }
        if let bracket { TaskPlacement.spawn { await self.placeBracket(of: id, fillMicros: bracket.fill, quantity: bracket.quantity) } }
    }

    // MARK: Restart

    /// Adopts the orders the gateway reports, working and ended, before serving anything: an
    /// intent resubmitted after a restart then continues its order, or is answered with how it
    /// ended, instead of being checked by risk again (which may now refuse what already traded)
    /// and placed a second time.
    func reconcile() async {
        while !Task.isCancelled {
            do {
                let reply = try await gateway(retries: 1) { $0.accountSnapshot = true }
                let adopted = records.withLock { r -> [String] in
                    // The latest attempt of each intent: an earlier one ended when it was retried.
                    (reply.account.openOrders + reply.account.doneOrders)
                        .sorted { ExecutionRecord.attempt(ofOrder: $0.orderID) > ExecutionRecord.attempt(ofOrder: $1.orderID) }
                        .compactMap { s in
                        guard let id = ExecutionRecord.intentID(ofOrder: s.orderID), r[id] == nil else { return nil }
                        var rec = ExecutionRecord(intentID: id, intent: nil)
                        rec.attempt = ExecutionRecord.attempt(ofOrder: s.orderID)
                        rec.apply(s, quantity: s.filledQuantity + s.remainingQuantity)
                        r[id] = rec
                        return id
                    }
                }
                logger.info("reconciled with the gateway", metadata: ["orders_adopted": "\(adopted.count)"])
                ready.store(true, ordering: .sequentiallyConsistent)
                return
            } catch {
                logger.warning("cannot reconcile with the gateway yet", metadata: ["error": "\(error)"])
                do { try await bus.clock.sleep(for: .milliseconds(500)) } catch { return }
            }
        }
    }

    // MARK: Requests

    func serve() async {
        await bus.serve(service: Topics.Service.execution, Volta_V1_ExecutionRequest.self) { request, context in
            guard self.ready.load(ordering: .sequentiallyConsistent) else { throw BadRequest("reconciling with the gateway; retry") }
            let now = self.bus.clock.now()
            var reply = Volta_V1_ExecutionReply()
            switch request.op {
            case .submit(let intent):
                reply.executions = [try self.submit(intent, now: now)]
            case .cancelIntentID(let id):
                guard self.records.withLock({ $0[id] != nil }) else { throw BadRequest("unknown intent \(id)") }
                reply.cancelled = await self.cancel(id, reason: "cancelled on request") ? 1 : 0
                reply.executions = self.records.withLock { $0[id].map { [$0.report(now: now)] } ?? [] }
            case .cancelAll(let reason):
                reply.cancelled = Int32(await self.cancelAll(reason: reason))
            case .queryIntentID(let id):
                reply.executions = self.records.withLock { $0[id].map { [$0.report(now: now)] } ?? [] }
            case .flatten(let f):
                reply.executions = try await self.flatten(f, requestID: context.requestID)
            case .list:
                reply.executions = self.records.withLock { r in r.keys.sorted().compactMap { r[$0]?.report(now: now) } }
            case nil:
                throw BadRequest("empty execution request")
            }
            return reply
        }
    }

    /// Registers an intent (once) and starts working it; a known intent answers where it stands.
    func submit(_ intent: Volta_V1_OrderIntent, now: Int64) throws -> Volta_V1_IntentExecution {
        guard !intent.intentID.isEmpty else { throw BadRequest("an intent needs an intent_id") }
        guard !intent.legs.isEmpty, intent.quantity > 0 else { throw BadRequest("intent \(intent.intentID) has no legs or no quantity") }
        if let why = Self.refusal(intent) { throw BadRequest("intent \(intent.intentID): \(why)") }
        let (report, changed, start) = records.withLock { r -> (Volta_V1_IntentExecution, Bool, Bool) in
            if var rec = r[intent.intentID] {
                guard rec.intent == nil else { return (rec.report(now: now), false, false) }
                rec.adopt(intent) // found at the broker after a restart: its order continues, or stands ended
                r[intent.intentID] = rec
                return (rec.report(now: now), true, !rec.isDone)
            }
            let rec = ExecutionRecord(intentID: intent.intentID, intent: intent)
            r[intent.intentID] = rec
            return (rec.report(now: now), true, true)
        }
        if changed { bus.publish(report) }
        if start { TaskPlacement.spawn { await self.work(intent.intentID) } }
        return report
    }
}
