import Bus
import DequeModule
import Synchronization

/// At most `rate` messages in any one second, as IB counts them (it disconnects a client
/// that sends more than 50). Each send reserves the earliest slot that keeps the window
/// under the rate, then waits for it; reservations are ordered, so sends keep their order.
/// Slots are bus-clock nanoseconds, like every other time in Volta.
final class RequestPacer: Sendable {
    let rate: Int
    let clock: any BusClock
    let window = Mutex(Deque<Int64>())

    init(rate: Int, clock: any BusClock = WallClock()) {
        self.rate = max(1, rate)
        self.clock = clock
    }

    /// The bus time a message may go, given the ones already reserved.
    func reserve(now: Int64) -> Int64 {
        window.withLock { w in
            var slot = now
            if w.count >= rate, let oldest = w.first { slot = max(slot, oldest + 1_000_000_000) }
            if let last = w.last { slot = max(slot, last) }
            w.append(slot)
            while w.count > rate { w.removeFirst() }
            return slot
        }
    }

    func wait() async throws {
        let now = clock.now()
        let slot = reserve(now: now)
        if slot > now { try await clock.sleep(for: .nanoseconds(slot - now)) }
    }
}
