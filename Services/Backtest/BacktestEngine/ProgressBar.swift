import Foundation

/// A progress bar on stderr: the simulated date, events a second and the time left. Nothing when
/// stderr is not a terminal (a log file or CI gets no carriage returns).
public struct ProgressBar {
    let enabled: Bool
    let started = ContinuousClock.now
    var lastDrawn = ContinuousClock.now - .seconds(1)

    public init(enabled: Bool = isatty(2) == 1) { self.enabled = enabled }

    public mutating func update(done: Int, total: Int, label: String, events: Int? = nil) {
        guard enabled, total > 0 else { return }
        let now = ContinuousClock.now
        guard done == total || now - lastDrawn >= .milliseconds(100) else { return }
        lastDrawn = now
        let elapsed = Self.seconds(now - started)
        let fraction = Double(done) / Double(total)
        let width = 30
        let filled = Int(fraction * Double(width))
        let eta = done > 0 ? elapsed / fraction - elapsed : 0
        let rate = events.map { String(format: "  %.0f events/s", elapsed > 0 ? Double($0) / elapsed : 0) } ?? ""
        let line = String(format: "\r[%@%@] %@ %3.0f%%%@  ETA %@ ", String(repeating: "█", count: filled),
                          String(repeating: "·", count: width - filled), label, fraction * 100, rate, Self.duration(eta))
        FileHandle.standardError.write(Data(line.utf8))
        if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3_600 ? "\(t / 3_600)h\(String(format: "%02d", t % 3_600 / 60))m" : "\(t / 60)m\(String(format: "%02d", t % 60))s"
    }
}
