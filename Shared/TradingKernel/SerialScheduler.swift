import DequeModule
import Synchronization

/// One serial executor for every task of the kernel's services: jobs run in the order they
/// were enqueued, on the thread that calls ``runUntilIdle()``, so a run with the same inputs
/// interleaves the same way every time. Nothing runs until the scheduler is driven.
public final class SerialScheduler: TaskExecutor, Sendable {
    private let jobs = Mutex(Deque<UnownedJob>())

    public init() {}

    public func enqueue(_ job: UnownedJob) {
        jobs.withLock { $0.append(job) }
    }

    /// Jobs waiting to run.
    public var pending: Int { jobs.withLock { $0.count } }

    /// Runs jobs until none is left (every task waits on the clock or on a message).
    /// - Returns: how many ran.
    @discardableResult
    public func runUntilIdle() -> Int {
        var ran = 0
        while let job = jobs.withLock({ $0.popFirst() }) {
            job.runSynchronously(on: asUnownedTaskExecutor())
            ran += 1
        }
        return ran
    }
}
