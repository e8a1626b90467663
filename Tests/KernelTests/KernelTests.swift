import Bus
import ExecutionService
import Foundation
import Market
import Messages
import StopsStrategy
import StrategyKit
import TestSupport
import Testing
import Trading
import TradingKernel

/// The trading kernel in-process: the stops flow of the multi-process test (positions opened
/// through execution, SPY falls through the stops, the exits fill), on the manual clock and the
/// serial scheduler, and the same run twice gives the same event log byte for byte.
@Suite("Trading kernel", .serialized)
struct KernelTests {
    static let scenario = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../ops/scenarios/stops-e2e.yaml").standardized.path

    static func configuration() throws -> TradingKernel.Configuration {
        .stopsFlow(try ScenarioLoader.load(scenario))
    }

    static func stops() -> StopManager {
        var profile = StopProfile.paper
        profile.minTrail = 0.02
        return StopManager(book: StopBook(profile: profile, instance: "stops", worker: "strategy"))
    }

    /// Opens the stops flow's positions through execution (`StopsFlowPositions`).
    static func openPositions(_ kernel: TradingKernel) {
        kernel.perform { bus in
            do { try await StopsFlowPositions.open(bus) } catch { Issue.record("opening the positions failed: \(error)") }
        }
    }

    /// The latest report of every intent in the log.
    static func reports(_ log: [RawFrame]) -> [String: Volta_V1_IntentExecution] {
        var latest: [String: Volta_V1_IntentExecution] = [:]
        for frame in log where frame.topic.hasPrefix(Topics.Prefix.intentExecutions) {
            guard let envelope = try? Volta_V1_Envelope(serializedBytes: frame.envelope),
                  let report = try? Volta_V1_IntentExecution(serializedBytes: envelope.payload) else { continue }
            latest[report.intentID] = report
        }
        return latest
    }

    static func run() throws -> (log: [RawFrame], wall: Duration) {
        let kernel = try TradingKernel(try configuration(), strategies: [stops()])
        let started = ContinuousClock.now
        kernel.start()
        kernel.run(for: .seconds(5))
        openPositions(kernel)
        kernel.run(for: .seconds(115))
        kernel.stop()
        return (kernel.eventLog, ContinuousClock.now - started)
    }

    @Test func theStopsFlowRunsInProcessAndTwoRunsGiveTheSameEventLogByteForByte() throws {
        let first = try Self.run()
        let reports = Self.reports(first.log)
        let opened = reports.filter { $0.key.hasPrefix("open-") }
        #expect(opened.count == 3 && opened.values.allSatisfy { $0.orderState == .filled }, "\(opened.values.map { "\($0.intentID) \($0.orderState)" })")
        let exits = reports.values.filter { $0.strategy == "stops" }
        #expect(exits.count >= 2, "stop exits: \(exits.map(\.intentID))")
        #expect(exits.allSatisfy { $0.orderState == .filled && $0.purpose == .close && $0.intentReason == "stop_loss" },
                "\(exits.map { "\($0.intentID) \($0.stage) \($0.orderState) \($0.reason)" })")
        print("kernel: 120 s of the stops flow, \(first.log.count) messages, in \(first.wall) of wall time")

        let second = try Self.run()
        #expect(second.log.count == first.log.count)
        let differing = zip(first.log, second.log).enumerated().first { $0.element.0 != $0.element.1 }
        if let (index, (a, b)) = differing {
            let ea = try Volta_V1_Envelope(serializedBytes: a.envelope), eb = try Volta_V1_Envelope(serializedBytes: b.envelope)
            Issue.record("""
                the runs differ at message \(index) of \(first.log.count): \(a.topic) / \(b.topic)
                first:  \(ea.source.instance) #\(ea.sequence) \(ea.type) t=\(ea.eventTimeNs) \(ea.payload.count) bytes
                second: \(eb.source.instance) #\(eb.sequence) \(eb.type) t=\(eb.eventTimeNs) \(eb.payload.count) bytes
                """)
        }
    }
}
