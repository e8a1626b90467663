import Synchronization

/// Requests in flight, by request id, waiting for their reply: the one piece of request
/// plumbing every transport shares (and the gateway's TWS requests, whose reply is a run of messages).
///
/// A retry registers the same id again, so a late reply to the first attempt answers the retry:
/// the reply is the same either way.
public final class PendingReplies<Reply: Sendable>: Sendable {
    private struct Waiter {
        let token: UInt64
        let continuation: CheckedContinuation<Reply, any Error>
    }

    private let waiters = Mutex<[String: Waiter]>([:])
    private let tokens = Atomic<UInt64>(0)

    public init() {}

    public var count: Int { waiters.withLock { $0.count } }

    /// Registers a waiter for `requestID`, then calls `send`, then waits up to `timeout` of
    /// `clock`'s time for ``resolve(_:with:)``.
    /// - Parameter send: puts the request on its way; returns reply bytes to finish at once
    ///   (an error the transport knows already), or nil to wait.
    /// - Throws: ``BusError/timeout(service:attempts:)``, or ``BusError/closed``.
    public func exchange(requestID: String, service: String, timeout: Duration, clock: any BusClock,
                         send: @escaping @Sendable () -> Reply?) async throws -> Reply {
        let token = tokens.wrappingAdd(1, ordering: .relaxed).newValue
        // One timer per attempt; the token keeps a late timer from failing a later attempt
        // that reuses the request id.
        let timer = clock.after(timeout) {
            self.fail(requestID, token: token, with: BusError.timeout(service: service, attempts: 1))
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Reply, any Error>) in
                let previous = waiters.withLock { $0.updateValue(Waiter(token: token, continuation: c), forKey: requestID) }
                previous?.continuation.resume(throwing: CancellationError())
                if let immediate = send() { resolve(requestID, with: immediate) }
            }
        } onCancel: {
            fail(requestID, token: token, with: CancellationError())
        }
    }

    private func fail(_ requestID: String, token: UInt64, with error: any Error) {
        let waiter = waiters.withLock { w -> Waiter? in
            guard w[requestID]?.token == token else { return nil }
            return w.removeValue(forKey: requestID)
        }
        waiter?.continuation.resume(throwing: error)
    }

    /// Hands a reply to its waiter. Returns false if nobody waits (it timed out or was answered).
    @discardableResult
    public func resolve(_ requestID: String, with reply: Reply) -> Bool {
        guard let waiter = waiters.withLock({ $0.removeValue(forKey: requestID) }) else { return false }
        waiter.continuation.resume(returning: reply)
        return true
    }

    /// Fails the request's waiter, if one waits: the peer answered with an error.
    @discardableResult
    public func fail(_ requestID: String, with error: any Error) -> Bool {
        guard let waiter = waiters.withLock({ $0.removeValue(forKey: requestID) }) else { return false }
        waiter.continuation.resume(throwing: error)
        return true
    }

    /// Fails every waiter: the transport is closing.
    public func failAll(_ error: any Error) {
        let all = waiters.withLock { w -> [Waiter] in
            defer { w.removeAll() }
            return Array(w.values)
        }
        for waiter in all { waiter.continuation.resume(throwing: error) }
    }
}
