import CoreMetrics
import Messages
import Synchronization

/// A swift-metrics backend that keeps every metric in memory for ``MetricsPublisher`` to put on
/// the bus; the dashboard turns them into Prometheus text. Libraries record through the
/// swift-metrics API and never learn where the numbers go.
public final class BusMetricsFactory: MetricsFactory, Sendable {
    private let cells = Mutex<[String: MetricCell]>([:])

    public init() {}

    private func cell(_ label: String, _ dimensions: [(String, String)], _ kind: Volta_V1_Metric.Kind) -> MetricCell {
        let key = "\(kind.rawValue)|\(label)|" + dimensions.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
        return cells.withLock { cells in
            if let existing = cells[key] { return existing }
            let created = MetricCell(name: label, labels: Dictionary(dimensions, uniquingKeysWith: { $1 }), kind: kind)
            cells[key] = created
            return created
        }
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        cell(label, dimensions, .counter)
    }
    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        cell(label, dimensions, .counter)
    }
    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        cell(label, dimensions, .gauge)
    }
    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        cell(label, dimensions, aggregate ? .recorder : .gauge)
    }
    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        cell(label, dimensions, .timer)
    }

    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}

    /// Every metric as it stands now, sorted by name.
    public func snapshot() -> [Volta_V1_Metric] {
        cells.withLock { Array($0.values) }.map { $0.snapshot() }.sorted { ($0.name, $0.labels.description) < ($1.name, $1.labels.description) }
    }
}

/// One metric's state. A counter sums, a gauge keeps the last value, a timer or recorder keeps
/// count, sum, min and max.
final class MetricCell: CounterHandler, FloatingPointCounterHandler, MeterHandler, RecorderHandler, TimerHandler, Sendable {
    private struct State {
        var value = 0.0
        var count: UInt64 = 0
        var sum = 0.0
        var min = Double.infinity
        var max = -Double.infinity
    }

    let name: String
    let labels: [String: String]
    let kind: Volta_V1_Metric.Kind
    private let state = Mutex(State())

    init(name: String, labels: [String: String], kind: Volta_V1_Metric.Kind) {
        self.name = name
        self.labels = labels
        self.kind = kind
    }

    private func observe(_ v: Double) {
        state.withLock { s in
            s.value = v
            s.count += 1
            s.sum += v
            s.min = Swift.min(s.min, v)
            s.max = Swift.max(s.max, v)
        }
    }

    func increment(by amount: Int64) { state.withLock { $0.value += Double(amount) } }
    func increment(by amount: Double) { state.withLock { $0.value += amount } }
    func decrement(by amount: Double) { state.withLock { $0.value -= amount } }
    func set(_ value: Int64) { set(Double(value)) }
    func set(_ value: Double) { state.withLock { $0.value = value } }
    func reset() { state.withLock { $0 = State() } }
    func record(_ value: Int64) { observe(Double(value)) }
    func record(_ value: Double) { observe(value) }
    func recordNanoseconds(_ duration: Int64) { observe(Double(duration)) }

    func snapshot() -> Volta_V1_Metric {
        let s = state.withLock { $0 }
        var m = Volta_V1_Metric()
        m.name = name
        m.kind = kind
        m.labels = labels
        m.value = s.value
        m.count = s.count
        m.sum = s.sum
        if s.count > 0 {
            m.min = s.min
            m.max = s.max
        }
        return m
    }
}
