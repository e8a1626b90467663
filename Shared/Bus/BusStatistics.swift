import Synchronization

/// Counters of one process's bus traffic: what `tap --stats`, the metrics publisher and the
/// tests read. Lock-free so the publish path stays cheap.
public final class BusStatistics: Sendable {
    public let published = Atomic<Int>(0)
    /// Frames the transport refused at the high-water mark.
    public let publishDropped = Atomic<Int>(0)
    public let received = Atomic<Int>(0)
    /// Messages known to be missing from sequence numbers.
    public let missed = Atomic<Int>(0)
    /// Occasions on which one or more messages were missing.
    public let gaps = Atomic<Int>(0)
    /// Frames or payloads that did not decode, counted and skipped.
    public let malformed = Atomic<Int>(0)
    /// Frames seen again (same source, topic and sequence), skipped.
    public let duplicates = Atomic<Int>(0)
    public let requests = Atomic<Int>(0)
    public let retries = Atomic<Int>(0)
    public let timeouts = Atomic<Int>(0)
    /// Requests served; and of those, answered from the reply cache without running again.
    public let served = Atomic<Int>(0)
    public let repliesFromCache = Atomic<Int>(0)
    /// Messages that could not be encoded, hence were not sent (logged where they failed).
    public let encodeFailures = Atomic<Int>(0)
    /// Subscriptions the transport could not make (or undo): the subscriber would wait forever.
    public let subscribeFailures = Atomic<Int>(0)

    public init() {}

    /// A plain copy of every counter, by metric name.
    public func snapshot() -> [(name: String, value: Int)] {
        [
            ("bus_published_total", published.load(ordering: .relaxed)),
            ("bus_publish_dropped_total", publishDropped.load(ordering: .relaxed)),
            ("bus_received_total", received.load(ordering: .relaxed)),
            ("bus_missed_total", missed.load(ordering: .relaxed)),
            ("bus_gaps_total", gaps.load(ordering: .relaxed)),
            ("bus_malformed_total", malformed.load(ordering: .relaxed)),
            ("bus_duplicates_total", duplicates.load(ordering: .relaxed)),
            ("bus_requests_total", requests.load(ordering: .relaxed)),
            ("bus_request_retries_total", retries.load(ordering: .relaxed)),
            ("bus_request_timeouts_total", timeouts.load(ordering: .relaxed)),
            ("bus_served_total", served.load(ordering: .relaxed)),
            ("bus_replies_from_cache_total", repliesFromCache.load(ordering: .relaxed)),
            ("bus_encode_failures_total", encodeFailures.load(ordering: .relaxed)),
            ("bus_subscribe_failures_total", subscribeFailures.load(ordering: .relaxed)),
        ]
    }
}

extension Atomic where Value == Int {
    @inline(__always) public func bump(_ by: Int = 1) { _ = wrappingAdd(by, ordering: .relaxed) }
}
