import ServiceKit

/// How long execution remembers an intent that ended. A resubmit it remembers is answered as the
/// intent ended; one it has forgotten is new to it: checked by risk, then placed under the same
/// order id, which the gateway answers with the order's state while the broker lists it (today's
/// orders, at IB). A day covers the resubmits strategies make; without a limit the records, and
/// the scan of live intents behind every feed change, grow for the life of the process.
public enum ExecutionRetention {
    /// Drops the records of intents that ended `keep` or longer ago (by `retention`'s clock).
    /// - Returns: how many were dropped.
    @discardableResult
    public static func prune(_ records: inout [String: ExecutionRecord], _ retention: inout Retention, now: Int64, keep: Duration) -> Int {
        let expired = retention.expired(ended: records.filter { $0.value.isDone }.keys, now: now, keep: keep)
        for id in expired { records[id] = nil }
        return expired.count
    }
}
