import ArgumentParser
import BacktestEngine
import Foundation
import Synchronization

/// The path of this executable, for the child runs.
func selfPath() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}

func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("backtest: \(message)\n".utf8))
    return ExitCode(2)
}

/// The options every run of a sweep or walk-forward shares.
struct SharedRunOptions: ParsableArguments {
    @Option(help: "The backtest's config.") var config: String
    @Option(help: "The first session, YYYY-MM-DD.") var from: String?
    @Option(help: "The last session, YYYY-MM-DD.") var to: String?
    @Option(help: "The seed of every run.") var seed: UInt64?
    @Option(name: .customLong("grid"), help: "KEY=V1,V2,... (repeatable): the config keys swept.") var grid: [String] = []
    @Option(help: "Runs at once (child processes).") var jobs = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "The folder the results are written to.") var out: String

    var common: [String] {
        (from.map { ["--from", $0] } ?? []) + (to.map { ["--to", $0] } ?? []) + (seed.map { ["--seed", "\($0)"] } ?? [])
    }

    func parsedGrid() throws -> SweepGrid {
        do { return try SweepGrid(grid) } catch { throw fail("\(error)") }
    }

    /// Runs `points` with one progress bar.
    func runAll(_ points: [(index: Int, point: [String], folder: String)], config: String? = nil, common: [String]? = nil,
                label: String) async -> [SweepRunner.Outcome] {
        let bar = Mutex(ProgressBar())
        return await SweepRunner(executable: selfPath(), config: config ?? self.config, common: common ?? self.common, jobs: jobs)
            .run(points: points) { done, total in bar.withLock { $0.update(done: done, total: total, label: label) } }
    }
}

struct Sweep: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The grid's runs in parallel processes: sweep.csv of every run's metrics and a heatmap.")

    @OptionGroup var options: SharedRunOptions
    @Option(help: "I/N: only the I-th of N slices of the grid (a batch system's one task); `backtest merge` joins the slices.") var shard: String?
    @Option(help: "The metric the heatmap shows.") var metric = "sharpe"

    func run() async throws {
        let grid = try options.parsedGrid()
        let all = grid.points
        var indexes = Array(all.indices)
        if let shard {
            guard let (i, n) = try? SweepGrid.parseShard(shard) else { throw fail("--shard \(shard): expected I/N with 0 ≤ I < N") }
            indexes = SweepGrid.shard(all.count, index: i, of: n)
        }
        try FileManager.default.createDirectory(atPath: options.out, withIntermediateDirectories: true)
        let points = indexes.map { ($0, all[$0], (options.out as NSString).appendingPathComponent("run-\($0)")) }
        let outcomes = await options.runAll(points, label: "sweep")
        let csv = SweepOutput.csv(grid, outcomes)
        try csv.write(toFile: (options.out as NSString).appendingPathComponent("sweep.csv"), atomically: true, encoding: .utf8)
        try SweepOutput.heatmap(csv: csv, metric: metric)
            .write(toFile: (options.out as NSString).appendingPathComponent("heatmap.html"), atomically: true, encoding: .utf8)
        let failed = outcomes.filter { $0.error != nil }
        for f in failed { FileHandle.standardError.write(Data("backtest sweep: run \(f.index) \(f.point) failed: \(f.error!)\n".utf8)) }
        FileHandle.standardError.write(Data("\(outcomes.count - failed.count) of \(outcomes.count) runs → \(options.out)/sweep.csv\n".utf8))
        if !failed.isEmpty { throw ExitCode(1) }
    }
}

struct Merge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Joins the sweep.csv of a sweep's shards into one sweep.csv and heatmap.")

    @Option(help: "The folder the merged results are written to.") var out: String
    @Option(help: "The metric the heatmap shows.") var metric = "sharpe"
    @Argument(help: "The shards' output folders.") var shards: [String]

    func run() async throws {
        var header = ""
        var rows: [Int: String] = [:]
        for folder in shards {
            let path = (folder as NSString).appendingPathComponent("sweep.csv")
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw fail("merge: cannot read \(path)") }
            let parsed = SweepOutput.parse(text)
            guard header.isEmpty || header == parsed.header else { throw fail("merge: \(path) has other columns than the first shard") }
            header = parsed.header
            for r in parsed.rows {
                guard rows[r.index] == nil else { throw fail("merge: run \(r.index) appears in two shards") }
                rows[r.index] = r.line
            }
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let csv = header + "\n" + rows.keys.sorted().map { rows[$0]! + "\n" }.joined()
        try csv.write(toFile: (out as NSString).appendingPathComponent("sweep.csv"), atomically: true, encoding: .utf8)
        try SweepOutput.heatmap(csv: csv, metric: metric).write(toFile: (out as NSString).appendingPathComponent("heatmap.html"),
                                                                atomically: true, encoding: .utf8)
        FileHandle.standardError.write(Data("\(rows.count) runs from \(shards.count) shards → \(out)/sweep.csv\n".utf8))
    }
}
