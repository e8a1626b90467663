import Bus
import ExecutionService
import Logging
import Messages
import ServiceKit
import Synchronization
import TestSupport
import Testing

/// Execution after a restart, on the in-memory bus with a scripted gateway and risk: what the
/// broker already did decides the answer to a resubmitted intent, not a new risk check.
@Suite("Execution after a restart", .serialized)
struct ExecutionRestartTests {
    /// Counts what execution asks of the gateway and risk; risk refuses everything, as it may
    /// once the position an intent built is over a limit.
    final class Counterparts: Sendable {
        let riskChecks = Mutex<[String]>([])
        let placed = Mutex<[String]>([])
    }

    func intent(_ id: String, _ side: Volta_V1_Side) -> Volta_V1_OrderIntent {
        var intent = Volta_V1_OrderIntent()
        intent.intentID = id
        intent.strategy = "test"
        intent.purpose = .open
        intent.legs = [Volta_V1_Leg.with {
            $0.instrument = Volta_V1_Instrument.with {
                $0.symbol = "SPY"
                $0.option.underlying = "SPY"
                $0.option.expiry = "2026-12-18"
                $0.option.strikeMicros = 600_000_000
                $0.option.right = .call
                $0.option.multiplier = 100
            }
            $0.side = side
            $0.ratio = 1
        }]
        intent.quantity = 2
        intent.orderType = .market
        intent.expectedPriceMicros = 1_200_000
        return intent
    }

    func serveCounterparts(_ harness: InMemoryHarness, _ seen: Counterparts) throws -> [Task<Void, Never>] {
        let gateway = try harness.connect("gateway", service: "gateway")
        let risk = try harness.connect("risk", service: "risk")
        return [
            Task {
                await gateway.serve(service: Topics.Service.gateway, Volta_V1_GatewayRequest.self) { request, _ in
                    var reply = Volta_V1_GatewayReply()
                    switch request.request {
                    case .accountSnapshot:
                        reply.account.doneOrders = [Volta_V1_OrderStatus.with {
                            $0.orderID = "ex-sold-before"
                            $0.state = .filled
                            $0.filledQuantity = 2
                            $0.avgFillPriceMicros = 1_250_000
                        }]
                    case .place(let order):
                        seen.placed.withLock { $0.append(order.orderID) }
                        reply.status = Volta_V1_OrderStatus.with { $0.orderID = order.orderID; $0.state = .submitted }
                    default:
                        throw BadRequest("not scripted")
                    }
                    return reply
                }
            },
            Task {
                await risk.serve(service: Topics.Service.risk, Volta_V1_RiskRequest.self) { request, _ in
                    seen.riskChecks.withLock { $0.append(request.check.intentID) }
                    var reply = Volta_V1_RiskReply()
                    reply.decision.intentID = request.check.intentID
                    reply.decision.verdict = .riskRejected
                    reply.decision.reasonCode = "MAX_GROSS_EXPOSURE"
                    return reply
                }
            },
        ]
    }

    @Test func anIntentWhoseOrderFilledBeforeTheRestartIsAnsweredFilledWithoutARiskCheck() async throws {
        let harness = InMemoryHarness()
        let seen = Counterparts()
        let counterparts = try serveCounterparts(harness, seen)
        let bus = try harness.connect("execution", service: "execution")
        let client = try harness.connect("strategy", service: "strategy")
        let execution = ExecutionService(bus: bus, policy: ExecutionPolicy(), logger: Logger(label: "execution"))
        let running = Task { try await execution.run() }
        defer { running.cancel(); for t in counterparts { t.cancel() } }

        func submit(_ intent: Volta_V1_OrderIntent) async throws -> Volta_V1_IntentExecution {
            var request = Volta_V1_ExecutionRequest()
            request.submit = intent
            var report: Volta_V1_IntentExecution?
            // Execution answers "retry" until it has reconciled with the gateway.
            for _ in 0..<50 where report == nil {
                report = try? await client.request(service: Topics.Service.execution, request, as: Volta_V1_ExecutionReply.self,
                                                   timeout: .seconds(1), retries: 0).executions.first
                if report == nil { await harness.pass(.milliseconds(100)) }
            }
            return try #require(report)
        }

        // Its order sold 2 at 1.25 before execution restarted; risk would now refuse it.
        let before = try await submit(intent("sold-before", .sell))
        #expect(before.stage == .stageDone && before.orderState == .filled)
        #expect(before.filledQuantity == 2 && before.avgFillPriceMicros == 1_250_000)
        #expect(before.slippageMicros == -50_000)  // sold 0.05 over the expected price: the seller's sign
        #expect(before.orderID == "ex-sold-before")
        // An intent the broker never saw is checked, and refused.
        let new = try await submit(intent("new", .buy))
        #expect(await eventually(harness) {
            let again = try? await client.request(service: Topics.Service.execution,
                                                  Volta_V1_ExecutionRequest.with { $0.queryIntentID = "new" },
                                                  as: Volta_V1_ExecutionReply.self, timeout: .seconds(1), retries: 0)
            return again?.executions.first?.stage == .stageRiskRejected
        })
        #expect(new.intentID == "new")
        #expect(seen.riskChecks.withLock { $0 } == ["new"])
        #expect(seen.placed.withLock { $0 }.isEmpty)
    }

    /// Ended intents are remembered for `keep` after execution first sees them ended, then
    /// forgotten; working ones never are.
    @Test func endedIntentsAreForgottenAfterTheRetention() {
        let hour: Int64 = 3_600_000_000_000
        var ended = ExecutionRecord(intentID: "ended", intent: intent("ended", .buy))
        ended.stage = .stageDone
        var refused = ExecutionRecord(intentID: "refused", intent: intent("refused", .buy))
        refused.stage = .stageRiskRejected
        var retention = Retention()
        var records = ["ended": ended, "refused": refused,
                       "working": ExecutionRecord(intentID: "working", intent: intent("working", .sell))]
        #expect(ExecutionRetention.prune(&records, &retention, now: 0, keep: .seconds(86_400)) == 0)  // first seen ended now
        records["working"]?.stage = .stageDone                                            // ends 12 hours later
        #expect(ExecutionRetention.prune(&records, &retention, now: 12 * hour, keep: .seconds(86_400)) == 0)
        #expect(ExecutionRetention.prune(&records, &retention, now: 24 * hour, keep: .seconds(86_400)) == 2)
        #expect(records.keys.sorted() == ["working"])
        #expect(ExecutionRetention.prune(&records, &retention, now: 36 * hour, keep: .seconds(86_400)) == 1)
        #expect(records.isEmpty)
    }
}
