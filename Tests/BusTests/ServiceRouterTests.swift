import Bus
import Testing

@Suite("ServiceRouter: the broker's rules")
struct ServiceRouterTests {
    typealias Router = ServiceRouter<String>
    let w1 = Array("w1".utf8), w2 = Array("w2".utf8), w3 = Array("w3".utf8)
    let second: Int64 = 1_000_000_000

    func router(grace: Duration = .zero) -> Router {
        Router(configuration: .init(workerExpiry: .seconds(3), queuedRequestTTL: .seconds(10), startupGrace: grace, queueLimit: 3), now: 0)
    }

    @Test func leastRecentlyUsedWorkerFirst() {
        var r = router()
        _ = r.ready(w1, service: "s", idempotent: true, now: 0)
        _ = r.ready(w2, service: "s", idempotent: true, now: 1)
        guard case let .dispatch(first, _) = r.submit(service: "s", key: "a", job: "a", now: 2) else { Issue.record("not dispatched"); return }
        #expect(first == w1)
        _ = r.ready(w1, service: "s", idempotent: true, now: 3)  // w1 replied: back of the line
        guard case let .dispatch(next, _) = r.submit(service: "s", key: "b", job: "b", now: 4) else { Issue.record("not dispatched"); return }
        #expect(next == w2)
    }

    @Test func requestsWaitForABusyWorkerAndGoInOrder() {
        var r = router()
        _ = r.ready(w1, service: "s", idempotent: true, now: 0)
        guard case .dispatch = r.submit(service: "s", key: "a", job: "a", now: 1) else { Issue.record("a"); return }
        guard case .queued = r.submit(service: "s", key: "b", job: "b", now: 2) else { Issue.record("b"); return }
        guard case .queued = r.submit(service: "s", key: "c", job: "c", now: 2) else { Issue.record("c"); return }
        #expect(r.ready(w1, service: "s", idempotent: true, now: 3)?.1 == "b")
        #expect(r.ready(w1, service: "s", idempotent: true, now: 4)?.1 == "c")
        #expect(r.ready(w1, service: "s", idempotent: true, now: 5) == nil)
    }

    @Test func unknownServiceFailsAtOnceAfterTheGrace() {
        var r = router(grace: .seconds(3))
        guard case .queued = r.submit(service: "s", key: "a", job: "a", now: second) else { Issue.record("should wait in grace"); return }
        #expect(r.ready(w1, service: "s", idempotent: true, now: 2 * second)?.1 == "a")
        guard case .noSuchService = r.submit(service: "other", key: "b", job: "b", now: 4 * second) else { Issue.record("should fail"); return }
    }

