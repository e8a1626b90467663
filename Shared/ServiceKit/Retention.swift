import Bus

/// Forgets what ended a while ago, for a service that keeps records by id for the life of its
/// process (execution's intents, risk's decisions): an id is noted the first time a prune sees
/// it ended, and given back to be dropped once `keep` has passed since. Stamping at the prune
/// rather than at the end itself keeps every path that ends a record free of bookkeeping.
public struct Retention: Sendable {
    var firstSeenEnded: [String: Int64] = [:]

    public init() {}

    /// Notes the newly ended ids; returns, and forgets, those noted `keep` or longer ago.
    public mutating func expired(ended: some Sequence<String>, now: Int64, keep: Duration) -> [String] {
        let horizon = now - keep.nanoseconds
        var expired: [String] = []
        for id in ended {
            if let seen = firstSeenEnded[id] {
                if seen <= horizon { expired.append(id) }
            } else {
                firstSeenEnded[id] = now
            }
        }
        for id in expired { firstSeenEnded[id] = nil }
        return expired
    }
}
