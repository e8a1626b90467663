import Synchronization
import TWS

/// Requests that TWS answers with a run of messages under the request's id (contract details,
/// option parameters, history), each waiting for its end marker, its error, or a timeout.
final class IBKRReplies: Sendable {
    struct Waiter {
        var messages: [any TWSMessage] = []
        var continuation: CheckedContinuation<[any TWSMessage], any Error>
        var isEnd: @Sendable (any TWSMessage) -> Bool
    }

    let waiters = Mutex<[Int: Waiter]>([:])

    /// Registers the request, runs `send`, and returns its messages once the end arrives.
    func collect(_ reqId: Int, timeout: Duration, isEnd: @escaping @Sendable (any TWSMessage) -> Bool,
                 send: @escaping @Sendable () async throws -> Void) async throws -> [any TWSMessage] {
        let timer = Task {
            try await Task.sleep(for: timeout)
            self.finish(reqId, .failure(BrokerError.unavailable("no answer to request \(reqId) within \(timeout)")))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            waiters.withLock { $0[reqId] = Waiter(continuation: continuation, isEnd: isEnd) }
            Task {
                do { try await send() } catch { self.finish(reqId, .failure(error)) }
            }
        }
    }

    /// Offers a message; true when it belonged to a waiting request.
    func offer(_ message: any TWSMessage) -> Bool {
        guard let reqId = Self.reqId(of: message) else { return false }
        if let error = message as? TWSError {
            guard !error.isInformational, waiters.withLock({ $0[reqId] != nil }) else { return false }
            finish(reqId, .failure(BrokerError.unavailable("TWS error \(error.code): \(error.message)")))
            return true
        }
        let done: Bool? = waiters.withLock { w in
            guard w[reqId] != nil else { return nil }
            w[reqId]!.messages.append(message)
            return w[reqId]!.isEnd(message)
        }
        if done == true { finish(reqId, nil) }
        return done != nil
    }

    func finish(_ reqId: Int, _ failure: Result<Void, any Error>?) {
        guard let waiter = waiters.withLock({ $0.removeValue(forKey: reqId) }) else { return }
        if case .failure(let error)? = failure { waiter.continuation.resume(throwing: error) } else {
            waiter.continuation.resume(returning: waiter.messages)
        }
    }

    /// Fails every waiting request: the connection is gone.
    func failAll(_ error: any Error) {
        for id in waiters.withLock({ Array($0.keys) }) { finish(id, .failure(error)) }
    }

    static func reqId(of message: any TWSMessage) -> Int? {
        switch message {
        case let m as TWSContractDetails: m.reqId
        case let m as TWSContractDetailsEnd: m.reqId
        case let m as TWSOptionParameters: m.reqId
        case let m as TWSOptionParametersEnd: m.reqId
        case let m as TWSHistoricalData: m.reqId
        case let m as TWSError: m.reqId
        default: nil
        }
    }
}
