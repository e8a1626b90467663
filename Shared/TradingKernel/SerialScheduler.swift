import DequeModule
import Synchronization

/// One serial executor for every task of the kernel's services: jobs run in the order they
/// were enqueued, on the thread that calls ``runUntilIdle()``, so a run with the same inputs
/// interleaves the same way every time. Nothing runs until the scheduler is driven.
///
/// Jobs of tasks started at a priority below medium (the pricer's chain refresh, which the kernel
/// starts `.low`) wait until nothing else is ready: what one quote sets off on the order path
/// (the stop, risk, execution, the venue) runs first, at the same bus instant, and the refresh
/// after it. Still one order for the same inputs: priorities are part of the inputs.
public final class SerialScheduler: TaskExecutor, Sendable {
    private struct Queues {
        var ready = Deque<UnownedJob>()
        var deferred = Deque<UnownedJob>()
    }
    private let jobs = Mutex(Queues())

    public init() {}

    public func enqueue(_ job: UnownedJob) {
        let raw = job.priority.rawValue
        let deferred = raw != 0 && raw < TaskPriority.medium.rawValue
        jobs.withLock { q in if deferred { q.deferred.append(job) } else { q.ready.append(job) } }
    }

    /// Jobs waiting to run.
    public var pending: Int { jobs.withLock { $0.ready.count + $0.deferred.count } }

    /// Runs jobs until none is left (every task waits on the clock or on a message).
    /// - Returns: how many ran.
    @discardableResult
    public func runUntilIdle() -> Int {
        var ran = 0
        while let job = jobs.withLock({ q in q.ready.popFirst() ?? q.deferred.popFirst() }) {
            job.runSynchronously(on: asUnownedTaskExecutor())
            ran += 1
        }
        return ran
    }
}
