import Bus
import Foundation
import GatewayService
import Market
import Messages
import ServiceKit
import StrategyKit
import TestSupport
import Synchronization
import Testing
import TimedBracketStrategy
import Trading
import TradingKernel

/// Order flows in the kernel, in-process on the manual clock: the kill switch's emergency stop,
/// the example plug-in's bracket, a bought and a sold combo, a broker disconnect.
@Suite("Kernel flows", .serialized)
struct KernelFlowTests {
    static let scenario = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../ops/scenarios/emergency-e2e.yaml").standardized.path

    static func kernel(_ strategies: [any Strategy] = [], holder: SwitchHolder? = nil) throws -> TradingKernel {
        var c = TradingKernel.Configuration()
        if let holder { c.venue = { sim in holder.wrap(sim) } }
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

    /// Two exits of one position: the bracket's exits work at the venue (risk never sees them)
    /// when another strategy's close flattens the position first. Execution cancels the
    /// bracket's exits once the broker reports the position flat: the call is not sold twice and
    /// no short call is opened.
    @Test func aCloseThatFlattensThePositionCancelsItsOtherExits() throws {
        var settings = TimedBracket.Settings()
        settings.periodNs = 10_000_000_000
        settings.marketHoursOnly = false
        settings.maxOpen = 1
        settings.takeProfit = 50   // far away: neither exit fills on its own in this test
        settings.stopLoss = 0.01
        let kernel = try Self.kernel([TimedBracket(settings: settings)])
        defer { kernel.stop() }
        kernel.run(for: .seconds(20))
        let entry = try #require(KernelTests.reports(kernel.eventLog).values.first { $0.strategy == "timed-bracket" && $0.parentIntentID.isEmpty })
        #expect(entry.orderState == .filled)
        let bought = try #require(kernel.venue.ledger().positions.first { $0.instrument.hasOption }).instrument
        kernel.perform { bus in
            do {
                try await Self.submit(bus, Self.intent("other-exit", [(bought, .sell)]) { $0.purpose = .close; $0.createdNs = bus.clock.now() })
            } catch { Issue.record("\(error)") }
        }
        kernel.run(for: .seconds(10))
        let reports = KernelTests.reports(kernel.eventLog)
        #expect(reports["other-exit"]?.orderState == .filled, "\(String(describing: reports["other-exit"]))")
        let exits = reports.values.filter { $0.parentIntentID == entry.intentID }
        #expect(exits.count == 2 && exits.allSatisfy { $0.orderState == .cancelled && $0.reason.contains("position is flat") },
                "\(exits.map { "\($0.role) \($0.orderState) \($0.reason)" })")
        #expect(!kernel.venue.ledger().positions.contains { $0.instrument.displayName == bought.displayName })
    }

    /// An intent on a contract whose expiry close has passed ends at once, saying so, instead of
    /// waiting for a quote that will never come (the five-year backtest's stop exit stayed
    /// pending after its option had expired).
    @Test func anIntentOnAnExpiredContractEndsSayingSo() throws {
        let kernel = try Self.kernel()
        defer { kernel.stop() }
        kernel.perform { bus in
            do {
                var (call, _) = try await Self.calls(bus)
                call.option.expiry = NewYorkTime.local(bus.clock.now() - 86_400_000_000_000).date.description
                try await Self.submit(bus, Self.intent("too-late", [(call, .sell)], .limit) { $0.purpose = .close })
            } catch { Issue.record("\(error)") }
        }
        kernel.run(for: .seconds(5))
        let report = try #require(KernelTests.reports(kernel.eventLog)["too-late"])
        #expect(report.stage == .stageDone && report.reason.contains("expired before the order was placed"), "\(report)")
    }

