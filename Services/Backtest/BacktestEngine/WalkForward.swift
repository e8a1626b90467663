import Foundation
import Market

/// Walk-forward windows over a run's sessions (vectorbt's rolling split): `train` sessions of
/// in-sample optimisation, then the next `test` sessions out of sample, rolled forward by `test`
/// so that the out-of-sample stretches tile the span without overlap.
public struct WalkForward: Sendable {
    public struct Window: Sendable, Equatable {
        public var train: ClosedRange<CivilDate>
        public var test: ClosedRange<CivilDate>
    }

    public static func windows(_ sessions: [CivilDate], train: Int, test: Int) -> [Window] {
        guard train > 0, test > 0 else { return [] }
        var out: [Window] = []
        var i = 0
        while i + train < sessions.count {
            let testEnd = min(i + train + test, sessions.count) - 1
            out.append(Window(train: sessions[i]...sessions[i + train - 1], test: sessions[i + train]...sessions[testEnd]))
            i += test
        }
        return out
    }

    /// The out-of-sample closes chained: each window's run starts from `cash` again, so its
    /// closes are scaled to start where the previous window ended.
    public static func stitch(_ windows: [[EquityRow]], cash: Double) -> [EquityRow] {
        var out: [EquityRow] = []
        var level = cash
        for rows in windows {
            let scale = level / cash
            out += rows.map { EquityRow(date: $0.date, equity: $0.equity * scale) }
            level = out.last?.equity ?? level
        }
        return out
    }

    public struct EquityRow: Sendable, Equatable {
        public var date: String
        public var equity: Double
        public init(date: String, equity: Double) {
            self.date = date
            self.equity = equity
        }
    }

    /// date and equity of an equity.csv.
    public static func readEquity(_ path: String) throws -> [EquityRow] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).dropFirst().compactMap { line in
            let f = line.split(separator: ",")
            guard f.count >= 2, let e = Double(f[1]) else { return nil }
            return EquityRow(date: String(f[0]), equity: e)
        }
    }
}
