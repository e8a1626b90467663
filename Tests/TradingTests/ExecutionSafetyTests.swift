import Bus
@testable import ExecutionService
import Logging
import Messages
import Synchronization
import TestSupport
import Testing

/// Execution's money paths against a scripted gateway on the in-memory bus: a cancel racing a
/// place, a broker that is away, and the broker's own refusal.
@Suite("Execution's money paths", .serialized)
struct ExecutionSafetyTests {
    /// How the scripted gateway answers the next place.
    enum PlaceAnswer: Sendable { case accept, unavailable, refuse }

    /// A gateway whose places can be held in flight and answered from a script; it records
    /// every place and cancel it is asked for, in order.
    final class ScriptedGateway: Sendable {
        let holdPlaces = Mutex(false)
        let answers = Mutex<[PlaceAnswer]>([])
        let requests = Mutex<[String]>([])
        let positions = Mutex<[Volta_V1_Position]>([])
        /// Every order placed, as sent.
        let orders = Mutex<[Volta_V1_Order]>([])
        /// The contracts' minimum tick the gateway reports (0: it knows no contract).
        let minTick = Mutex(0.0)
        /// The intents the (approving) risk service was asked to check.
        let riskChecks = Mutex<[String]>([])

        var placed: [String] { requests.withLock { $0.filter { $0.hasPrefix("place ") } } }
        var cancelled: [String] { requests.withLock { $0.filter { $0.hasPrefix("cancel ") } } }

