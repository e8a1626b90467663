import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The only source of time for bus code and services: the wall clock live, a manual or event
/// clock in tests and backtests, so the same code runs in both.
public protocol BusClock: Sendable {
    /// Nanoseconds since the Unix epoch.
    func now() -> Int64
    /// Suspends for `duration` of this clock's time; throws `CancellationError` if cancelled.
    func sleep(for duration: Duration) async throws
    /// Calls `action` once `duration` of this clock's time has passed, unless the timer is
    /// cancelled first: a request's timeout, which is almost always cancelled. The default is a
    /// task asleep on the clock; the manual clock keeps the action itself, with no task to start
    /// and wind down (two jobs of every request on the kernel's order path).
    func after(_ duration: Duration, _ action: @escaping @Sendable () -> Void) -> BusTimer
}

extension BusClock {
    public func after(_ duration: Duration, _ action: @escaping @Sendable () -> Void) -> BusTimer {
        let task = TaskPlacement.spawn {
            do { try await self.sleep(for: duration) } catch { return }
            action()
        }
        return BusTimer { task.cancel() }
    }
}

/// A timer from ``BusClock/after(_:_:)``.
public struct BusTimer: Sendable {
    let cancelAction: @Sendable () -> Void
    public init(cancel: @escaping @Sendable () -> Void) { cancelAction = cancel }
    /// Its action will not run (a no-op once it has).
    public func cancel() { cancelAction() }
}

extension Duration {
    /// Whole nanoseconds, for arithmetic with ``BusClock/now()``.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// Real time: `CLOCK_REALTIME` for timestamps, `Task.sleep` for waiting.
public struct WallClock: BusClock {
    public init() {}

    public func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}

/// Real time moved by a fixed offset: every process of a stack given the same offset agrees, so
/// a whole stack can run against twsim at a scenario's time (minutes before an expiry's close).
public struct ShiftedClock: BusClock {
    public let offsetNs: Int64
    public init(offsetNs: Int64) { self.offsetNs = offsetNs }
    public func now() -> Int64 { WallClock().now() + offsetNs }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// Time that moves only when a test or a backtest says so.
///
/// Sleepers wake in deadline order when ``advance(by:)`` passes their deadline; a test never
/// waits on real time, and a run is repeatable.
public final class ManualClock: BusClock {
    private struct Sleeper {
        enum Wake {
            case resume(CheckedContinuation<Void, any Error>)
            case call(@Sendable () -> Void)
        }
        let id: UInt64
        let deadline: Int64
        let wake: Wake

        func fire() {
            switch wake {
            case let .resume(c): c.resume()
            case let .call(action): action()
            }
        }
    }

    private struct State {
        var now: Int64
        var nextID: UInt64 = 0
        var sleepers: [Sleeper] = []
        var cancelled: Set<UInt64> = []
        var holdUntil: Int64 = 0
    }

    private let state: Mutex<State>
    /// Deadlines round up to a multiple of this (0: exact).
    private let quantum: Int64

    /// - Parameters:
    ///   - start: nanoseconds since the Unix epoch; 2026-01-02 14:30 UTC by default.
    ///   - quantum: a backtest over bars sets the bar: the market moves only at bars, so every
    ///     sleep (a reprice, a resubmission, a periodic check) wakes at the next bar instead of
    ///     hundreds of times between two, and years of history take minutes, not days.
    public init(start: Int64 = 1_767_364_200_000_000_000, quantum: Duration = .zero) {
        state = Mutex(State(now: start))
        self.quantum = max(0, quantum.nanoseconds)
    }

    public func now() -> Int64 { state.withLock { $0.now } }

    /// How many tasks are asleep on this clock: lets a test wait until work has parked.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    public func sleep(for duration: Duration) async throws {
        let id = state.withLock { s -> UInt64 in s.nextID += 1; return s.nextID }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool? = state.withLock { s in
                    if s.cancelled.remove(id) != nil { return false }
                    guard let deadline = self.deadline(after: duration, in: s) else { return true }
                    s.sleepers.append(Sleeper(id: id, deadline: deadline, wake: .resume(c)))
                    return nil
                }
                switch resumeNow {
                case true?: c.resume()
                case false?: c.resume(throwing: CancellationError())
                case nil: break
                }
            }
        } onCancel: {
            let sleeper: Sleeper? = state.withLock { s in
                if let i = s.sleepers.firstIndex(where: { $0.id == id }) { return s.sleepers.remove(at: i) }
                s.cancelled.insert(id)
                return nil
            }
            if case let .resume(c)? = sleeper?.wake { c.resume(throwing: CancellationError()) }
        }
    }

    /// When a sleep of `duration` begun now wakes (nil: at once): on the quantum, not before the hold.
    private func deadline(after duration: Duration, in s: State) -> Int64? {
        var deadline = s.now + max(0, duration.nanoseconds)
        if deadline <= s.now { return nil }
        if quantum > 0 { deadline = (deadline + quantum - 1) / quantum * quantum }
        return max(deadline, s.holdUntil)
    }

    public func after(_ duration: Duration, _ action: @escaping @Sendable () -> Void) -> BusTimer {
        let id: UInt64? = state.withLock { s in
            guard let deadline = deadline(after: duration, in: s) else { return nil }
            s.nextID += 1
            s.sleepers.append(Sleeper(id: s.nextID, deadline: deadline, wake: .call(action)))
            return s.nextID
        }
        guard let id else {
            action()
            return BusTimer {}
        }
        return BusTimer { [weak self] in
            self?.state.withLock { s in s.sleepers.removeAll { $0.id == id } }
        }
    }

    /// Until `instant`, a new sleep wakes no earlier than it (0 lifts the hold). A backtest holds
    /// its services' periodic work through the night, when the market is closed: each wakes once
    /// at the open instead of at every bar of a night in which nothing moves.
    public func hold(until instant: Int64) {
        state.withLock { $0.holdUntil = instant }
    }

    /// The earliest deadline any sleeper waits for: where a scheduler that jumps from event to
    /// event goes next.
    public var nextDeadline: Int64? { state.withLock { $0.sleepers.map(\.deadline).min() } }

    /// Moves time forward and wakes, in deadline order, every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        let due: [Sleeper] = state.withLock { s in
            s.now += duration.nanoseconds
            let now = s.now
            let due = s.sleepers.filter { $0.deadline <= now }.sorted { ($0.deadline, $0.id) < ($1.deadline, $1.id) }
            s.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.fire() }
    }
}
