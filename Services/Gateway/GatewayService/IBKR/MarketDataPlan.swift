import Messages

/// Which instruments hold IB's market data lines (100 by default, fewer than a stack would like),
/// and which give way when they run out: what is held or worked first (a position's contract and
/// its underlying, a working order's contracts: a stop sized from nothing, or an order worked
/// blind, costs money), then what was asked for (the configured underlyings, each strategy's
/// symbols, the stop rules' index and VIX), then the options near the money, which never take
/// the last `reserve` lines (a chain snapshot asks in turns of the lines free). Pure, so the
/// rules are tested without TWS; the adapter applies the difference from the lines it holds.
struct MarketDataPlan: Equatable {
    enum Need: Int, Comparable, Sendable {
        case held, asked, window
        static func < (a: Need, b: Need) -> Bool { a.rawValue < b.rawValue }
    }

    /// What gets a line, most needed first.
    var streamed: [Volta_V1_Instrument] = []
    /// What is held or asked for but gets no line (the window's overflow is not named: it is
    /// what the window is for).
    var left: [String] = []

    /// - Parameters:
    ///   - needs: every instrument with why it is wanted; one wanted twice takes its higher need
    ///     and its place among that need's.
    ///   - refused: instruments TWS refused a line (101, 354): not asked again meanwhile.
    ///   - capacity: the lines this plan may fill (the cap less snapshots in flight).
    ///   - reserve: lines the window leaves free.
    init(_ needs: [(Volta_V1_Instrument, Need)], refused: Set<String>, capacity: Int, reserve: Int) {
        var best: [String: (instrument: Volta_V1_Instrument, need: Need, order: Int)] = [:]
        for (order, (instrument, need)) in needs.enumerated() {
            let key = instrument.displayName
            if let known = best[key], known.need <= need { continue }
            best[key] = (instrument, need, order)
        }
        let ranked = best.values.filter { !refused.contains($0.instrument.displayName) }.sorted { ($0.need, $0.order) < ($1.need, $1.order) }
        for entry in ranked {
            let room = entry.need == .window ? capacity - reserve : capacity
            if streamed.count < room {
                streamed.append(entry.instrument)
            } else if entry.need != .window {
                left.append(entry.instrument.displayName)
            }
        }
    }
}
