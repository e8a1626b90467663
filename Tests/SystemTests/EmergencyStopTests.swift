import Bus
import Foundation
import Messages
import TestSupport
import Testing

/// The operator's two red buttons as real processes on 127.0.0.1: the emergency stop (risk halts,
/// execution cancels every working order, the broker holds none, new risk is refused) and then
/// flatten (every position closed at smart limits through risk and execution, which HALTED lets
/// through because each close reduces a held position).
@Suite("Emergency stop and flatten end to end", .serialized)
struct EmergencyStopTests {
    static let scenario = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../ops/scenarios/emergency-e2e.yaml").standardized.path

    @Test(.timeLimit(.minutes(4)))
    func theEmergencyStopCancelsEveryWorkingOrderAndHaltsAndFlattenClosesEveryPosition() async throws {
        let stack = try await StopsStack(workers: 1, scenario: Self.scenario)
        defer { stack.stop() }
        try await stack.openPositions()
        let bus = stack.bus

        // A buy bounded at 0.01: it rests, working, until something cancels it.
        var resting = marketIntent(id: "resting-0", strategy: "test", stack.opened[0], .buy, quantity: 1, account: "SIM1")
        resting.orderType = .limit
        resting.limitPriceMicros = 10_000
        try await submit(resting, bus)
        try await until(timeout: .seconds(30)) {
            await stack.reports.items.contains { $0.intentID == "resting-0" && $0.orderState == .submitted }
        }

        let stop = try await bus.request(service: Topics.Service.risk, Volta_V1_RiskRequest.with { $0.emergencyStop = "test" },
                                         as: Volta_V1_RiskReply.self, timeout: .seconds(10), retries: 0)
        #expect(stop.state.killSwitch == "HALTED")
        try await until(timeout: .seconds(30)) {
            await stack.reports.items.contains { $0.intentID == "resting-0" && $0.orderState == .cancelled }
        }
        let account = try await bus.request(service: Topics.Service.gateway, Volta_V1_GatewayRequest.with { $0.accountSnapshot = true },
                                            as: Volta_V1_GatewayReply.self, timeout: .seconds(5), retries: 2).account
        #expect(account.openOrders.isEmpty, "working at the broker after the emergency stop: \(account.openOrders)")

        // New risk is refused while HALTED.
        try await submit(marketIntent(id: "after-halt", strategy: "test", stack.opened[0], .buy, quantity: 1, account: "SIM1"), bus)
        try await until(timeout: .seconds(30)) {
            await stack.reports.items.contains { $0.intentID == "after-halt" && $0.riskReasonCode == "KILL_SWITCH_HALTED" }
        }

        // Flatten: one close per position, each filled, every position flat.
        let flatten = try await bus.request(service: Topics.Service.execution,
                                            Volta_V1_ExecutionRequest.with { $0.flatten.reason = "test"; $0.flatten.flattenID = "e2e" },
                                            as: Volta_V1_ExecutionReply.self, timeout: .seconds(20), retries: 0)
        #expect(flatten.executions.count == 3, "\(flatten.executions.map(\.instrument))")
        #expect(flatten.executions.allSatisfy { $0.purpose == .close })
        try await until(timeout: .seconds(90)) {
            let latest = Dictionary(await stack.positions.items.map { (Topics.position(account: $0.account, instrument: $0.instrument), $0.quantity) },
                                    uniquingKeysWith: { _, last in last })
            return stack.opened.allSatisfy { latest[Topics.position(account: "SIM1", instrument: $0)] == 0 }
        }
        // Asked again, the same flatten answers the same closes and sends nothing new.
        let again = try await bus.request(service: Topics.Service.execution,
                                          Volta_V1_ExecutionRequest.with { $0.flatten.reason = "test"; $0.flatten.flattenID = "e2e" },
                                          as: Volta_V1_ExecutionReply.self, timeout: .seconds(20), retries: 0)
        #expect(Set(again.executions.map(\.intentID)) == Set(flatten.executions.map(\.intentID)))
        #expect(again.executions.allSatisfy { $0.orderState == .filled }, "\(again.executions.map { "\($0.intentID) \($0.orderState)" })")
    }

    func submit(_ intent: Volta_V1_OrderIntent, _ bus: Bus) async throws {
        _ = try await bus.request(service: Topics.Service.execution, Volta_V1_ExecutionRequest.with { $0.submit = intent },
                                  as: Volta_V1_ExecutionReply.self, timeout: .seconds(3), retries: 5)
    }
}
