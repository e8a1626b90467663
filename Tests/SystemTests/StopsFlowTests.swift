import Bus
import Foundation
import Messages
import TestSupport
import Testing

/// The first whole trading flow, as real processes on 127.0.0.1: positions are opened through
/// execution, SPY falls through the stops, the strategy fires exit intents, risk approves them,
/// execution places, reprices and fills them, and P&L is recorded. Then the same with one of two
/// strategy workers SIGKILLed, and with execution SIGKILLed right after it placed.
/// In every run each fired stop is one intent and one broker order.
@Suite("Stops end to end", .serialized, .timeLimit(.minutes(5)))
struct StopsFlowTests {
    @Test func stopsFireAndExitsFillOnce() async throws {
        let stack = try await StopsStack(workers: 1)
        defer { stack.stop() }
        try await stack.openPositions()
        try await stack.waitForExits()
        try await stack.checkOneOrderPerStop()
        let exits = await stack.exits()
        #expect(exits.contains { $0.reprices > 0 }, "no exit was repriced: \(exits.map(\.reprices))")
    }

    /// The node deployment: marketdata, pricer, strategy, risk and execution in one `volta-node`
    /// process, the gateway and the bus outside. The same flow, each stop one order.
    @Test func stopsFireAndExitsFillOnceWithTheTradingPathInOneNode() async throws {
        let stack = try await StopsStack(workers: 1, node: true)
        defer { stack.stop() }
        try await stack.openPositions()
        try await stack.waitForExits()
        try await stack.checkOneOrderPerStop()
        #expect(await stack.intentSources() == ["node.strategy"])
    }

    @Test func aKilledStrategyWorkerIsReplacedWithoutADuplicateOrder() async throws {
        let stack = try await StopsStack(workers: 2)
        defer { stack.stop() }
        try await stack.openPositions()
        // SIGKILL the worker that owns SPY's stops, before the fall: the other must take the
        // underlying over, from the states it already holds, and fire every exit itself.
        let owner = try #require(await stack.stopStates.items.last?.worker)
        let killed = try #require(stack.workers.first { $0.name == owner })
        killed.kill()
        try await stack.waitForExits()
        try await stack.checkOneOrderPerStop()
        let survivor = stack.workers.first { $0.name != killed.name }!.name
        let sources = await stack.intentSources()
        #expect(sources == [survivor], "intents came from \(sources)")
    }

    @Test func executionKilledRightAfterPlacingDoesNotPlaceTwice() async throws {
        let stack = try await StopsStack(workers: 1)
        defer { stack.stop() }
        try await stack.openPositions()
        try await until(timeout: .seconds(60)) { await stack.stopOrderIDs().count >= 1 }
        stack.execution.kill()
        _ = await stack.execution.waitForExit()
        stack.execution = try stack.start("execution", name: "execution-2", stack.executionArgs)
        try await stack.waitForExits()
        try await stack.checkOneOrderPerStop()
        #expect(stack.execution.log.contains("orders_adopted"), "\(stack.execution.log)")
    }
}

/// bus, gateway, marketdata, pricer, risk, execution and N strategy workers on the stops-e2e
/// scenario as child processes, and a client that watches them.
final class StopsStack: StopsWatcher, @unchecked Sendable {
    static let scenario = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../ops/scenarios/stops-e2e.yaml").standardized.path
    let dir = temporaryDirectory("volta-stops")
    let env: [String: String]
    var processes: [ChildProcess] = []
    var workers: [ChildProcess] = []
    var execution: ChildProcess!
    var executionArgs: [String] { Self.flags("execution") }

    /// `node`: the trading path in one `volta-node` process (held as `execution`) instead of a
    /// process each.
    init(workers count: Int, scenario: String = StopsStack.scenario, node: Bool = false) async throws {
        env = ["VOLTA_BUS": "tcp://127.0.0.1:\(freeBasePort())"]
        try super.init(bus: systemClient(env["VOLTA_BUS"]!, instance: "stops-test"))
        processes.append(try start("bus", name: "bus", Self.flags("bus")))
        processes.append(try start("gateway", name: "gateway", ["--set", "gateway.scenario=\(scenario)"] + Self.flags("gateway")))
        if node {
            let services = ["marketdata", "pricer", "strategy", "risk", "execution"]
            execution = try start("volta-node", name: "node", services.flatMap(Self.flags))
            return
        }
        for service in ["marketdata", "pricer", "risk"] {
            processes.append(try start(service, name: service, Self.flags(service)))
        }
        execution = try start("execution", name: "execution", executionArgs)
        for i in 1...count {
            workers.append(try start("strategy", name: "strategy-\(i)", Self.flags("strategy")))
        }
    }

    /// `--set` flags for one service's own settings.
    static func flags(_ service: String) -> [String] {
        settings[service, default: [:]].sorted { $0.key < $1.key }.flatMap { ["--set", "\($0.key)=\($0.value)"] }
    }

    /// Starts a process with the common settings and `args`.
    func start(_ executable: String, name: String, _ args: [String]) throws -> ChildProcess {
        try ChildProcess(executable, ["--instance", name] + Self.flags("common") + args, name: name, environment: env, logDirectory: dir)
    }

    func stop() {
        stopWatching()
        for p in processes + workers { p.kill() }
        execution.kill()
    }
}
