import Bus
import Synchronization
import TWS

/// Requests that TWS answers with a run of messages under the request's id (contract details,
/// option parameters, history): the bus's `PendingReplies` waits for the run, its error, or a
/// timeout; this collects the run until its end marker.
final class IBKRReplies: Sendable {
    struct Run {
        var messages: [any TWSMessage] = []
        let isEnd: @Sendable (any TWSMessage) -> Bool
    }

    let pending = PendingReplies<[any TWSMessage]>()
    let runs = Mutex<[Int: Run]>([:])
    let clock: any BusClock

    init(clock: any BusClock) { self.clock = clock }

    /// Registers the request, runs `send`, and returns its messages once the end arrives.
    func collect(_ reqId: Int, timeout: Duration, isEnd: @escaping @Sendable (any TWSMessage) -> Bool,
                 send: @escaping @Sendable () async throws -> Void) async throws -> [any TWSMessage] {
        runs.withLock { $0[reqId] = Run(isEnd: isEnd) }
        defer { runs.withLock { _ = $0.removeValue(forKey: reqId) } }
        let id = String(reqId)
        return try await pending.exchange(requestID: id, service: "TWS", timeout: timeout, clock: clock) {
            Task {
                do { try await send() } catch { self.pending.fail(id, with: error) }
            }
            return nil
        }
    }

    /// Offers a message; true when it belonged to a waiting request.
    func offer(_ message: any TWSMessage) -> Bool {
        guard let reqId = Self.reqId(of: message) else { return false }
        if let error = message as? TWSError {
            guard !error.isInformational else { return false }
            return pending.fail(String(reqId), with: BrokerError.unavailable("TWS error \(error.code): \(error.message)"))
        }
        let finished: [any TWSMessage]?? = runs.withLock { r in
            guard r[reqId] != nil else { return nil }
            r[reqId]!.messages.append(message)
            return r[reqId]!.isEnd(message) ? .some(r[reqId]!.messages) : .some(nil)
        }
        guard let finished else { return false }
        if let messages = finished { pending.resolve(String(reqId), with: messages) }
        return true
    }

    /// Fails every waiting request: the connection is gone.
    func failAll(_ error: any Error) { pending.failAll(error) }

    static func reqId(of message: any TWSMessage) -> Int? {
        switch message {
        case let m as TWSContractDetails: m.reqId
        case let m as TWSContractDetailsEnd: m.reqId
        case let m as TWSOptionParameters: m.reqId
        case let m as TWSOptionParametersEnd: m.reqId
        case let m as TWSHistoricalData: m.reqId
        case let m as TWSTickSnapshotEnd: m.reqId
        case let m as TWSError: m.reqId
        default: nil
        }
    }
}
