import Bus
import Foundation
import Logging
import Messages
import ServiceKit
import StopsStrategy
import StrategyService
import Testing

/// An operator's edits of strategy parameters, end to end: the page's endpoint, a real strategy
/// host that checks and applies them, the recorder that keeps them, and a host started later
/// that runs with them.
@Suite("Strategy parameters edited from the dashboard", .serialized, .timeLimit(.minutes(2)))
struct ParameterEditTests {
    /// A strategy worker running the stop manager, editable, on the harness's bus.
    static func host(_ h: DashboardHarness, _ instance: String) async throws -> (StrategyHost, Task<Void, Never>) {
        let configuration = try await ConfigurationLayers(file: nil, environment: [:], overrides: ["strategy.stops.profile=paper"])
        let context = ServiceContext(bus: h.connect(instance), configuration: configuration, logger: Logger(label: instance))
        let host = try StrategyHost(context: context, plugins: [StopSettings.plugin])
        return (host, Task { try? await host.run() })
    }

    static func parameter(_ h: DashboardHarness, _ key: String) async throws -> [String: Any]? {
        let list = try await h.get("/api/strategies/parameters").object["parameters"] as? [[String: Any]] ?? []
        return list.first { $0["key"] as? String == key }
    }

    @Test func anEditIsCheckedAppliedKeptAndRestoredByALaterWorker() async throws {
        let h = try DashboardHarness(strategyStandIn: false)
        try await h.start()
        defer { Task { await h.stop() } }
        var (_, first) = try await Self.host(h, "strategy-1")
        defer { first.cancel() }
        try await DashboardAPITests.wait { try await Self.parameter(h, "strategy.stops.k") != nil }

        let k = try #require(try await Self.parameter(h, "strategy.stops.k"))
        #expect(k["editable"] as? Bool == true && k["origin"] as? String == "default" && k["value"] as? String == "(the profile's)", "\(k)")
        #expect(try await Self.parameter(h, "strategy.stops.instance")?["editable"] as? Bool == false)
        #expect(try await Self.parameter(h, "strategy.stops.profile")?["origin"] as? String == "flag --set strategy.stops.profile")

        // Refused like the configuration would refuse them, naming the key.
        let bad = try await h.post("/api/strategies/parameters", #"{"key":"strategy.stops.k","value":"fast"}"#)
        #expect(bad.status == 400 && bad.error.contains("strategy.stops.k") && bad.error.contains("0.05"), "\(bad.text)")
        let outOfRange = try await h.post("/api/strategies/parameters", #"{"key":"strategy.stops.k","value":40}"#)
        #expect(outOfRange.status == 400, "\(outOfRange.text)")
        let unknown = try await h.post("/api/strategies/parameters", #"{"key":"strategy.stops.kk","value":1}"#)
        #expect(unknown.status == 400 && unknown.error.contains("strategy.stops.kk"), "\(unknown.text)")
        #expect(try await h.post("/api/strategies/parameters", #"{"key":"strategy.stops.instance","value":"x"}"#).status == 409)
        #expect(try await h.post("/api/strategies/parameters", #"{"key":"strategy.stops.k"}"#).status == 400)
        #expect(try await h.post("/api/strategies/parameters", #"{"key":"strategy.stops.k","value":0.7}"#, token: nil).status == 401)

        // Accepted: the worker runs it, and the recorder keeps who changed what.
        let edit = try await h.post("/api/strategies/parameters", #"{"key":"strategy.stops.k","value":0.7,"who":"alice"}"#)
        #expect(edit.status == 200 && edit.object["previous"] as? String == "(the profile's)" && edit.object["value"] as? String == "0.7",
                "\(edit.text)")
        try await DashboardAPITests.wait { try await Self.parameter(h, "strategy.stops.k")?["value"] as? String == "0.7" }
        #expect((try await Self.parameter(h, "strategy.stops.k")?["origin"] as? String)?.hasPrefix("operator alice at ") == true)
        try await DashboardAPITests.wait {
            let changes = try await h.get("/api/strategies/parameters").object["changes"] as? [[String: Any]] ?? []
            return changes.first.map { $0["who"] as? String == "alice" && $0["value"] as? String == "0.7" && $0["key"] as? String == "strategy.stops.k" } ?? false
        }
        let minTrail = try await h.post("/api/strategies/parameters", #"{"key":"strategy.stops.min_trail","value":"0.05"}"#)
        #expect(minTrail.status == 200, "\(minTrail.text)")
        _ = try await h.post("/api/strategies/parameters", #"{"key":"strategy.stops.min_trail","reset":true}"#)
        try await DashboardAPITests.wait { try await Self.parameter(h, "strategy.stops.min_trail")?["origin"] as? String == "default" }

        // A worker that starts later (the first one gone) runs with the edits in force.
        first.cancel()
        try await Task.sleep(for: .milliseconds(200))
        let (_, second) = try await Self.host(h, "strategy-2")
        first = second
        try await DashboardAPITests.wait {
            let k = try await Self.parameter(h, "strategy.stops.k")
            return k?["value"] as? String == "0.7" && (k?["origin"] as? String)?.hasPrefix("operator alice") == true
        }
        #expect(try await Self.parameter(h, "strategy.stops.min_trail")?["origin"] as? String == "default", "the reset holds too")
    }
}
