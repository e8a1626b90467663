import DequeModule
import Synchronization

/// At most `rate` messages in any one second, as IB counts them (it disconnects a client
/// that sends more than 50). Each send reserves the earliest slot that keeps the window
/// under the rate, then waits for it; reservations are ordered, so sends keep their order.
final class RequestPacer: Sendable {
    let rate: Int
    let window = Mutex(Deque<ContinuousClock.Instant>())

    init(rate: Int) { self.rate = max(1, rate) }

    /// The instant a message may go, given the ones already reserved.
    func reserve(now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant {
        window.withLock { w in
            var slot = now
            if w.count >= rate, let oldest = w.first { slot = max(slot, oldest + .seconds(1)) }
            if let last = w.last { slot = max(slot, last) }
            w.append(slot)
            while w.count > rate { w.removeFirst() }
            return slot
        }
    }

    func wait() async throws {
        let slot = reserve()
        if slot > .now { try await Task.sleep(until: slot, clock: .continuous) }
    }
}