    @Test func nonIdempotentRequestsStickToTheirWorker() {
        var r = router()
        for w in [w1, w2, w3] { _ = r.ready(w, service: "orders", idempotent: false, now: 0) }
        var owners: [String: [UInt8]] = [:]
        for key in (0..<30).map({ "intent-\($0)" }) {
            guard case let .dispatch(worker, _) = r.submit(service: "orders", key: key, job: key, now: 1) else {
                // Its owner is busy: it waits for that worker, never another.
                continue
            }
            owners[key] = worker
            #expect(worker == RendezvousHash.owner(of: key, among: [w1, w2, w3]))
            _ = r.ready(worker, service: "orders", idempotent: false, now: 2)
        }
        #expect(Set(owners.values).count == 3)
        // The retry of a request whose owner is busy waits for that owner.
        let key = "intent-0"
        let owner = RendezvousHash.owner(of: key, among: [w1, w2, w3])!
        guard case .dispatch = r.submit(service: "orders", key: key, job: "first", now: 3) else { Issue.record("first"); return }
        guard case .queued = r.submit(service: "orders", key: key, job: "retry", now: 4) else { Issue.record("retry"); return }
        for w in [w1, w2, w3] where w != owner { #expect(r.ready(w, service: "orders", idempotent: false, now: 5) == nil) }
        #expect(r.ready(owner, service: "orders", idempotent: false, now: 6)?.1 == "retry")
    }

    @Test func deadWorkersExpireAndTheirRequestsMoveToSurvivors() {
        var r = router()
        _ = r.ready(w1, service: "s", idempotent: true, now: 0)
        _ = r.ready(w2, service: "s", idempotent: true, now: 0)
        _ = r.heartbeat(w2, service: "s", idempotent: true, busy: false, now: 2 * second)
        let result = r.expire(now: 4 * second)
        #expect(result.dead == [w1])
        #expect(r.liveWorkers(of: "s") == 1)
        guard case let .dispatch(worker, _) = r.submit(service: "s", key: "a", job: "a", now: 4 * second) else { Issue.record("a"); return }
        #expect(worker == w2)
    }

    /// A worker configured with a slower heartbeat than the broker's says how long it may be
    /// silent; without that it flapped dead between beats and its service vanished meanwhile.
    @Test func aWorkersOwnExpiryWinsOverTheBrokers() {
        var r = router()  // 3 s
        _ = r.ready(w1, service: "s", idempotent: true, expiry: .seconds(10), now: 0)
        _ = r.ready(w2, service: "s", idempotent: true, now: 0)
        #expect(r.expire(now: 4 * second).dead == [w2])
        _ = r.heartbeat(w1, service: "s", idempotent: true, busy: false, now: 9 * second)  // no expiry frame: keeps its own
        #expect(r.expire(now: 18 * second).dead.isEmpty)
        #expect(r.expire(now: 19 * second).dead == [w1])
        _ = r.heartbeat(w3, service: "s", idempotent: true, busy: true, expiry: .milliseconds(500), now: 20 * second)
        #expect(r.expire(now: 20 * second + second / 2).dead == [w3])
    }

    @Test func queuedRequestsOfAServiceThatLostEveryWorkerAreAnsweredAsOrphans() {
        var r = router()
        _ = r.ready(w1, service: "s", idempotent: true, now: 0)
        _ = r.submit(service: "s", key: "a", job: "a", now: 0)
        _ = r.submit(service: "s", key: "b", job: "b", now: 0)
        let result = r.expire(now: 4 * second)
        #expect(result.dead == [w1])
        #expect(result.orphaned == ["b"])
    }

    @Test func aFullQueueRefusesAndStaleRequestsExpire() {
        var r = router()
        _ = r.ready(w1, service: "s", idempotent: true, now: 0)
        _ = r.submit(service: "s", key: "x", job: "x", now: 0)
        for k in ["a", "b", "c"] { _ = r.submit(service: "s", key: k, job: k, now: 0) }
        guard case .overloaded = r.submit(service: "s", key: "d", job: "d", now: 0) else { Issue.record("d"); return }
        _ = r.heartbeat(w1, service: "s", idempotent: true, busy: true, now: 10 * second)
        #expect(r.expire(now: 11 * second).expired.sorted() == ["a", "b", "c"])
    }

    @Test func aRestartedBrokerLearnsWorkersFromHeartbeats() {
        var r = router(grace: .seconds(3))
        _ = r.submit(service: "s", key: "a", job: "a", now: 0)
        #expect(r.heartbeat(w1, service: "s", idempotent: true, busy: false, now: 1)?.1 == "a")
        #expect(r.heartbeat(w2, service: "s", idempotent: true, busy: true, now: 1) == nil)
        #expect(r.liveWorkers(of: "s") == 2)
    }
}

@Suite("RendezvousHash")
struct RendezvousHashTests {
    static let pinnedWeight: UInt64 = 0xdb27fe83f035f933
    @Test func removingAMemberMovesOnlyItsKeys() {
        let members = (0..<5).map { Array("worker-\($0)".utf8) }
        let keys = (0..<2000).map { "SYM\($0)" }
        let before = keys.map { RendezvousHash.owner(of: $0, among: members)! }
        let survivors = Array(members.dropLast())
        var moved = 0
        for (key, owner) in zip(keys, before) {
            let after = RendezvousHash.owner(of: key, among: survivors)!
            if owner != members.last! { #expect(after == owner) } else { moved += 1 }
        }
        // Spread: each member owns roughly a fifth.
        #expect(moved > 300 && moved < 500)
    }

    @Test func stableAcrossCalls() {
        #expect(RendezvousHash.weight(key: "SPY".utf8, member: "w1".utf8) == RendezvousHash.weight(key: "SPY".utf8, member: "w1".utf8))
        // Pinned: every process of every build must agree on owners, so the function may never change.
        #expect(RendezvousHash.weight(key: "SPY".utf8, member: "w1".utf8) == Self.pinnedWeight)
        #expect(RendezvousHash.owner(of: "k", among: [[UInt8]]()) == nil)
    }
}

@Suite("ServiceRouter after a restart")
struct ServiceRouterGraceTests {
    @Test func nonIdempotentRequestsWaitOutTheGraceThenGoToTheirOwner() {
        var r = ServiceRouter<String>(configuration: .init(startupGrace: .seconds(3)), now: 0)
        let a = Array("a".utf8), b = Array("b".utf8)
        let second: Int64 = 1_000_000_000
        #expect(r.ready(a, service: "orders", idempotent: false, now: second) == nil)
        // Only `a` is back: the request must not be decided over half the membership.
        let key = (0..<100).map { "intent-\($0)" }.first { RendezvousHash.owner(of: $0, among: [a, b]) == b }!
        guard case .queued = r.submit(service: "orders", key: key, job: key, now: second) else { Issue.record("not held"); return }
        #expect(r.ready(b, service: "orders", idempotent: false, now: 2 * second) == nil)
        let released = r.expire(now: 4 * second).dispatch
        #expect(released.count == 1)
        #expect(released.first?.0 == b)
        #expect(released.first?.1 == key)
    }
}
