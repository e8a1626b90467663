import Bus
import DequeModule
import Synchronization

/// One serial executor for every task of the kernel's services: jobs run in the order they
/// were enqueued, on the thread that calls ``runUntilIdle()``, so a run with the same inputs
/// interleaves the same way every time. Nothing runs until the scheduler is driven.
///
/// Background work waits for the order path: a task that awaits ``whenIdle(_:)``
/// (``TaskPlacement/afterReadyWork(_:)``: marketdata's options behind their underlying's quote, the
/// pricer's chain refresh) resumes only when nothing else is ready, so what one quote sets off on the way to an order (the stop, risk, execution, the
/// venue) runs first, at the same bus instant. Still one order for the same inputs. (Task
/// priorities could not say this: a task group's waiting parent raises its children to its own
/// priority, and the kernel's services all run in groups.)
public final class SerialScheduler: IdleAwareExecutor, Sendable {
    private struct Queues {
        var ready = Deque<UnownedJob>()
        /// Tasks waiting for nothing else to be ready, by kind, each in the order it waited.
        var idle: [TaskPlacement.DeferredWork: Deque<UnsafeContinuation<Void, Never>>] = [:]

        mutating func nextIdle() -> UnsafeContinuation<Void, Never>? {
            for kind in [TaskPlacement.DeferredWork.quotes, .derived] {
                if let c = idle[kind]?.popFirst() { return c }
            }
            return nil
        }
    }
    private let jobs = Mutex(Queues())
    private let ranTotal = Atomic(0)

    public init() {}

    public func enqueue(_ job: UnownedJob) {
        jobs.withLock { $0.ready.append(job) }
    }

    public func whenIdle(_ kind: TaskPlacement.DeferredWork) async {
        await withUnsafeContinuation { c in jobs.withLock { $0.idle[kind, default: []].append(c) } }
    }

    /// Jobs waiting to run (and tasks waiting for the scheduler to be idle).
    public var pending: Int { jobs.withLock { $0.ready.count + $0.idle.values.reduce(0) { $0 + $1.count } } }

    /// Jobs run since the start: a trace's measure of the work between two events.
    public var jobsRun: Int { ranTotal.load(ordering: .relaxed) }

    /// Runs jobs until none is left (every task waits on the clock or on a message).
    /// - Returns: how many ran.
    @discardableResult
    public func runUntilIdle() -> Int {
        var ran = 0
        while true {
            let next = jobs.withLock { q -> (job: UnownedJob?, idle: UnsafeContinuation<Void, Never>?) in
                if let job = q.ready.popFirst() { return (job, nil) }
                return (nil, q.nextIdle())
            }
            if let job = next.job {
                job.runSynchronously(on: asUnownedTaskExecutor())
                ran += 1
                ranTotal.add(1, ordering: .relaxed)
            } else if let waiter = next.idle {
                // One at a time, quotes before what is derived from them, each kind in the order
                // it waited: what one sets off runs before the next resumes (marketdata's options
                // before the pricer's refresh of them).
                waiter.resume()
            } else {
                return ran
            }
        }
    }
}
