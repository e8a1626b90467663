import CZeroMQ
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Commands for the I/O thread, plus an eventfd it polls beside its sockets.
///
/// The eventfd is written only when the queue goes from empty to non-empty: under load the I/O
/// thread drains hundreds of commands per wake-up and publishing costs no system call.
final class CommandQueue: Sendable {
    private let queue = Mutex<[IOCommand]>([])
    let eventFD: Int32

    init() throws {
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw ZMQError("eventfd", code: errno) }
        eventFD = fd
    }

    deinit { close(eventFD) }

    func push(_ command: IOCommand) {
        let wasEmpty = queue.withLock { q in
            q.append(command)
            return q.count == 1
        }
        if wasEmpty {
            var one: UInt64 = 1
            _ = write(eventFD, &one, 8)
        }
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
