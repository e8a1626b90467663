import Foundation

/// Plays a scenario's events against the clock: which moves drift which symbols, where a VIX
/// glide stands, and which feeds are faulty.
struct ScriptState: Sendable {
    let events: [MarketEvent]
    /// The VIX when each glide started, by event index.
    var glideStart: [Int: Double] = [:]
    var applied: Set<Int> = []

    init(events: [MarketEvent]) { self.events = events.sorted { $0.atSeconds < $1.atSeconds } }

    struct Effects {
        /// Extra log drift per year, by symbol.
        var drift: [String: Double] = [:]
    }

    /// The effects for a step starting `elapsed` seconds after the start; VIX events are applied
    /// to `index` directly.
    mutating func effects(at elapsed: Double, dtSeconds: Double, index: inout IndexProcess) -> Effects {
        var effects = Effects()
        for (i, event) in events.enumerated() where event.atSeconds <= elapsed {
            let end = event.atSeconds + event.durationSeconds
            switch event.action {
            case .move(let symbol, let fraction, let seconds):
                // The part of the move in this step: an instant move all in its first step, a
                // spread one the step's share of its seconds (a step straddling the end included).
                let part: Double
                if seconds <= 0 {
                    guard applied.insert(i).inserted else { continue }
                    part = 1
                } else {
                    guard elapsed < end else { continue }
                    part = (min(end, elapsed + dtSeconds) - elapsed) / seconds
                }
                effects.drift[symbol, default: 0] += log1pSafe(fraction) * part / (dtSeconds / Self.secondsPerYear)
            case .vix(let level, let seconds):
                if seconds <= 0 {
                    if applied.insert(i).inserted { index.setVIX(level) }
                } else if elapsed < end || !applied.contains(i) {
                    let from = glideStart[i] ?? index.vix
                    glideStart[i] = from
                    let progress = min(1, (elapsed + dtSeconds - event.atSeconds) / seconds)
                    index.setVIX(from + (level - from) * progress)
                    if progress >= 1 { applied.insert(i) }
                }
            case .fault:
                continue
            }
        }
        return effects
    }

    /// The fault showing on a symbol's feed at `elapsed` seconds.
    func fault(on symbol: String, options: Bool, at elapsed: Double) -> QuoteFault? {
        for event in events where event.atSeconds <= elapsed && elapsed < event.atSeconds + event.durationSeconds {
            if case .fault(let s, let kind, let scope, _) = event.action, s == symbol,
               scope == .all || (scope == .options) == options {
                return kind
            }
        }
        return nil
    }

    static let secondsPerYear = 365.0 * 86_400

    private func log1pSafe(_ fraction: Double) -> Double { fraction > -1 ? log1p(fraction) : -20 }
}
