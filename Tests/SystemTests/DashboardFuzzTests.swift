import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Messages
import TestSupport
import Testing

/// The dashboard's HTTP API fuzzed against its own OpenAPI document by schemathesis (PyPI), as a
/// third-party client would see it: the whole stack runs (bus, simulated gateway, marketdata,
/// pricer, risk, execution, a strategy worker, recorder, dashboard), with positions open, and
/// every operation gets documented and undocumented inputs. No answer may be a 5xx, every
/// answer must be documented and match its schema, and every refusal is a 4xx with a reason.
///
/// schemathesis comes from ops/install-deps.sh. Without it the test is skipped, except in CI.
@Suite("Dashboard API fuzzed with schemathesis", .serialized, .timeLimit(.minutes(10)))
struct DashboardFuzzTests {
    static let scenario = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../ops/scenarios/dashboard.yaml").standardized.path
    static let hasSchemathesis = (try? runPython(["-c", "import schemathesis"]))?.status == 0
    static let token = "fuzz-test-token-0123456789"

    @Test(.enabled(if: hasSchemathesis || ProcessInfo.processInfo.environment["CI"] != nil, "schemathesis is not installed (ops/install-deps.sh)"))
    func noAnswerIsAServerErrorAndEveryAnswerIsDocumented() async throws {
        let stack = try await StopsStack(workers: 1, scenario: Self.scenario)
        defer { stack.stop() }
        let port = freeBasePort()
        stack.processes.append(try stack.start("recorder", name: "recorder", ["--set", "recorder.path=\(stack.dir)/volta.sqlite"]))
        stack.processes.append(try stack.start("dashboard", name: "dashboard", ["--set", "dashboard.port=\(port)",
                                                                                "--set", "dashboard.token=\(Self.token)"]))
        try await stack.openPositions()
        let base = "http://127.0.0.1:\(port)"
        // Everything answers first: a service still starting is a 503, which is not what is tested.
        try await until(timeout: .seconds(60)) {
            guard let status = try? await getJSON(base + "/api/status"),
                  let alive = status["alive_by_service"] as? [String: Int] else { return false }
            let pending = try? await getJSON(base + "/api/intents/pending")
            return ["recorder", "risk", "execution", "strategy"].allSatisfy { (alive[$0] ?? 0) > 0 } && pending?["mode"] != nil
        }

        let seed = Int.random(in: 1...1_000_000)
        let (status, output) = try Self.schemathesis([
            "run", base + "/openapi.json", "--header", "Authorization: Bearer \(Self.token)",
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection",
            "--exclude-path", "/api/events", "--phases", "examples,coverage,fuzzing", "--max-examples", "\(ProcessInfo.processInfo.environment["VOLTA_FUZZ_EXAMPLES"] ?? "12")", "--workers", "1",
            "--seed", "\(seed)", "--request-timeout", "30", "--suppress-health-check", "all", "--no-color",
            "--report", "junit", "--report-dir", "\(stack.dir)/schemathesis",
        ])
        print("schemathesis (seed \(seed)):\n" + output.suffix(1_800))
        #expect(status == 0, "schemathesis (seed \(seed)) found problems:\n\(output.suffix(6_000))")
        #expect(output.contains("passed"), "\(output.suffix(2_000))")
    }

    static func schemathesis(_ arguments: [String]) throws -> (Int32, String) {
        try runPython(["-c", "import sys; from schemathesis.cli import schemathesis; sys.argv[0] = 'schemathesis'; sys.exit(schemathesis())"] + arguments)
    }
}
