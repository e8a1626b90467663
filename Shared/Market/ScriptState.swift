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
                guard elapsed < end, seconds > 0 else {
                    if seconds <= 0, !applied.contains(i) {
                        applied.insert(i)
                        effects.drift[symbol, default: 0] += log1pSafe(fraction) / (dtSeconds / Self.secondsPerYear)
                    }
                    continue
                }
                // Spread over the move's seconds; a step straddling its end gets its share.
                let share = min(end, elapsed + dtSeconds) - elapsed
                effects.drift[symbol, default: 0] += log1pSafe(fraction) * share / seconds / (dtSeconds / Self.secondsPerYear)
            case .vix(let level, let seconds):
                if seconds <= 0 {
                    if !applied.contains(i) { applied.insert(i); index.setVIX(level) }
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
