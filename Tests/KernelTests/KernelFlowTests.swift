import Bus
import Foundation
import Market
import Messages
import StrategyKit
import TestSupport
import Testing
import TimedBracketStrategy
import Trading
import TradingKernel

/// Order flows in the kernel, in-process on the manual clock: the kill switch's emergency stop,
/// the example plug-in's bracket, a combo.
@Suite("Kernel flows", .serialized)
struct KernelFlowTests {
    static let scenario = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../ops/scenarios/emergency-e2e.yaml").standardized.path

    static func kernel(_ strategies: [any Strategy] = []) throws -> TradingKernel {
        var c = TradingKernel.Configuration()
        c.scenario = try ScenarioLoader.load(scenario)
        c.marketdata.historyDays = 30
        c.marketdata.betas = ["SPY": 1]
        let kernel = try TradingKernel(c, strategies: strategies)
        kernel.start()
        kernel.run(for: .seconds(5))
        return kernel
    }

    /// The near-the-money call of the first expiry over 30 days out, and the next strike up.
    static func calls(_ bus: Bus) async throws -> (Volta_V1_Instrument, Volta_V1_Instrument) {
        let chain = try await bus.request(service: Topics.Service.gateway, Volta_V1_GatewayRequest.with { $0.chainUnderlying = "SPY" },
                                          as: Volta_V1_GatewayReply.self).chain
        let month = NewYorkTime.local(bus.clock.now() + 30 * 86_400_000_000_000).date.description
        let expiry = try #require(chain.expiries.first { $0.expiry > month })
        let strikes = expiry.strikeMicros.sorted()
        let mid = strikes[strikes.count / 2]
        let next = try #require(strikes.first { $0 > mid })
        return (testOption(.call, strike: mid / 1_000_000, expiry: expiry.expiry), testOption(.call, strike: next / 1_000_000, expiry: expiry.expiry))
    }

    static func submit(_ bus: Bus, _ intent: Volta_V1_OrderIntent) async throws {
        _ = try await bus.request(service: Topics.Service.execution, Volta_V1_ExecutionRequest.with { $0.submit = intent },
                                  as: Volta_V1_ExecutionReply.self)
    }

    static func intent(_ id: String, _ legs: [(Volta_V1_Instrument, Volta_V1_Side)], _ type: Volta_V1_OrderType = .market,
                       _ build: (inout Volta_V1_OrderIntent) -> Void = { _ in }) -> Volta_V1_OrderIntent {
        var i = Volta_V1_OrderIntent.with {
            $0.intentID = id
            $0.strategy = "test"
            $0.purpose = .open
            $0.legs = legs.map { l in Volta_V1_Leg.with { $0.instrument = l.0; $0.side = l.1; $0.ratio = 1 } }
            $0.quantity = 1
            $0.orderType = type
            $0.account = "SIM1"
        }
        build(&i)
        return i
    }

    @Test func theEmergencyStopCancelsTheRestingOrderAndRefusesNewRisk() throws {
        let kernel = try Self.kernel()
        defer { kernel.stop() }
        kernel.perform { bus in
            do {
                let (call, _) = try await Self.calls(bus)
                try await Self.submit(bus, Self.intent("resting", [(call, .buy)], .limit) { $0.limitPriceMicros = 10_000 })
            } catch { Issue.record("\(error)") }
        }
        kernel.run(for: .seconds(3))
        #expect(KernelTests.reports(kernel.eventLog)["resting"]?.orderState == .submitted)
        kernel.perform { bus in
            do {
                let halted = try await bus.request(service: Topics.Service.risk, Volta_V1_RiskRequest.with { $0.emergencyStop = "kernel test" },
                                                   as: Volta_V1_RiskReply.self)
                #expect(halted.state.killSwitch == "HALTED")
                let (call, _) = try await Self.calls(bus)
                try await Self.submit(bus, Self.intent("after-halt", [(call, .buy)]))
            } catch { Issue.record("\(error)") }
        }
        kernel.run(for: .seconds(3))
        let reports = KernelTests.reports(kernel.eventLog)
        #expect(reports["resting"]?.orderState == .cancelled)
        #expect(reports["after-halt"]?.riskReasonCode == "KILL_SWITCH_HALTED")
    }

    /// The example plug-in enters on its timer at the ask; once filled, its two exits work at
    /// the venue in one OCA group. A bought call spread (a two-leg combo) fills too.
    @Test func theExamplePluginsBracketAndACombo() throws {
        var settings = TimedBracket.Settings()
        settings.periodNs = 10_000_000_000
        settings.marketHoursOnly = false
        let kernel = try Self.kernel([TimedBracket(settings: settings)])
        defer { kernel.stop() }
        kernel.perform { bus in
            do {
                let (low, high) = try await Self.calls(bus)
                try await Self.submit(bus, Self.intent("spread", [(low, .buy), (high, .sell)]))
            } catch { Issue.record("\(error)") }
        }
        kernel.run(for: .seconds(20))
        let reports = KernelTests.reports(kernel.eventLog)
        #expect(reports["spread"]?.orderState == .filled, "\(String(describing: reports["spread"]))")
        let entry = try #require(reports.values.first { $0.strategy == "timed-bracket" && $0.parentIntentID.isEmpty })
        #expect(entry.orderState == .filled)
        let exits = reports.values.filter { $0.parentIntentID == entry.intentID }
        #expect(Set(exits.map(\.role)) == ["take_profit", "stop_loss"], "\(exits.map(\.role))")
        #expect(exits.allSatisfy { $0.orderState == .submitted && $0.purpose == .close }, "\(exits.map { "\($0.role) \($0.orderState) \($0.reason)" })")
    }
}
