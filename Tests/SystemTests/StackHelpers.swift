import Bus
import BusZeroMQ
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Messages
import TestSupport

/// A test's own process on the bus under test; with CURVE keys on a locked bus.
func systemClient(_ endpoint: String, instance: String, security: BusSecurity? = nil) throws -> Bus {
    let statistics = BusStatistics()
    var options = BusSocketOptions.testing(heartbeatMilliseconds: 200)
    options.security = security
    let transport = try ZeroMQTransport(endpoints: try BusEndpoints.parse(endpoint), instance: instance,
                                        options: options, statistics: statistics,
                                        logger: Logger(label: "test"))
    return Bus(identity: ServiceIdentity(service: "test", instance: instance, epoch: UInt64(WallClock().now())),
               transport: transport, statistics: statistics)
}

func fetchSnapshot(_ bus: Bus, stream: String, prefix: String) async throws -> Volta_V1_Snapshot {
    var request = Volta_V1_SnapshotRequest()
    request.prefix = prefix
    return try await bus.request(service: Topics.Service.snapshot(of: stream), request, as: Volta_V1_Snapshot.self,
                                 timeout: .seconds(3), retries: 1)
}

/// Polls `condition` until it holds; fails naming the caller's line when it never does.
func until(_ what: String = #function, line: Int = #line, timeout: Duration = .seconds(20), _ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw HarnessError("condition at line \(line) not met within \(timeout)")
}

/// A one-leg market intent to open, as the tests' order sources send them.
func marketIntent(id: String, strategy: String, _ instrument: Volta_V1_Instrument, _ side: Volta_V1_Side,
                  quantity: Int64, account: String) -> Volta_V1_OrderIntent {
    var intent = Volta_V1_OrderIntent()
    intent.intentID = id
    intent.strategy = strategy
    intent.purpose = .open
    var leg = Volta_V1_Leg()
    leg.instrument = instrument
    leg.side = side
    leg.ratio = 1
    intent.legs = [leg]
    intent.quantity = quantity
    intent.orderType = .market
    intent.account = account
    return intent
}

/// Runs a Volta executable to its exit (at most 20 s): its status (nil if killed) and its output.
func runToExit(_ executable: String, _ args: [String], name: String, dir: String, environment: [String: String] = [:]) async throws -> (Int32?, String) {
    let p = try ChildProcess(executable, args, name: name, environment: environment, logDirectory: dir)
    let status = await p.waitForExit(timeout: .seconds(20))
    p.kill()
    return (status, p.log)
}

/// Runs a command (found on PATH); its standard output, or an error with both outputs when it fails.
@discardableResult
func shell(_ command: [String], environment: [String: String] = [:]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = command
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw HarnessError("\(command.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: errors + output, as: UTF8.self).suffix(2_000))")
    }
    return String(decoding: output, as: UTF8.self)
}

/// The `NAME=value` lines of an env file (comments skipped), as compose and volta-keys write them.
func envFile(_ path: String) throws -> [String: String] {
    var values: [String: String] = [:]
    for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
        let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
        if parts.count == 2 { values[parts[0]] = parts[1] }
    }
    return values
}

/// A supervisord config for the stack in `bin` (ops/supervision/write-config.sh), with `extra`
/// programs ("name=command"); its path.
func supervisorConfig(bin: String, run: String, extra: [String], environment: [String: String]) throws -> String {
    try shell(["\(packageRoot)/ops/supervision/write-config.sh", bin, run] + extra, environment: environment)
        .trimmingCharacters(in: .whitespacesAndNewlines)
}

/// A JSON object from a GET on a running dashboard.
func getJSON(_ url: String) async throws -> [String: Any] {
    let (data, _) = try await URLSession.shared.data(from: URL(string: url)!)
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
}

/// `python3 ARGS…` to its exit: its status and its output (stdout and stderr together).
func runPython(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
