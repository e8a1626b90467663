import Foundation

/// A parameter grid: `--grid KEY=V1,V2,…` options, their cartesian product in a fixed order (the
/// first key slowest), and a shard of it for a batch system (`--shard I/N`: the runs whose index
/// is I modulo N, so N machines split any grid evenly with no coordination).
public struct SweepGrid: Sendable, Equatable {
    public struct Axis: Sendable, Equatable {
        public var key: String
        public var values: [String]
    }

    public var axes: [Axis]

    public struct BadGrid: Error, CustomStringConvertible {
        public let description: String
    }

    /// - Parameter specs: `KEY=V1,V2,…` each; a key once.
    public init(_ specs: [String]) throws {
        axes = try specs.map { spec in
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else { throw BadGrid(description: "--grid \(spec): expected KEY=V1,V2,...") }
            let values = spec[spec.index(after: eq)...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !values.isEmpty, !values.contains(where: \.isEmpty) else { throw BadGrid(description: "--grid \(spec): no values") }
            return Axis(key: String(spec[..<eq]), values: values)
        }
        guard Set(axes.map(\.key)).count == axes.count else { throw BadGrid(description: "--grid: a key is given twice") }
    }

    /// Every point of the grid, as `key=value` overrides, in order.
    public var points: [[String]] {
        axes.reduce([[]]) { partial, axis in partial.flatMap { p in axis.values.map { p + ["\(axis.key)=\($0)"] } } }
    }

    /// The indexes of the points shard `index` of `count` runs.
    public static func shard(_ total: Int, index: Int, of count: Int) -> [Int] {
        Array(stride(from: index, to: total, by: count))
    }

    /// `I/N` → (I, N), with 0 ≤ I < N.
    public static func parseShard(_ text: String) throws -> (index: Int, count: Int) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n > 0, (0..<n).contains(i) else {
            throw BadGrid(description: "--shard \(text): expected I/N with 0 ≤ I < N")
        }
        return (i, n)
    }
}
