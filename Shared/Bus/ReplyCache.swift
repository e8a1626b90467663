import DequeModule

/// Replies by request id, so a retried request is answered without running again.
///
/// A duplicate that arrives while the first is still running waits for that same result.
/// Bounded by count: the oldest completed replies go first. Retries come within seconds, so the
/// default holds minutes of traffic for a busy service.
public actor ReplyCache {
    private enum Entry {
        case running(Task<[UInt8], Never>)
        case done([UInt8])
    }

    private var entries: [String: Entry] = [:]
    private var order: Deque<String> = []
    private let capacity: Int

    public init(capacity: Int = 100_000) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { entries.count }

    /// The reply for `requestID`: computed by `work` the first time, from the cache after.
    /// - Returns: the reply bytes, and whether they came from the cache.
    public func reply(for requestID: String, work: @escaping @Sendable () async -> [UInt8]) async -> ([UInt8], Bool) {
        switch entries[requestID] {
        case let .done(bytes)?:
            return (bytes, true)
        case let .running(task)?:
            return (await task.value, true)
        case nil:
            let task = TaskPlacement.spawn { await work() }
            entries[requestID] = .running(task)
            let bytes = await task.value
            entries[requestID] = .done(bytes)
            order.append(requestID)
            while order.count > capacity, let oldest = order.popFirst() { entries[oldest] = nil }
            return (bytes, false)
        }
    }
}
