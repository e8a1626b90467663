import Bus
import Logging
import Messages
@testable import RiskService
import TestSupport
import Testing
import Trading

/// Operators' commands with several risk workers: the broker hands each request to one worker,
/// and every worker must act on it.
@Suite("Risk: operators' commands reach every worker", .serialized)
struct RiskControlTests {
    struct Workers {
        let harness = InMemoryHarness()
        let workers: [RiskService]
        let client: Bus
        let tasks: [Task<Void, Never>]

        init(count: Int = 2) throws {
            let hub = harness
            let buses = try (0..<count).map { try hub.connect("risk-\($0)", service: "risk") }
            let workers = buses.map { RiskService(bus: $0, book: RiskBook(limits: RiskLimits()), logger: Logger(label: "risk")) }
            self.workers = workers
            client = try hub.connect("dashboard", service: "dashboard")
            tasks = workers.map { w in Task { try? await w.run() } }
        }

        func stop() { for t in tasks { t.cancel() } }

        func ask(_ build: (inout Volta_V1_RiskRequest) -> Void) async throws -> Volta_V1_RiskReply {
            var request = Volta_V1_RiskRequest()
            build(&request)
            var last: (any Error)?
            for _ in 0..<50 {
                do {
                    return try await client.request(service: Topics.Service.risk, request, as: Volta_V1_RiskReply.self,
                                                    timeout: .seconds(1), retries: 0)
                } catch BusError.noSuchService(let s) {
                    last = BusError.noSuchService(s)
                    await harness.pass(.milliseconds(50))  // the workers are still registering
                }
            }
            throw last ?? BusError.closed
        }

        var killSwitches: [KillSwitch] { workers.map { w in w.book.withLock { $0.killSwitch } } }
        var modes: [OperatingMode] { workers.map { w in w.book.withLock { $0.mode } } }
    }

    @Test func theKillSwitchAndTheModeSetThroughOneWorkerHoldOnEvery() async throws {
        let risk = try Workers()
        defer { risk.stop() }
        _ = try await risk.ask { $0.setKillSwitch = "HALTED" }
        #expect(await eventually(risk.harness) { risk.killSwitches == [.halted, .halted] }, "\(risk.killSwitches)")
        _ = try await risk.ask { $0.setMode = "confirm" }
        #expect(await eventually(risk.harness) { risk.modes == [.confirm, .confirm] }, "\(risk.modes)")
        _ = try await risk.ask { $0.setKillSwitch = "ACTIVE" }
        #expect(await eventually(risk.harness) { risk.killSwitches == [.active, .active] }, "\(risk.killSwitches)")
    }

    /// The emergency stop halts every worker, not only the one that ran it.
    @Test func theEmergencyStopHaltsEveryWorker() async throws {
        let risk = try Workers()
        defer { risk.stop() }
        let reply = try await risk.ask { $0.emergencyStop = "test" }
        #expect(reply.state.killSwitch == "HALTED")  // the answering worker's state, after the halt
        #expect(await eventually(risk.harness) { risk.killSwitches == [.halted, .halted] }, "\(risk.killSwitches)")
    }

    /// Two commands answered by two workers, arriving in either order: both keep the later.
    @Test func theLaterOfTwoCommandsWinsOnEveryWorker() {
        var a = RiskBook(limits: RiskLimits()), b = RiskBook(limits: RiskLimits())
        a.setKillSwitch(.halted, at: 10)    // answered by a
        b.setKillSwitch(.active, at: 20)    // answered by b, later
        a.setKillSwitch(.active, at: 20)    // b's broadcast reaches a
        b.setKillSwitch(.halted, at: 10)    // a's broadcast reaches b, late: ignored
        #expect(a.killSwitch == .active && b.killSwitch == .active)
    }

    /// A confirmation or a veto made on one worker holds on another that has not seen the intent.
    @Test func confirmationsAndVetoesMadeElsewhereHold() {
        var b = RiskBook(limits: RiskLimits(), mode: .confirm)
        b.apply(Volta_V1_AccountValue.with { $0.key = "NetLiquidation"; $0.valueMicros = 10_000_000_000_000 }, now: 1)
        b.price("SPY", 600)
        #expect(b.check(intent("unconfirmed"), now: 1).verdict == .riskPendingConfirmation)
        b.confirmedElsewhere("confirmed")
        #expect(b.check(intent("confirmed"), now: 1).verdict == .riskApproved)
        _ = b.vetoedElsewhere("vetoed")
        #expect(b.check(intent("vetoed"), now: 1).reasonCode == RiskReason.vetoed.rawValue)
    }

    /// A worker that starts while its peers are halted starts halted.
    @Test func aWorkerStartedDuringAHaltStartsHalted() async throws {
        let risk = try Workers(count: 1)
        defer { risk.stop() }
        _ = try await risk.ask { $0.setKillSwitch = "HALTED" }
        let late = RiskService(bus: try risk.harness.connect("risk-late", service: "risk"), book: RiskBook(limits: RiskLimits()),
                               logger: Logger(label: "risk"))
        let running = Task { try? await late.run() }
        defer { running.cancel() }
        #expect(await eventually(risk.harness) { late.book.withLock { $0.killSwitch } == .halted })
    }

    func intent(_ id: String) -> Volta_V1_OrderIntent {
        Volta_V1_OrderIntent.with {
            $0.intentID = id
            $0.purpose = .open
            $0.quantity = 1
            $0.legs = [Volta_V1_Leg.with { $0.instrument = testOption(); $0.side = .buy; $0.ratio = 1 }]
        }
    }
}
