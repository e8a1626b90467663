import CZeroMQ
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Commands for the I/O thread, plus an eventfd it polls beside its sockets.
///
/// The eventfd is written only when the I/O thread has said it is about to block
/// (``prepareToSleep()``): while it is busy, publishing costs no system call and no wake-up,
/// and the thread drains whatever accumulated on its next turn.
/// Publications beyond `publishLimit` waiting commands are refused (the caller counts a drop):
/// a publisher faster than its socket must lose messages visibly, not grow memory without end.
final class CommandQueue: Sendable {
    private let queue = Mutex<[IOCommand]>([])
    private let sleeping = Atomic<Bool>(false)
    let eventFD: Int32
    let publishLimit: Int

    init(publishLimit: Int = 1 << 18) throws {
        self.publishLimit = publishLimit
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw ZMQError("eventfd", code: errno) }
        eventFD = fd
    }

    deinit { close(eventFD) }

    func push(_ command: IOCommand) {
        enqueue(command)
    }

    /// Queues a publication unless the queue is full. Returns false when refused.
    func pushPublication(_ command: IOCommand) -> Bool {
        enqueue(command, limit: publishLimit)
    }

    @discardableResult
    private func enqueue(_ command: IOCommand, limit: Int = .max) -> Bool {
        let accepted = queue.withLock { q -> Bool in
            guard q.count < limit else { return false }
            q.append(command)
            return true
        }
        if accepted && sleeping.exchange(false, ordering: .sequentiallyConsistent) {
            var one: UInt64 = 1
            _ = write(eventFD, &one, 8)
        }
        return accepted
    }

    /// Everything queued so far, in order.
    func drain() -> [IOCommand] {
        queue.withLock { q in
            defer { q.removeAll(keepingCapacity: true) }
            return q
        }
    }

    /// The I/O thread is about to block in `zmq_poll`. Returns false if commands are already
    /// waiting (then it must not block). A push after this point writes the eventfd.
    func prepareToSleep() -> Bool {
        sleeping.store(true, ordering: .sequentiallyConsistent)
        if queue.withLock({ !$0.isEmpty }) {
            sleeping.store(false, ordering: .sequentiallyConsistent)
            return false
        }
        return true
    }

    /// The I/O thread is awake again.
    func awake() {
        sleeping.store(false, ordering: .sequentiallyConsistent)
    }

    /// Resets the eventfd after it woke the poll.
    func clearWakeup() {
        var counter: UInt64 = 0
        _ = read(eventFD, &counter, 8)
    }
}
