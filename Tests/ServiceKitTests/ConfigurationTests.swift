import Foundation
import ServiceKit
import Testing

@Suite("Configuration: flags over environment over file over defaults")
struct ConfigurationTests {
    let port = Setting<Int>.integer("risk.max_orders_per_minute", default: 30, in: 1...600, help: "")
    let mode = Setting<String>.choice("risk.mode", default: "confirm", of: ["confirm", "window", "auto"], help: "")

    func file(_ json: String) throws -> String {
        let path = NSTemporaryDirectory() + "volta-config-\(UUID().uuidString).json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func layersInOrder() async throws {
        let path = try file(#"{"risk": {"max_orders_per_minute": 40, "mode": "window"}, "bus": {"endpoint": "tcp://10.0.0.1"}}"#)
        let fileOnly = try await ConfigurationLayers(file: path, environment: [:], overrides: [])
        #expect(try fileOnly.value(port) == 40)
        #expect(try fileOnly.value(mode) == "window")
        let env = try await ConfigurationLayers(file: path, environment: ["VOLTA_RISK_MAX_ORDERS_PER_MINUTE": "50", "VOLTA_BUS": "tcp://127.0.0.1:9000", "HOME": "/x"], overrides: [])
        #expect(try env.value(port) == 50)
        #expect(try env.value(CommonSettings.busEndpoint) == "tcp://127.0.0.1:9000")
        let flags = try await ConfigurationLayers(file: path, environment: ["VOLTA_RISK_MAX_ORDERS_PER_MINUTE": "50"], overrides: ["risk.max_orders_per_minute=60"])
        #expect(try flags.value(port) == 60)
        let none = try await ConfigurationLayers(file: nil, environment: [:], overrides: [])
        #expect(try none.value(port) == 30)
        #expect(try none.value(CommonSettings.busEndpoint) == "tcp://127.0.0.1")
    }

    @Test func aBadValueNamesTheKeyItsOriginAndWhatIsAccepted() async throws {
        let env = try await ConfigurationLayers(file: nil, environment: ["VOLTA_RISK_MODE": "yolo"], overrides: [])
        #expect(throws: ConfigurationError(key: "risk.mode", value: "yolo", origin: "environment VOLTA_RISK_MODE", accepted: "one of: confirm, window, auto")) {
            try env.value(mode)
        }
        let path = try file(#"{"risk": {"max_orders_per_minute": 100000}}"#)
        let fromFile = try await ConfigurationLayers(file: path, environment: [:], overrides: [])
        do {
            try fromFile.validate([port, mode], sections: ["risk"])
            Issue.record("validation passed")
        } catch let error as ConfigurationError {
            #expect(error.key == "risk.max_orders_per_minute")
            #expect(error.origin == "file \(path)")
            #expect(error.description.contains("an integer from 1 to 600"))
        }
        #expect(ConfigurationError.exitCode == 2)
    }

    @Test func unknownKeysInOwnSectionsAreErrorsOthersAreLeftToTheirService() async throws {
        let path = try file(#"{"risk": {"mode": "auto", "max_order_per_minute": 5}, "strategy": {"k": 2}}"#)
        let config = try await ConfigurationLayers(file: path, environment: [:], overrides: [])
        #expect(throws: ConfigurationError.self) { try config.validate([port, mode], sections: ["risk"]) }
        let clean = try await ConfigurationLayers(file: try file(#"{"risk": {"mode": "auto"}, "strategy": {"k": 2}}"#), environment: [:], overrides: [])
        try clean.validate([port, mode], sections: ["risk"])
        let flags = try await ConfigurationLayers(file: nil, environment: [:], overrides: ["risk.nope=1"])
        #expect(throws: ConfigurationError.self) { try flags.validate([port, mode], sections: ["risk"]) }
        await #expect(throws: ConfigurationError.self) { _ = try await ConfigurationLayers(file: nil, environment: [:], overrides: ["novalue"]) }
        await #expect(throws: ConfigurationError.self) { _ = try await ConfigurationLayers(file: "/nonexistent.json", environment: [:], overrides: []) }
        await #expect(throws: ConfigurationError.self) { _ = try await ConfigurationLayers(file: try file("[1,2]"), environment: [:], overrides: []) }
    }

    @Test func busEndpointsParse() throws {
        #expect(try BusEndpointsProbe.parse("tcp://127.0.0.1") == ["tcp://127.0.0.1:7770", "tcp://127.0.0.1:7771", "tcp://127.0.0.1:7772"])
        #expect(try BusEndpointsProbe.parse("tcp://h:9000") == ["tcp://h:9000", "tcp://h:9001", "tcp://h:9002"])
        #expect(try BusEndpointsProbe.parse("ipc:///run/volta") == ["ipc:///run/volta/volta-pub", "ipc:///run/volta/volta-sub", "ipc:///run/volta/volta-broker"])
        #expect(try BusEndpointsProbe.parse("tcp://a:1,tcp://a:2,tcp://a:3") == ["tcp://a:1", "tcp://a:2", "tcp://a:3"])
        for bad in ["", "udp://x", "tcp://", "tcp://h:99999", "tcp://h:x", "a,b"] {
            #expect(throws: (any Error).self) { try BusEndpointsProbe.parse(bad) }
        }
    }
}

import BusZeroMQ

enum BusEndpointsProbe {
    static func parse(_ s: String) throws -> [String] {
        let e = try BusEndpoints.parse(s)
        return [e.publish, e.subscribe, e.broker]
    }
}
