import ArgumentParser
import BacktestEngine
import Foundation
import Market

struct Walkforward: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rolling windows: the grid optimised in sample, the best point run out of sample; a table of both and the stitched out-of-sample equity.")

    @OptionGroup var options: SharedRunOptions
    @Option(help: "Sessions in sample.") var train: Int
    @Option(help: "Sessions out of sample (and the roll).") var test: Int
    @Option(help: "The metric maximised in sample (a key of metrics.json).") var optimize = "sharpe"

    func run() async throws {
        guard PerformanceMetrics.keys.contains(optimize) else { throw fail("--optimize \(optimize): one of \(PerformanceMetrics.keys.joined(separator: ", "))") }
        let grid = try options.parsedGrid()
        let plan = try await BacktestPlan.load(config: options.config, from: options.from, to: options.to, seed: options.seed)
        let windows = WalkForward.windows(plan.sessions.map(\.date), train: train, test: test)
        guard !windows.isEmpty else { throw fail("walkforward: \(plan.sessions.count) sessions leave no window of \(train) + \(test)") }
        let seed = options.seed.map { ["--seed", "\($0)"] } ?? []
        let out = options.out as NSString
        try FileManager.default.createDirectory(atPath: options.out, withIntermediateDirectories: true)
        var table = "window,train_from,train_to,test_from,test_to,best,in_sample_\(optimize),out_of_sample_\(optimize)\n"
        var outOfSample: [[WalkForward.EquityRow]] = []
        for (k, w) in windows.enumerated() {
            let trainFolder = out.appendingPathComponent("window-\(k)/train")
            let points = grid.points.enumerated().map { ($0.offset, $0.element, (trainFolder as NSString).appendingPathComponent("run-\($0.offset)")) }
            let trained = await options.runAll(points, common: ["--from", "\(w.train.lowerBound)", "--to", "\(w.train.upperBound)"] + seed,
                                               label: "window \(k + 1)/\(windows.count) in sample")
            let best = trained.filter { $0.error == nil }.max { a, b in
                ((a.metrics[optimize] ?? nil) ?? -.infinity, b.index) < ((b.metrics[optimize] ?? nil) ?? -.infinity, a.index)
            }
            guard let best else { throw fail("walkforward: every in-sample run of window \(k) failed: \(trained.first?.error ?? "")") }
            let testFolder = out.appendingPathComponent("window-\(k)/test")
            let tested = await options.runAll([(0, best.point, testFolder)], common: ["--from", "\(w.test.lowerBound)", "--to", "\(w.test.upperBound)"] + seed,
                                              label: "window \(k + 1)/\(windows.count) out of sample")
            if let error = tested[0].error { throw fail("walkforward: window \(k) out of sample failed: \(error)") }
            outOfSample.append(try WalkForward.readEquity((testFolder as NSString).appendingPathComponent("equity.csv")))
            func show(_ v: Double??) -> String { (v ?? nil).map { String(format: "%.6g", $0) } ?? "" }
            table += "\(k),\(w.train.lowerBound),\(w.train.upperBound),\(w.test.lowerBound),\(w.test.upperBound),"
                + "\(best.point.joined(separator: " ")),\(show(best.metrics[optimize])),\(show(tested[0].metrics[optimize]))\n"
        }
        let cash = Double(plan.kernel.scenario.account.cashMicros) / 1e6
        let stitched = WalkForward.stitch(outOfSample, cash: cash)
        let metrics = PerformanceMetrics(equity: [cash] + stitched.map(\.equity), trips: [], exposedDays: 0, traded: 0, commissions: 0)
        try table.write(toFile: out.appendingPathComponent("walkforward.csv"), atomically: true, encoding: .utf8)
        try ("date,equity\n" + stitched.map { "\($0.date),\(String(format: "%.2f", $0.equity))\n" }.joined())
            .write(toFile: out.appendingPathComponent("equity.csv"), atomically: true, encoding: .utf8)
        try BacktestOutput.json(metrics).write(toFile: out.appendingPathComponent("metrics.json"), atomically: true, encoding: .utf8)
        let rows = table.split(separator: "\n").map { "<tr><td>" + $0.split(separator: ",", omittingEmptySubsequences: false).joined(separator: "</td><td>") + "</td></tr>" }
        let page = """
        <!doctype html><html><head><meta charset="utf-8"><title>Volta walk-forward</title>
        <style>body{font:14px system-ui,sans-serif;margin:24px}table{border-collapse:collapse}td{padding:4px 10px;border-bottom:1px solid #ddd}</style>
        </head><body><h1>Walk-forward: \(train) sessions in sample, \(test) out, maximising \(optimize)</h1>
        <h2>Stitched out-of-sample equity</h2>\(BacktestReport.chart([(stitched.map(\.equity), "#1f6feb")], height: 240))
        <h2>Windows</h2><table>\(rows.joined(separator: "\n"))</table></body></html>

        """
        try page.write(toFile: out.appendingPathComponent("walkforward.html"), atomically: true, encoding: .utf8)
        FileHandle.standardError.write(Data("\(windows.count) windows → \(options.out)/walkforward.csv\n".utf8))
    }
}