        func serve(_ bus: Bus) async {
            await bus.serve(service: Topics.Service.gateway, Volta_V1_GatewayRequest.self) { request, _ in
                var reply = Volta_V1_GatewayReply()
                switch request.request {
                case .accountSnapshot:
                    reply.account.positions = self.positions.withLock { $0 }
                case .place(let order):
                    self.requests.withLock { $0.append("place \(order.orderID)") }
                    self.orders.withLock { $0.append(order) }
                    // Held in real time: the bus clock, hence the request's timeout, stands still.
                    while self.holdPlaces.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(2)) }
                    let answer = self.answers.withLock { $0.isEmpty ? .accept : $0.removeFirst() }
                    switch answer {
                    case .accept: reply.status = Volta_V1_OrderStatus.with { $0.orderID = order.orderID; $0.state = .submitted; $0.remainingQuantity = order.quantity }
                    case .unavailable: throw Unavailable("the gateway is not connected to its broker")
                    case .refuse: throw BadRequest("TWS error 110: the price does not conform to the minimum price variation")
                    }
                case .contract:
                    let tick = self.minTick.withLock { $0 }
                    guard tick > 0 else { throw BadRequest("not scripted") }
                    reply.contract.minTick = tick
                case .cancelOrderID(let id):
                    self.requests.withLock { $0.append("cancel \(id)") }
                    reply.status = Volta_V1_OrderStatus.with { $0.orderID = id; $0.state = .cancelled }
                default:
                    throw BadRequest("not scripted")
                }
                return reply
            }
        }
    }

    struct Stack {
        let harness = InMemoryHarness()
        let gateway = ScriptedGateway()
        let client: Bus
        let gatewayBus: Bus
        let tasks: [Task<Void, Never>]

        init() throws {
            let gatewayBus = try harness.connect("gateway", service: "gateway")
            self.gatewayBus = gatewayBus
            let riskBus = try harness.connect("risk", service: "risk")
            let executionBus = try harness.connect("execution", service: "execution")
            client = try harness.connect("strategy", service: "strategy")
            let execution = ExecutionService(bus: executionBus, policy: ExecutionPolicy(placeRetryMax: .seconds(2)),
                                             logger: Logger(label: "execution"))
            tasks = [
                Task { [gateway] in await gateway.serve(gatewayBus) },
                Task { [gateway] in
                    await riskBus.serve(service: Topics.Service.risk, Volta_V1_RiskRequest.self) { request, _ in
                        gateway.riskChecks.withLock { $0.append(request.check.intentID) }
                        return Volta_V1_RiskReply.with { $0.decision.intentID = request.check.intentID; $0.decision.verdict = .riskApproved }
                    }
                },
                Task { try? await execution.run() },
            ]
        }

        func stop() { for t in tasks { t.cancel() } }

        func ask(_ build: (inout Volta_V1_ExecutionRequest) -> Void) async throws -> Volta_V1_ExecutionReply {
            var request = Volta_V1_ExecutionRequest()
            build(&request)
            return try await client.request(service: Topics.Service.execution, request, as: Volta_V1_ExecutionReply.self,
                                            timeout: .seconds(1), retries: 0)
        }

        /// Submits, retrying while execution reconciles with the gateway after its start.
        func submit(_ intent: Volta_V1_OrderIntent) async throws -> Volta_V1_IntentExecution {
            var report: Volta_V1_IntentExecution?
            for _ in 0..<50 where report == nil {
                report = try? await ask { $0.submit = intent }.executions.first
                if report == nil { await harness.pass(.milliseconds(100)) }
            }
            return try #require(report)
        }

        func report(_ id: String) async -> Volta_V1_IntentExecution? {
            try? await ask { $0.queryIntentID = id }.executions.first
        }

        /// Waits in real time without moving the bus clock.
        func waitFor(_ what: String, _ condition: () -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(10)
            while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(2)) }
            #expect(condition(), "waited 10 s for \(what)")
        }
    }

    static func intent(_ id: String) -> Volta_V1_OrderIntent {
        Volta_V1_OrderIntent.with {
            $0.intentID = id
            $0.strategy = "test"
            $0.purpose = .open
            $0.legs = [Volta_V1_Leg.with {
                $0.instrument = testOption()
                $0.side = .buy
                $0.ratio = 1
            }]
            $0.quantity = 1
            $0.orderType = .market
            $0.expectedPriceMicros = 1_000_000
        }
    }

    /// The order's place is in flight when the cancel arrives: once the place returns, the order
    /// is cancelled at once (before the fix the cancel sent nothing and the order stayed live).
    @Test func aCancelThatArrivesWhileThePlaceIsInFlightCancelsTheOrderWhenThePlaceReturns() async throws {
        let stack = try Stack()
        defer { stack.stop() }
        stack.gateway.holdPlaces.withLock { $0 = true }
        _ = try await stack.submit(Self.intent("racing"))
        try await stack.waitFor("the place to reach the gateway") { !stack.gateway.placed.isEmpty }

        let cancel = try await stack.ask { $0.cancelIntentID = "racing" }
        #expect(cancel.cancelled == 1)
        #expect(stack.gateway.cancelled.isEmpty)  // nothing to cancel yet: the order is not known

        stack.gateway.holdPlaces.withLock { $0 = false }
        try await stack.waitFor("the cancel after the place returned") { !stack.gateway.cancelled.isEmpty }
        let orderID = try #require(stack.gateway.placed.first).dropFirst("place ".count)
        #expect(stack.gateway.cancelled == ["cancel \(orderID)"])
        #expect(await eventually(stack.harness) { await stack.report("racing")?.orderState == .cancelled })
    }

    /// A gateway without its broker answers UNAVAILABLE: the intent stays pending and is placed,
    /// once, when the broker is back (before, it ended as refused by the broker).
    @Test func aDisconnectedBrokerLeavesTheIntentPendingAndItIsPlacedOnceWhenTheBrokerIsBack() async throws {
        let stack = try Stack()
        defer { stack.stop() }
        stack.gateway.answers.withLock { $0 = [.unavailable, .unavailable, .unavailable] }
        _ = try await stack.submit(Self.intent("during-disconnect"))
        try await stack.waitFor("the first place") { !stack.gateway.placed.isEmpty }
        let pending = try #require(await stack.report("during-disconnect"))
        #expect(pending.stage != .stageDone, "a disconnect ended the intent: \(pending)")
        #expect(pending.orderState != .rejected)

        // Three backoffs of harness time (0.5 + 1 + 2 s), passed 200 ms a poll: on a loaded
        // machine more than the default 10 s of real time.
        #expect(await eventually(stack.harness, timeout: .seconds(40), step: .milliseconds(200)) {
            await stack.report("during-disconnect")?.orderState == .submitted
        })
        let places = stack.gateway.placed
        #expect(places.count == 4, "three refused while away, then one that took: \(places)")
        #expect(Set(places).count == 1, "every retry names the same order id: \(places)")
    }

    /// The broker's own refusal still ends the intent, with its reason.
    @Test func theBrokersRefusalEndsTheIntentAsRejected() async throws {
        let stack = try Stack()
        defer { stack.stop() }
        stack.gateway.answers.withLock { $0 = [.refuse] }
        _ = try await stack.submit(Self.intent("refused"))
        #expect(await eventually(stack.harness) { await stack.report("refused")?.stage == .stageDone })
        let done = try #require(await stack.report("refused"))
        #expect(done.orderState == .rejected)
        #expect(done.reason.contains("110"))
        #expect(stack.gateway.placed.count == 1)
    }

    /// Flatten cancels the working order, then closes each position the broker reports, whole
    /// and on the right side; asked again with the same id it answers the same closes.
    @Test func flattenCancelsWhatIsWorkingThenClosesEveryPositionOnce() async throws {
        let stack = try Stack()
        defer { stack.stop() }
        _ = try await stack.submit(Self.intent("entry"))
        #expect(await eventually(stack.harness) { await stack.report("entry")?.orderState == .submitted })
        stack.gateway.positions.withLock {
            $0 = [Volta_V1_Position.with { $0.account = "SIM1"; $0.instrument = testOption(.call); $0.quantity = 2 },
                  Volta_V1_Position.with { $0.account = "SIM1"; $0.instrument = testOption(.put, strike: 550); $0.quantity = -1 }]
        }
        let flatten = try await stack.ask { $0.flatten.reason = "test"; $0.flatten.flattenID = "click-1" }.executions
        #expect(stack.gateway.cancelled == ["cancel ex-entry"])
        #expect(await stack.report("entry")?.orderState == .cancelled)
        #expect(flatten.count == 2)
        let byInstrument = Dictionary(uniqueKeysWithValues: flatten.map { ($0.instrument, $0) })
        #expect(byInstrument["SPY 2026-12-18 C 600"]?.quantity == 2)
        #expect(byInstrument["SPY 2026-12-18 P 550"]?.quantity == 1)
        #expect(flatten.allSatisfy { $0.purpose == .close && $0.intentID.hasPrefix("flatten-click-1-") })
        // A long is sold, a short bought back, each whole; options at a smart limit, shares at market.
        let long = ExecutionService.closeIntent(Volta_V1_Position.with { $0.instrument = testOption(.call); $0.quantity = 2 }, id: "a", reason: "t", now: 0)
        let short = ExecutionService.closeIntent(Volta_V1_Position.with { $0.instrument = testOption(.put); $0.quantity = -1 }, id: "b", reason: "t", now: 0)
        let shares = ExecutionService.closeIntent(Volta_V1_Position.with { $0.instrument.symbol = "SPY"; $0.quantity = 100 }, id: "c", reason: "t", now: 0)
        #expect(long.legs[0].side == .sell && long.quantity == 2 && long.orderType == .limit)
        #expect(short.legs[0].side == .buy && short.quantity == 1)
        #expect(shares.legs[0].side == .sell && shares.orderType == .market)

        let again = try await stack.ask { $0.flatten.reason = "test"; $0.flatten.flattenID = "click-1" }.executions
        #expect(Set(again.map(\.intentID)) == Set(flatten.map(\.intentID)))
        #expect(stack.gateway.cancelled.count == 1)
    }
}
