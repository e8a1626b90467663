import ArgumentParser
import Foundation

/// `bench`: Volta's benchmarks, each against a reference measured in the same run. Prints one
/// JSON object per line: name, value, unit, and where there is one, reference and ratio.
/// Run in release: `swift build -c release --product bench && .build/release/bench bus`.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Volta benchmarks.", subcommands: [BusBench.self, CodecBench.self, QuantBench.self, MarketBench.self, E2EBench.self, RecorderBench.self, KernelBench.self,
                                                                                                 BacktestBench.self])
}

/// One result line.
struct Result {
    let name: String
    let value: Double
    let unit: String
    var reference: Double?
    var referenceName: String?
    /// For latencies lower is better, so the ratio is value / reference; for throughput, the same.
    var ratio: Double? { reference.map { $0 > 0 ? value / $0 : 0 } }
    var extra: [String: String] = [:]

    var json: String {
        var parts = ["\"name\":\"\(name)\"", "\"value\":\(Self.number(value))", "\"unit\":\"\(unit)\""]
        if let reference { parts.append("\"reference\":\(Self.number(reference))") }
        if let referenceName { parts.append("\"reference_name\":\"\(referenceName)\"") }
        if let ratio { parts.append("\"ratio\":\(Self.number(ratio))") }
        for (k, v) in extra.sorted(by: { $0.key < $1.key }) { parts.append("\"\(k)\":\"\(v)\"") }
        return "{" + parts.joined(separator: ",") + "}"
    }

    static func number(_ v: Double) -> String { String(format: v >= 100 ? "%.0f" : "%.3f", v) }
}

/// The median of a sample (the upper one of an even count).
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

/// Percentiles of a sample, in the sample's units.
struct Percentiles {
    let sorted: [Double]
    init(_ values: [Double]) { sorted = values.sorted() }
    func at(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Says on stderr when the numbers about to be printed come from a debug build.
func warnIfDebugBuild() {
    #if DEBUG
    FileHandle.standardError.write(Data("bench: this is a debug build; numbers are only meaningful in release (-c release)\n".utf8))
    #endif
}
