import Foundation

/// Runs grid points as child `backtest run` processes, `jobs` at a time: a process each, so a
/// sweep uses every core and one run's crash is that run's failure alone. Each point writes its
/// own folder (`run-<index>`); the sweep reads their metrics.json back.
public struct SweepRunner: Sendable {
    public let executable: String
    public let config: String
    /// Options every run gets (`--from`, `--to`, `--seed`, `--set` …).
    public let common: [String]
    public let jobs: Int

    public init(executable: String, config: String, common: [String], jobs: Int) {
        self.executable = executable
        self.config = config
        self.common = common
        self.jobs = max(1, jobs)
    }

    public struct Outcome: Sendable {
        public var index: Int
        public var point: [String]
        public var folder: String
        /// The run's metrics.json keys and values (empty when it failed).
        public var metrics: [String: Double?]
        public var error: String?
    }

    /// - Parameter progress: after each finished run: how many are done of how many.
    public func run(points: [(index: Int, point: [String], folder: String)], progress: @escaping @Sendable (Int, Int) -> Void) async -> [Outcome] {
        var outcomes: [Outcome] = []
        await withTaskGroup(of: Outcome.self) { group in
            var next = 0
            func start() {
                guard next < points.count else { return }
                let p = points[next]
                next += 1
                group.addTask { await self.one(p.index, p.point, p.folder) }
            }
            for _ in 0..<jobs { start() }
            while let outcome = await group.next() {
                outcomes.append(outcome)
                progress(outcomes.count, points.count)
                start()
            }
        }
        return outcomes.sorted { $0.index < $1.index }
    }

    func one(_ index: Int, _ point: [String], _ folder: String) async -> Outcome {
        var arguments = ["run", "--config", config, "--out", folder] + common
        for p in point { arguments += ["--set", p] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        var outcome = Outcome(index: index, point: point, folder: folder, metrics: [:], error: nil)
        do {
            try process.run()
            let stderr = await Task.detached { errors.fileHandleForReading.readDataToEndOfFile() }.value
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                outcome.error = "exit \(process.terminationStatus): \(String(decoding: stderr.suffix(400), as: UTF8.self))"
                return outcome
            }
            outcome.metrics = try Self.readMetrics((folder as NSString).appendingPathComponent("metrics.json"))
        } catch {
            outcome.error = "\(error)"
        }
        return outcome
    }

    /// metrics.json's top-level numbers (null as nil).
    public static func readMetrics(_ path: String) throws -> [String: Double?] {
        let object = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
        var out: [String: Double?] = [:]
        for (k, v) in object {
            if let n = v as? NSNumber { out[k] = n.doubleValue } else if v is NSNull { out[k] = .some(nil) }
        }
        return out
    }
}
