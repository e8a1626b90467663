import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Real Volta executables as child processes, for tests that kill them.
///
/// Binaries come from `VOLTA_BIN_DIR`, or the package's `.build/debug` (the README's test
/// command builds them before running the tests). A missing binary fails the test loudly.
public final class ChildProcess: @unchecked Sendable {
    public let name: String
    public let process = Process()
    public let logPath: String

    public static var binDirectory: String {
        if let dir = ProcessInfo.processInfo.environment["VOLTA_BIN_DIR"] { return dir }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug").path
    }

    public init(_ executable: String, _ arguments: [String], name: String, environment: [String: String] = [:], logDirectory: String) throws {
        self.name = name
        let path = executable.hasPrefix("/") ? executable : "\(Self.binDirectory)/\(executable)"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw HarnessError("\(path) is missing: build the products first (swift build)")
        }
        // The test process's threads block SIGTERM and SIGINT, and a child inherits the mask
        // through exec: it could then never be stopped politely. Clear it before exec.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
                             + "signal.signal(signal.SIGPIPE, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])", path] + arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        logPath = "\(logDirectory)/\(name).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    public func kill(_ signal: Int32 = SIGKILL) {
        if process.isRunning { Glibc.kill(process.processIdentifier, signal) }
    }

    /// Waits for the exit, at most `timeout`; returns the status or nil if still running.
    public func waitForExit(timeout: Duration = .seconds(10)) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}

public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

public func temporaryDirectory(_ prefix: String) -> String {
    let dir = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// The package's root directory.
public let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
