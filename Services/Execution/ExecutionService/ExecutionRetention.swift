import Bus

/// How long execution remembers an intent that ended. A resubmit it remembers is answered as the
/// intent ended; one it has forgotten is new to it: checked by risk, then placed under the same
/// order id, which the gateway answers with the order's state while the broker lists it (today's
/// orders, at IB). A day covers the resubmits strategies make; without a limit the records, and
/// the scan of live intents behind every feed change, grow for the life of the process.
public enum ExecutionRetention {
    /// Stamps newly ended records with `now` and drops those stamped more than `keep` ago.
    /// - Returns: how many were dropped.
    @discardableResult
    public static func prune(_ records: inout [String: ExecutionRecord], now: Int64, keep: Duration) -> Int {
        let horizon = now - keep.nanoseconds
        var expired: [String] = []
        for (id, rec) in records where rec.isDone {
            if let seen = rec.seenEndedNs {
                if seen <= horizon { expired.append(id) }
            } else {
                records[id]?.seenEndedNs = now
            }
        }
        for id in expired { records[id] = nil }
        return expired.count
    }
}
