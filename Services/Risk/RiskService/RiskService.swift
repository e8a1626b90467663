import Bus
import CoreMetrics
import Logging
import Messages
import ServiceKit
import ServiceLifecycle
import Synchronization
import Trading

/// The pre-trade check on every intent (`risk`), the kill switch and the operating mode.
/// Follows positions, net liquidation, prices, marketdata's statistics and the pricer's greeks of
/// the contracts held or asked about (not of every option: see ``ContractFeed``);
/// publishes each decision (`risk.decision.<intent>`) and, periodically, portfolio greeks and
/// limit usage (`risk.state`). Several risk workers may serve: each follows the same streams, and
/// an operator's command (kill switch, mode, confirm, veto, the emergency stop's halt) is applied
/// by the worker that answers it and broadcast on `risk.control` to every other; a worker that
/// starts asks a running peer for the kill switch and mode before it answers anything.
public final class RiskService: Service, Sendable {
    let bus: Bus
    let book: Locked<RiskBook>
    let greeks: ContractFeed<Volta_V1_OptionAnalytics>
    let logger: Logger
    let statePeriod: Duration
    let keepDecisions: Duration
    let approved = Counter(label: "risk_approved")
    let rejected = Counter(label: "risk_rejected")

    public convenience init(context: ServiceContext) throws {
        self.init(bus: context.bus, book: try RiskSettings.book(context), logger: context.logger,
                  statePeriod: .milliseconds(try context.value(RiskSettings.stateMilliseconds)),
                  keepDecisions: .seconds(3_600 * (try context.value(RiskSettings.keepDecisionsHours))))
    }

