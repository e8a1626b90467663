import Synchronization

/// What the broker has routed, for the daemon's metrics and the tests.
public final class BrokerStatistics: Sendable {
    public let requests = Atomic<Int>(0)
    public let replies = Atomic<Int>(0)
    public let noSuchService = Atomic<Int>(0)
    public let queued = Atomic<Int>(0)
    public let expired = Atomic<Int>(0)
    public let malformed = Atomic<Int>(0)
    public let unroutable = Atomic<Int>(0)
    public let deadWorkers = Atomic<Int>(0)
    public let workers = Atomic<Int>(0)

    public init() {}

    public func snapshot() -> [(name: String, value: Int)] {
        [
            ("broker_requests_total", requests.load(ordering: .relaxed)),
            ("broker_replies_total", replies.load(ordering: .relaxed)),
            ("broker_no_such_service_total", noSuchService.load(ordering: .relaxed)),
            ("broker_queued_total", queued.load(ordering: .relaxed)),
            ("broker_expired_total", expired.load(ordering: .relaxed)),
            ("broker_malformed_total", malformed.load(ordering: .relaxed)),
            ("broker_unroutable_total", unroutable.load(ordering: .relaxed)),
            ("broker_dead_workers_total", deadWorkers.load(ordering: .relaxed)),
            ("broker_workers", workers.load(ordering: .relaxed)),
        ]
    }
}