    /// A short put rolled out a month as one sold combo (sell the later put, buy this one back):
    /// the venue fills both legs, the old put's exits are cancelled once it is flat, and the
    /// roll's exits stand on the new put alone.
    @Test func aRollIsOneComboWhoseExitsStandOnTheNewPut() throws {
        let kernel = try Self.kernel()
        defer { kernel.stop() }
        let legs = Mutex<(old: Volta_V1_Instrument, new: Volta_V1_Instrument)?>(nil)
        kernel.perform { bus in
            do {
                let chain = try await bus.request(service: Topics.Service.gateway, Volta_V1_GatewayRequest.with { $0.chainUnderlying = "SPY" },
                                                  as: Volta_V1_GatewayReply.self).chain
                let month = NewYorkTime.local(bus.clock.now() + 30 * 86_400_000_000_000).date.description
                let expiries = chain.expiries.filter { $0.expiry > month }.sorted { $0.expiry < $1.expiry }
                let (near, far) = (try #require(expiries.first), try #require(expiries.dropFirst().first))
                let strike = near.strikeMicros.sorted()[near.strikeMicros.count / 2] / 1_000_000
                let (old, new) = (testOption(.put, strike: strike, expiry: near.expiry), testOption(.put, strike: strike, expiry: far.expiry))
                legs.withLock { $0 = (old, new) }
                try await Self.submit(bus, Self.intent("sale", [(old, .sell)]) {
                    $0.bracket = .with { b in b.takeProfitRatio = 0.05; b.stopLossRatio = 20; b.afterFill = true }
                })
            } catch { Issue.record("\(error)") }
        }
        kernel.run(for: .seconds(10))
        let (old, new) = try #require(legs.withLock { $0 })
        #expect(KernelTests.reports(kernel.eventLog).values.filter { $0.parentIntentID == "sale" }.count == 2)
        kernel.perform { bus in
            do {
                try await Self.submit(bus, Self.intent("roll", [(new, .sell), (old, .buy)], .limit) {
                    $0.purpose = .adjust
                    $0.reason = "roll"
                    $0.bracket = .with { b in
                        b.exitInstrument = new
                        b.takeProfitMicros = 10_000
                        b.stopLossMicros = 500_000_000
                        b.afterFill = true
                    }
                })
            } catch { Issue.record("\(error)") }
        }
        for _ in 0..<24 where KernelTests.reports(kernel.eventLog)["roll"]?.stage != .stageDone { kernel.run(for: .seconds(5)) }
        kernel.run(for: .seconds(5))
        let reports = KernelTests.reports(kernel.eventLog)
        let roll = try #require(reports["roll"])
        #expect(roll.orderState == .filled && roll.filledQuantity == 1, "\(roll)")
        let positions = kernel.venue.ledger().positions
        #expect(!positions.contains { $0.instrument.displayName == old.displayName })
        #expect(positions.first { $0.instrument.displayName == new.displayName }?.quantity == -1)
        let oldExits = reports.values.filter { $0.parentIntentID == "sale" }
        #expect(oldExits.count == 2 && oldExits.allSatisfy { $0.orderState == .cancelled && $0.reason.contains("position is flat") },
                "\(oldExits.map { "\($0.role) \($0.orderState) \($0.reason)" })")
        let newExits = reports.values.filter { $0.parentIntentID == "roll" }
        #expect(newExits.count == 2 && newExits.allSatisfy { $0.instrument == new.displayName && $0.stage == .stageWorking },
                "\(newExits.map { "\($0.role) \($0.instrument) \($0.stage) \($0.reason)" })")
    }

    /// A sold call spread (sell the lower strike, buy the higher) is a credit: execution prices
    /// it from the mid of its net credit and walks down toward the net bid, the venue fills both
    /// legs, and the report books two whole units at the credit, positive in the combo's
    /// direction, never a leg's price.
    @Test func aSoldComboIsACreditWalkedDownAndBookedAsOne() throws {
        let kernel = try Self.kernel()
        defer { kernel.stop() }
        kernel.perform { bus in
            do {
                let (low, high) = try await Self.calls(bus)
                try await Self.submit(bus, Self.intent("credit", [(low, .sell), (high, .buy)], .limit) { $0.quantity = 2 })
            } catch { Issue.record("\(error)") }
        }
        // Bus time, a few seconds at a time until both legs have filled (the walk reprices every 10 s).
        for _ in 0..<24 where KernelTests.reports(kernel.eventLog)["credit"]?.orderState != .filled { kernel.run(for: .seconds(5)) }
        let log = kernel.eventLog
        let report = try #require(KernelTests.reports(log)["credit"])
        #expect(report.orderState == .filled && report.filledQuantity == 2, "\(report)")
        // Every limit sent is a credit, and each reprice asks for less of it.
        let limits = Self.decoded(Volta_V1_IntentExecution.self, log, prefix: Topics.Prefix.intentExecutions)
            .filter { $0.intentID == "credit" && $0.limitPriceMicros != 0 }.map(\.limitPriceMicros)
        #expect(!limits.isEmpty && limits.allSatisfy { $0 > 0 }, "\(limits)")
        #expect(zip(limits, limits.dropFirst()).allSatisfy { $0 >= $1 }, "\(limits)")
        // The legs as traded: the lower call sold, the higher bought, two of each.
        let fills = Self.decoded(Volta_V1_Fill.self, log, prefix: Topics.Prefix.fills).filter { $0.orderID.hasPrefix("ex-credit") }
        let sold = fills.filter { $0.side == .sell }, bought = fills.filter { $0.side == .buy }
        #expect(sold.reduce(0) { $0 + $1.quantity } == 2 && bought.reduce(0) { $0 + $1.quantity } == 2)
        let soldLow = try #require(sold.first), boughtHigh = try #require(bought.first)
        #expect(soldLow.instrument.option.strikeMicros < boughtHigh.instrument.option.strikeMicros)
        // The booked price is the net credit of those fills.
        let net = (sold.reduce(Int64(0)) { $0 + $1.priceMicros * $1.quantity } - bought.reduce(Int64(0)) { $0 + $1.priceMicros * $1.quantity }) / 2
        #expect(report.avgFillPriceMicros == net && net > 0, "report \(report.avgFillPriceMicros), fills \(net)")
    }

    static func decoded<M: BusMessage>(_ type: M.Type, _ log: [RawFrame], prefix: String) -> [M] {
        log.filter { $0.topic.hasPrefix(prefix) }.compactMap { frame in
            (try? Volta_V1_Envelope(serializedBytes: frame.envelope)).flatMap { try? M(serializedBytes: $0.payload) }
        }
    }

    /// A broker disconnect is not a refusal: an intent submitted while the venue is away stays
    /// pending (execution retries the place with backoff), and once the connection is back it
    /// becomes one order, which fills. Nothing is refused, nothing placed twice.
    @Test func anIntentSubmittedWhileTheBrokerIsAwayIsPlacedOnceWhenItIsBack() throws {
        let holder = SwitchHolder()
        let kernel = try Self.kernel(holder: holder)
        defer { kernel.stop() }
        let venue = try #require(holder.venue)
        let call = Locked<Volta_V1_Instrument?>(nil)
        kernel.perform { bus in
            do {
                let (c, _) = try await Self.calls(bus)
                call.withLock { $0 = c }
            } catch { Issue.record("\(error)") }
        }
        kernel.run(for: .seconds(1))
        let instrument = try #require(call.withLock { $0 })
        venue.drop()
        kernel.run(for: .seconds(1))
        kernel.perform { bus in
            do { try await Self.submit(bus, Self.intent("while-away", [(instrument, .buy)])) } catch { Issue.record("\(error)") }
        }
        kernel.run(for: .seconds(10))
        let waiting = try #require(KernelTests.reports(kernel.eventLog)["while-away"])
        #expect(waiting.stage != .stageDone && waiting.stage != .stageRiskRejected, "\(waiting)")
        #expect(waiting.filledQuantity == 0 && !waiting.reason.contains("refused"), "\(waiting.reason)")
        venue.restore()
        for _ in 0..<12 where KernelTests.reports(kernel.eventLog)["while-away"]?.orderState != .filled { kernel.run(for: .seconds(5)) }
        let log = kernel.eventLog
        let report = try #require(KernelTests.reports(log)["while-away"])
        #expect(report.orderState == .filled && report.filledQuantity == 1, "\(report)")
        let brokerIDs = Set(Self.decoded(Volta_V1_OrderStatus.self, log, prefix: Topics.Prefix.orderStatuses)
            .filter { $0.orderID.hasPrefix("ex-while-away") }.map(\.brokerOrderID))
        #expect(brokerIDs.count == 1, "orders at the venue: \(brokerIDs)")
        let filled = Self.decoded(Volta_V1_Fill.self, log, prefix: Topics.Prefix.fills).filter { $0.orderID.hasPrefix("ex-while-away") }
        #expect(filled.reduce(0) { $0 + $1.quantity } == 1)
    }
}

/// Keeps the venue switch the kernel's configuration makes, for the test to throw.
final class SwitchHolder: Sendable {
    let made = Locked<VenueSwitch?>(nil)
    var venue: VenueSwitch? { made.withLock { $0 } }
    func wrap(_ sim: SimAdapter) -> any BrokerAdapter {
        let venue = VenueSwitch(sim)
        made.withLock { $0 = venue }
        return venue
    }
}