    public init(bus: Bus, book: RiskBook, logger: Logger, statePeriod: Duration = .seconds(1), keepDecisions: Duration = .seconds(86_400)) {
        self.bus = bus
        let locked = Locked(book)
        self.book = locked
        greeks = ContractFeed(bus: bus, stream: Topics.Service.pricer, topic: Topics.optionAnalytics, logger: logger) { a in
            locked.withLock { $0.apply(a) }
        }
        self.logger = logger
        self.statePeriod = statePeriod
        self.keepDecisions = keepDecisions
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.followPositions() }
                group.addTask { await self.follow(Volta_V1_AccountValue.self, Topics.Prefix.accountValues) { b, v, now in b.apply(v, now: now) } }
                group.addTask { await self.follow(Volta_V1_UnderlyingQuote.self, Topics.Prefix.underlyingQuotes) { b, q, _ in
                    b.price(q.symbol, q.referencePrice)
                } }
                group.addTask { await self.follow(Volta_V1_UnderlyingStats.self, Topics.Prefix.stats) { b, s, _ in b.apply(s) } }
                group.addTask { await self.follow(Volta_V1_IntentExecution.self, Topics.Prefix.intentExecutions) { b, r, _ in b.apply(r) } }
                group.addTask { await self.loadAccount() }
                group.addTask { await self.publishState() }
                group.addTask { await self.followControl() }
                group.addTask {
                    await self.adoptPeers()
                    await self.serve()
                }
            }
        }
    }

    /// Positions, and the greeks of the contracts they hold (the portfolio's greeks and
    /// exposure), followed as they change and dropped once flat.
    func followPositions() async {
        for await m in bus.subscribe(Volta_V1_Position.self, prefix: Topics.Prefix.positions) {
            let held = book.withLock { b in
                b.apply(m.message)
                return b.positions.values.map(\.instrument).optionContracts
            }
            // Not awaited: positions must not wait on the pricer's snapshots.
            greeks.follow(held)
            greeks.keep(only: held)
        }
    }

    func follow<M: BusMessage>(_ type: M.Type, _ prefix: String, apply: @escaping @Sendable (inout RiskBook, M, Int64) -> Void) async {
        for await m in bus.subscribe(type, prefix: prefix) {
            let now = bus.clock.now()
            book.withLock { apply(&$0, m.message, now) }
        }
    }

    /// The account as the gateway has it now, so the first checks after a start do not see an
    /// empty account until the next periodic update. Retried until the gateway answers.
    func loadAccount() async {
        var request = Volta_V1_GatewayRequest()
        request.accountSnapshot = true
        while !Task.isCancelled {
            if let account = try? await bus.request(service: Topics.Service.gateway, request, as: Volta_V1_GatewayReply.self,
                                                    timeout: .seconds(2), retries: 0).account {
                let now = bus.clock.now()
                book.withLock { b in
                    for p in account.positions { b.apply(p) }
                    for v in account.values { b.apply(v, now: now) }
                }
                return
            }
            do { try await bus.clock.sleep(for: .milliseconds(500)) } catch { return }
        }
    }

    /// The kill switch and mode of a risk worker already running, asked before this one serves
    /// (so the broker cannot route the question to itself): a worker started during a halt
    /// must not answer ACTIVE. With no peer, the configured state stands.
    func adoptPeers() async {
        var request = Volta_V1_RiskRequest()
        request.state = true
        do {
            let peer = try await bus.request(service: Topics.Service.risk, request, as: Volta_V1_RiskReply.self,
                                             timeout: .seconds(1), retries: 0).state
            guard let kill = KillSwitch(rawValue: peer.killSwitch), let mode = OperatingMode(rawValue: peer.mode) else { return }
            book.withLock { b in
                b.setKillSwitch(kill, at: 0)
                b.setMode(mode, at: 0)
            }
            logger.info("kill switch and mode from a running peer", metadata: ["kill_switch": "\(kill.rawValue)", "mode": "\(mode.rawValue)"])
        } catch {
            logger.info("no running risk peer; the configured kill switch and mode stand", metadata: ["why": "\(error)"])
        }
    }

    /// Operators' commands answered by the other risk workers.
    func followControl() async {
        for await m in bus.subscribe(Volta_V1_RiskRequest.self, prefix: Topics.riskControl) where m.header.instance != bus.identity.instance {
            apply(control: m.message, at: m.header.eventTime)
        }
    }

    func apply(control request: Volta_V1_RiskRequest, at ns: Int64) {
        switch request.op {
        case .setKillSwitch(let raw):
            guard let state = KillSwitch(rawValue: raw.uppercased()) else { return }
            setKillSwitch(state, why: "another risk worker's command", at: ns, broadcast: false)
        case .setMode(let raw):
            guard let mode = OperatingMode(rawValue: raw.lowercased()) else { return }
            book.withLock { $0.setMode(mode, at: ns) }
        case .confirmIntentID(let id):
            book.withLock { $0.confirmedElsewhere(id) }
        case .vetoIntentID(let id):
            if let d = book.withLock({ $0.vetoedElsewhere(id) }) { bus.publish(d) }
        default:
            return
        }
    }

    /// Sends an operator's command to the other risk workers, stamped with when it was applied here.
    func broadcast(_ build: (inout Volta_V1_RiskRequest) -> Void, at ns: Int64) {
        var control = Volta_V1_RiskRequest()
        build(&control)
        if !bus.publish(control, eventTime: ns) {
            logger.error("an operator's command did not reach the other risk workers (dropped at the high-water mark)")
        }
    }

    /// risk.state every period; once a minute, final decisions older than `keepDecisions` are forgotten.
    func publishState() async {
        var lastPrune = bus.clock.now()
        while !Task.isCancelled {
            let now = bus.clock.now()
            bus.publish(book.withLock { $0.state(now: now) })
            if now - lastPrune >= 60_000_000_000 {
                lastPrune = now
                let forgotten = book.withLock { $0.prune(now: now, keep: keepDecisions) }
                if forgotten > 0 { logger.info("final decisions forgotten", metadata: ["count": "\(forgotten)"]) }
            }
            do { try await bus.clock.sleep(for: statePeriod) } catch { return }
        }
    }

    func serve() async {
        await bus.serve(service: Topics.Service.risk, Volta_V1_RiskRequest.self) { request, _ in
            try await self.answer(request)
        }
    }

    func answer(_ request: Volta_V1_RiskRequest) async throws -> Volta_V1_RiskReply {
        let now = bus.clock.now()
        var reply = Volta_V1_RiskReply()
        switch request.op {
        case .check(let intent):
            // An exit's contract is held, hence followed; an entry's greeks are fetched first,
            // so its exposure uses its delta rather than the conservative 1.
            await greeks.follow(intent.legs.map(\.instrument).optionContracts).value
            guard !intent.intentID.isEmpty else { throw BadRequest("an intent needs an intent_id") }
            let d = book.withLock { $0.check(intent, now: now) }
            (d.verdict == .riskRejected ? rejected : approved).increment()
            if d.verdict == .riskRejected {
                logger.notice("rejected", metadata: ["intent": "\(d.intentID)", "reason": "\(d.reasonCode)", "detail": "\(d.detail)"])
            }
            bus.publish(d)
            reply.decision = d
        case .setKillSwitch(let raw):
            guard let state = KillSwitch(rawValue: raw.uppercased()) else { throw BadRequest("kill switch states: ACTIVE, REDUCING, HALTED") }
            setKillSwitch(state, why: "operator", at: now)
            reply.state = book.withLock { $0.state(now: now) }
        case .setMode(let raw):
            guard let mode = OperatingMode(rawValue: raw.lowercased()) else { throw BadRequest("modes: confirm, window, auto") }
            book.withLock { $0.setMode(mode, at: now) }
            broadcast({ $0.setMode = mode.rawValue }, at: now)
            reply.state = book.withLock { $0.state(now: now) }
        case .confirmIntentID(let id):
            guard book.withLock({ $0.confirm(id) }) else { throw BadRequest("no intent \(id) waits for confirmation") }
            broadcast({ $0.confirmIntentID = id }, at: now)
            var d = Volta_V1_RiskDecision()
            d.intentID = id
            d.verdict = .riskPendingConfirmation
            d.detail = "confirmed by an operator; approved at its next check"
            bus.publish(d)
            reply.decision = d
        case .vetoIntentID(let id):
            guard let d = book.withLock({ $0.veto(id) }) else { throw BadRequest("no intent \(id) is waiting") }
            broadcast({ $0.vetoIntentID = id }, at: now)
            bus.publish(d)
            reply.decision = d
        case .emergencyStop(let reason):
            reply.state = try await emergencyStop(reason: reason)
        case .state:
            reply.state = book.withLock { $0.state(now: now) }
        case nil:
            throw BadRequest("empty risk request")
        }
        return reply
    }

    /// Halts, then cancels every working order through execution. The halt comes first, so no
    /// intent is approved while the cancels go out; cancels do not pass through risk, so the halt
    /// cannot stop them. The halt stands even if execution cannot be reached.
    func emergencyStop(reason: String) async throws -> Volta_V1_RiskState {
        logger.critical("emergency stop", metadata: ["reason": "\(reason)"])
        setKillSwitch(.halted, why: "emergency stop: \(reason)", at: bus.clock.now())
        var cancel = Volta_V1_ExecutionRequest()
        cancel.cancelAll = reason.isEmpty ? "emergency stop" : reason
        do {
            let reply = try await bus.request(service: Topics.Service.execution, cancel, as: Volta_V1_ExecutionReply.self,
                                              timeout: .seconds(2), retries: 1)
            logger.notice("emergency stop cancelled orders", metadata: ["count": "\(reply.cancelled)"])
        } catch {
            logger.critical("emergency stop could not reach execution", metadata: ["error": "\(error)"])
        }
        return book.withLock { $0.state(now: bus.clock.now()) }
    }

    /// Sets the kill switch as of `ns` (unless a later setting is here) and publishes the state;
    /// a command answered here is broadcast to the other risk workers.
    func setKillSwitch(_ state: KillSwitch, why: String, at ns: Int64, broadcast: Bool = true) {
        let (previous, applied) = book.withLock { b in
            let previous = b.killSwitch
            return (previous, b.setKillSwitch(state, at: ns))
        }
        guard applied else { return }
        if broadcast { self.broadcast({ $0.setKillSwitch = state.rawValue }, at: ns) }
        if previous != state { logger.warning("kill switch", metadata: ["from": "\(previous.rawValue)", "to": "\(state.rawValue)", "why": "\(why)"]) }
        bus.publish(book.withLock { $0.state(now: bus.clock.now()) })
    }
}
