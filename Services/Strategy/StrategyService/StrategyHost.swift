import Bus
import CoreMetrics
import Logging
import Messages
import ServiceKit
import ServiceLifecycle
import StrategyKit
import Synchronization

/// The `strategy` executable's service: a generic host for the strategies its configuration
/// enables. It owns what they share and none of what they decide:
/// - every worker feeds every event to its copy of each strategy; an action is performed only
///   by the worker that owns its key (rendezvous hashing over the strategy workers heard
///   heartbeating), so a worker that gains a key already holds its state;
/// - intents are submitted, published once, and resubmitted with the same id every
///   `resubmitPeriod` until execution reports them ended: a restarted execution or a worker that
///   takes a key over mid-exit continues the one order, never places a second;
/// - the pricer's theos, asked for the strategies (one ask per id in flight);
/// - timers on the bus clock, and the exchange calendar;
/// - states published, kept, served as a snapshot to a worker that starts, and merged from peers;
/// - an operator's "run now" and the schedule of timers (StrategyHost+Requests).
public final class StrategyHost: Service, Sendable {
    let bus: Bus
    let slots: [StrategySlot]
    let membership: ServiceMembership
    let calendar: any ExchangeCalendar
    let logger: Logger
    let resubmitPeriod: Duration
    /// The latest state of every key seen, own and peers', by topic: served to a worker that starts.
    let states = Mutex<[String: Volta_V1_StrategyState]>([:])
    let submitted = Counter(label: "strategy_intents_submitted")
    let submitFailures = Counter(label: "strategy_submit_failures")
    let alerts = Counter(label: "strategy_alerts")
    let parameterFailures = Counter(label: "strategy_parameter_edit_failures")
    /// The enabled plug-ins' parameters, editable while the host runs; nil for a host given its
    /// strategies ready-made (the kernel's, a test's).
    let editor: ParameterEditor?

    public convenience init(context: ServiceContext, plugins: [StrategyPlugin]) throws {
        let enabled = try HostSettings.plugins(context, known: plugins)
        self.init(bus: context.bus, strategies: try enabled.map { try $0.make(context) }, logger: context.logger,
                  resubmitPeriod: .milliseconds(try context.value(HostSettings.resubmitMilliseconds)),
                  calendar: try HostSettings.exchangeCalendar(context), editor: ParameterEditor(plugins: enabled, context: context))
    }

    public init(bus: Bus, strategies: [any Strategy], logger: Logger, resubmitPeriod: Duration = .seconds(1),
                calendar: any ExchangeCalendar = NYSEExchangeCalendar(), editor: ParameterEditor? = nil) {
        self.bus = bus
        self.editor = editor
        self.slots = strategies.map { StrategySlot($0) }
        self.membership = ServiceMembership(service: Topics.Service.strategy, instance: bus.identity.instance)
        self.calendar = calendar
        self.logger = logger
        self.resubmitPeriod = resubmitPeriod
    }

