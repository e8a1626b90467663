import Synchronization

/// Requests in flight, by request id, waiting for their reply: the one piece of request
/// plumbing every transport shares.
///
/// A retry registers the same id again, so a late reply to the first attempt answers the retry:
/// the reply is the same either way.
public final class PendingReplies: Sendable {
    private let waiters = Mutex<[String: CheckedContinuation<[UInt8], any Error>]>([:])

    public init() {}

    public var count: Int { waiters.withLock { $0.count } }

    /// Registers a waiter for `requestID`, then calls `send`, then waits up to `timeout` of
    /// `clock`'s time for ``resolve(_:with:)``.
    /// - Parameter send: puts the request on its way; returns reply bytes to finish at once
    ///   (an error the transport knows already), or nil to wait.
    /// - Throws: ``BusError/timeout(service:attempts:)``, or ``BusError/closed``.
    public func exchange(requestID: String, service: String, timeout: Duration, clock: any BusClock,
                         send: @escaping @Sendable () -> [UInt8]?) async throws -> [UInt8] {
        try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask { try await self.wait(requestID: requestID, send: send) }
            group.addTask {
                try await clock.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let reply = first else {
                throw BusError.timeout(service: service, attempts: 1)
            }
            return reply
        }
    }

    private func wait(requestID: String, send: @escaping @Sendable () -> [UInt8]?) async throws -> [UInt8] {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<[UInt8], any Error>) in
                let previous = waiters.withLock { $0.updateValue(c, forKey: requestID) }
                previous?.resume(throwing: CancellationError())
                if let immediate = send() { resolve(requestID, with: immediate) }
            }
        } onCancel: {
            waiters.withLock { $0.removeValue(forKey: requestID) }?.resume(throwing: CancellationError())
        }
    }

    /// Hands a reply to its waiter. Returns false if nobody waits (it timed out or was answered).
    @discardableResult
    public func resolve(_ requestID: String, with reply: [UInt8]) -> Bool {
        guard let waiter = waiters.withLock({ $0.removeValue(forKey: requestID) }) else { return false }
        waiter.resume(returning: reply)
        return true
    }

    /// Fails every waiter: the transport is closing.
    public func failAll(_ error: any Error) {
        let all = waiters.withLock { w -> [CheckedContinuation<[UInt8], any Error>] in
            defer { w.removeAll() }
            return Array(w.values)
        }
        for waiter in all { waiter.resume(throwing: error) }
    }
}
