import BusZeroMQ
import Foundation
import TestSupport

/// The compose stack on a docker engine, on the host's network and with a locked bus, running the
/// stops flow; the test's client holds the operator's (tap's) key.
final class ComposeStack: StopsWatcher, @unchecked Sendable {
    static let image = ProcessInfo.processInfo.environment["VOLTA_TEST_IMAGE"] ?? "volta:test"

    /// Why the test cannot run here, or nil: ops/test.sh leaves the reason in .build when it could
    /// not start dockerd or build the image.
    static func skipReason() -> String? {
        let file = "\(packageRoot)/.build/docker-skip-reason"
        if let reason = try? String(contentsOfFile: file, encoding: .utf8), !reason.isEmpty { return reason }
        guard (try? shell(["timeout", "60", "docker", "info"])) != nil else {
            return "no docker engine answers within 60 s (ops/docker/ensure-dockerd.sh starts one as root)"
        }
        guard (try? shell(["docker", "image", "inspect", image])) != nil else {
            return "no image \(image): ops/docker/build-image.sh \(image) makes it (ops/test.sh does)"
        }
        return nil
    }

    let dir = temporaryDirectory("volta-compose")
    let project = "voltatest\(UInt32.random(in: 0...UInt32.max))"
    let keys: [String: String]

    init() async throws {
        // The containers run as an unprivileged user: the mounted config must be readable by it.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir)
        try Self.configuration.write(toFile: "\(dir)/volta.json", atomically: true, encoding: .utf8)
        // The stops scenario, with the fall late enough for the stack to come up and scale first.
        let scenario = try String(contentsOfFile: StopsStack.scenario, encoding: .utf8).replacingOccurrences(of: "at: 40s", with: "at: 150s")
        try scenario.write(toFile: "\(dir)/stops.yaml", atomically: true, encoding: .utf8)
        for file in ["volta.json", "stops.yaml"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: "\(dir)/\(file)")
        }
        let port = freeBasePort()
        try shell(["\(packageRoot)/ops/docker/init-env.sh", "--locked", "--env", "\(dir)/.env",
                        "VOLTA_IMAGE=\(Self.image)", "VOLTA_BUS=tcp://127.0.0.1:\(port)", "VOLTA_BUS_BIND=tcp://127.0.0.1:\(port)",
                        "VOLTA_DASHBOARD_HOST=127.0.0.1", "VOLTA_DASHBOARD_PORT=\(freeBasePort())", "VOLTA_CONFIG_DIR=\(dir)",
                        "VOLTA_CONFIG=/etc/volta/volta.json", "VOLTA_GATEWAY_SCENARIO=/etc/volta/stops.yaml", "VOLTA_GATEWAY_TICK_MS=100"])
        let keys = try envFile("\(dir)/.env")
        self.keys = keys
        let own = try CurveKeyPair(secretKey: CurveKeyPair.normalized(keys["CURVE_TAP_SECRET"] ?? "") ?? "")
        let server = CurveKeyPair.normalized(keys["CURVE_BUS_PUBLIC"] ?? "") ?? ""
        super.init(bus: try systemClient("tcp://127.0.0.1:\(port)", instance: "compose-test",
                                         security: .client(own: own, serverPublicKey: server)))
        try compose(["up", "-d", "--scale", "strategy=1"])
    }

    /// The flow's settings as one config file for the whole stack.
    static var configuration: String {
        var root: [String: Any] = [:]
        for (_, settings) in settings {
            for (key, value) in settings {
                let path = key.split(separator: ".").map(String.init)
                func insert(_ node: [String: Any], _ rest: ArraySlice<String>) -> [String: Any] {
                    var node = node
                    if rest.count == 1 { node[rest.first!] = value } else {
                        node[rest.first!] = insert(node[rest.first!] as? [String: Any] ?? [:], rest.dropFirst())
                    }
                    return node
                }
                root = insert(root, path[...])
            }
        }
        let data = try! JSONSerialization.data(withJSONObject: root, options: [.sortedKeys, .prettyPrinted])
        return String(decoding: data, as: UTF8.self)
    }

    @discardableResult
    func compose(_ args: [String]) throws -> String {
        try shell(["\(packageRoot)/ops/docker/compose", "-p", project, "--env-file", "\(dir)/.env",
                        "-f", "\(packageRoot)/compose/docker-compose.yml", "-f", "\(packageRoot)/compose/host-network.yml"] + args)
    }

    /// The container ids of a service's replicas.
    func containers(_ service: String) throws -> [String] {
        try compose(["ps", "-q", service]).split(separator: "\n").map(String.init)
    }

    /// Each container's health and state, e.g. "healthy running".
    func health() throws -> [String: String] {
        let ids = try compose(["ps", "-q"]).split(separator: "\n").map(String.init)
        guard !ids.isEmpty else { return [:] }
        let lines = try shell(["docker", "inspect", "-f", "{{.Name}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.State.Status}}"] + ids)
        return Dictionary(uniqueKeysWithValues: lines.split(separator: "\n").map { line in
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        })
    }

    /// The stack's logs into the test's folder, then down with its volume.
    func down() {
        stopWatching()
        if let logs = try? compose(["logs", "--no-color"]) { try? logs.write(toFile: "\(dir)/compose.log", atomically: true, encoding: .utf8) }
        do {
            try compose(["down", "-v", "--remove-orphans", "-t", "5"])
        } catch {
            FileHandle.standardError.write(Data("compose down failed: \(error)\n".utf8))
        }
    }
}