    public func run() async throws {
        logger.info("strategy host", metadata: ["strategies": "\(slots.map(\.name).joined(separator: ","))"])
        let feeds = slots.reduce(into: Set<StrategyFeed>()) { $0.formUnion($1.feeds) }
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.followMembers() }
                group.addTask { await self.followPeerStates() }
                group.addTask { await self.followReports() }
                group.addTask { await self.followTriggers() }
                group.addTask { await self.followParameterChanges() }
                group.addTask { await self.announceQuotesWanted() }
                for feed in feeds { group.addTask { await self.follow(feed) } }
                group.addTask {
                    await self.restoreFromPeers()
                    let restored = await self.restoreEdits()
                    for slot in self.slots { self.deliver(.start, to: slot) }
                    await withDiscardingTaskGroup { inner in
                        inner.addTask { await self.serveStates() }
                        inner.addTask { await self.serveRequests() }
                        inner.addTask { await self.runTimers() }
                        inner.addTask { await self.resubmitLoop() }
                        if !restored { inner.addTask { await self.restoreEditsUntilDone() } }
                    }
                }
            }
        }
    }

    // MARK: Events in

    /// What a strategy sees at `now`: bus time, this worker, the calendar, and which keys it owns.
    func context(at now: Int64) -> StrategyContext {
        StrategyContext(now: now, worker: bus.identity.instance, calendar: calendar) { [self] key in owns(key, now: now) }
    }

    /// Hands `event` to one strategy and performs what it asks. The strategy's state and the
    /// host's bookkeeping of its intents and timers change under one lock, in one step.
    func deliver(_ event: StrategyEvent, to slot: StrategySlot) {
        let now = bus.clock.now()
        let context = context(at: now)
        let actions = slot.state.withLock { s in
            let actions = s.strategy.handle(event, context)
            s.note(actions)
            return actions
        }
        perform(actions, for: slot, now: now)
    }

    func deliverToAll(_ event: StrategyEvent, reading feed: StrategyFeed) {
        for slot in slots where slot.feeds.contains(feed) { deliver(event, to: slot) }
    }

    func follow(_ feed: StrategyFeed) async {
        switch feed {
        case .underlyingQuotes:
            await follow(Volta_V1_UnderlyingQuote.self, prefix: Topics.Prefix.underlyingQuotes, snapshot: true) { .underlyingQuote($0) }
        case .stats:
            await follow(Volta_V1_UnderlyingStats.self, prefix: Topics.Prefix.stats) { .stats($0) }
        case .positions:
            await follow(Volta_V1_Position.self, prefix: Topics.Prefix.positions) { .position($0) }
        case .fills:
            await follow(Volta_V1_Fill.self, prefix: Topics.Prefix.fills) { .fill($0) }
        case .optionQuotes(let underlying):
            await follow(Volta_V1_OptionQuote.self, prefix: Topics.Prefix.optionQuotes(underlying: underlying), snapshot: true) { .optionQuote($0) }
        case .analytics(let underlying):
            await follow(Volta_V1_OptionAnalytics.self, prefix: Topics.optionAnalytics(underlying: underlying) + ".") { .analytics($0) }
        }
        func follow<M: BusMessage>(_ type: M.Type, prefix: String, snapshot: Bool = false,
                                   _ event: @escaping @Sendable (M) -> StrategyEvent) async {
            var messages = bus.subscribe(type, prefix: prefix)
            if snapshot {
                do {
                    messages = try await bus.subscribeWithSnapshot(type, prefix: prefix, stream: Topics.Service.marketdata,
                                                                   timeout: .seconds(1), retries: 0)
                } catch {
                    logger.warning("no snapshot from marketdata; following live only", metadata: ["prefix": "\(prefix)", "error": "\(error)"])
                }
            }
            for await m in messages { deliverToAll(event(m.message), reading: feed) }
        }
    }

    func followMembers() async {
        for await beat in bus.subscribe(Volta_V1_Heartbeat.self, prefix: membership.heartbeatPrefix) {
            membership.observe(beat.message, now: bus.clock.now())
        }
    }

    /// Other workers' states of the strategies this host runs, kept and merged in.
    func followPeerStates() async {
        for await m in bus.subscribe(Volta_V1_StrategyState.self, prefix: Topics.Prefix.strategyStates) where m.header.instance != bus.identity.instance {
            keep(m.message)
            guard let slot = slots.first(where: { $0.name == m.message.strategy }) else { continue }
            deliver(.peerState(m.message), to: slot)
        }
    }

    /// Execution's reports on each strategy's intents: an intent that ended is no longer resubmitted.
    func followReports() async {
        for await m in bus.subscribe(Volta_V1_IntentExecution.self, prefix: Topics.Prefix.intentExecutions) {
            report(m.message)
        }
    }

    func report(_ e: Volta_V1_IntentExecution) {
        guard let slot = slots.first(where: { s in s.name == e.strategy || s.state.withLock { $0.pending[e.intentID] != nil } }) else { return }
        if e.stage == .stageDone || e.stage == .stageRiskRejected {
            slot.state.withLock { _ = $0.pending.removeValue(forKey: e.intentID) }
        }
        deliver(.intentReport(e), to: slot)
    }

    // MARK: State kept for peers

    func keep(_ state: Volta_V1_StrategyState) {
        states.withLock { $0[state.topic] = state.removed ? nil : state }
    }

    /// The Clone pattern for strategy states: the latest of every key this worker has seen.
    func serveStates() async {
        await bus.serve(service: Topics.Service.snapshot(of: Topics.Service.strategy), Volta_V1_SnapshotRequest.self) { request, _ in
            var snapshot = Volta_V1_Snapshot()
            for state in self.states.withLock({ $0.values.filter { $0.topic.hasPrefix(request.prefix) } }).sorted(by: { $0.topic < $1.topic }) {
                var envelope = try self.bus.makeEnvelope(state, eventTime: state.updatedNs)
                envelope.topic = state.topic
                snapshot.entries.append(envelope)
            }
            return snapshot
        }
    }

    /// Before this worker serves its own snapshot (so the question reaches a peer): the states a
    /// running worker holds, handed to each strategy as peers' states.
    func restoreFromPeers() async {
        var request = Volta_V1_SnapshotRequest()
        request.prefix = Topics.Prefix.strategyStates
        do {
            let snapshot = try await bus.request(service: Topics.Service.snapshot(of: Topics.Service.strategy), request,
                                                 as: Volta_V1_Snapshot.self, timeout: .seconds(1), retries: 0)
            var restored = 0
            for entry in snapshot.entries {
                let state: Volta_V1_StrategyState
                do { state = try Volta_V1_StrategyState(serializedBytes: entry.payload) } catch {
                    logger.warning("a peer's state did not decode; skipped", metadata: ["topic": "\(entry.topic)", "error": "\(error)"])
                    continue
                }
                keep(state)
                guard let slot = slots.first(where: { $0.name == state.strategy }) else { continue }
                deliver(.peerState(state), to: slot)
                restored += 1
            }
            logger.info("states restored from a running worker", metadata: ["count": "\(restored)"])
        } catch {
            logger.info("no running strategy worker to restore from", metadata: ["why": "\(error)"])
        }
    }
}

/// One strategy and the host's bookkeeping for it, behind one lock.
final class StrategySlot: Sendable {
    let name: String
    let feeds: Set<StrategyFeed>
    let state: Mutex<SlotState>

    init(_ strategy: any Strategy) {
        name = strategy.name
        feeds = strategy.feeds
        state = Mutex(SlotState(strategy: strategy))
    }
}

struct SlotState: Sendable {
    var strategy: any Strategy
    /// Intents submitted (by this worker or, when another owned the key, only asked for) that
    /// have not ended, with their owner keys: resubmitted by whichever worker owns the key.
    var pending: [String: (intent: Volta_V1_OrderIntent, owner: String)] = [:]
    /// Intent ids published on `strategy.intent.<strategy>` from here.
    var published: Set<String> = []
    /// Submits and theo asks under way, so a slow answer is not asked twice.
    var inFlight: Set<String> = []
    /// Timers by id: when each is due.
    var timers: [String: Int64] = [:]

    /// The bookkeeping every action implies, whoever performs it.
    mutating func note(_ actions: [StrategyAction]) {
        for action in actions {
            switch action {
            case let .submit(intent, owner): pending[intent.intentID] = (intent, owner)
            case let .timer(id, at): timers[id] = at
            default: break
            }
        }
    }
}
