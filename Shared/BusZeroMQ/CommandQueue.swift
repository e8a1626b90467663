import CZeroMQ
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Commands for the I/O thread, plus an eventfd it polls beside its sockets.
///
/// The eventfd is written only when the queue goes from empty to non-empty: under load the I/O
/// thread drains hundreds of commands per wake-up and publishing costs no system call.
/// Publications beyond `publishLimit` waiting commands are refused (the caller counts a drop):
/// a publisher faster than its socket must lose messages visibly, not grow memory without end.
final class CommandQueue: Sendable {
    private let queue = Mutex<[IOCommand]>([])
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
        let (accepted, wasEmpty) = queue.withLock { q -> (Bool, Bool) in
            guard q.count < limit else { return (false, false) }
            q.append(command)
            return (true, q.count == 1)
        }
        if wasEmpty {
            var one: UInt64 = 1
            _ = write(eventFD, &one, 8)
        }
        return accepted
    }

    /// Everything queued so far, in order.
    func drain() -> [IOCommand] {
        var counter: UInt64 = 0
        _ = read(eventFD, &counter, 8)
        return queue.withLock { q in
            defer { q.removeAll(keepingCapacity: true) }
            return q
        }
    }
}
