import Bus
import Testing

@Suite("SequenceTracker")
struct SequenceTrackerTests {
    @Test func gapsDuplicatesAndRestarts() {
        var t = SequenceTracker()
        #expect(t.observe(instance: "p", epoch: 1, topic: "a", sequence: 7) == .accept(missed: 0))  // late join
        #expect(t.observe(instance: "p", epoch: 1, topic: "a", sequence: 8) == .accept(missed: 0))
        #expect(t.observe(instance: "p", epoch: 1, topic: "a", sequence: 11) == .accept(missed: 2))
        #expect(t.observe(instance: "p", epoch: 1, topic: "a", sequence: 11) == .duplicate)
        #expect(t.observe(instance: "p", epoch: 1, topic: "a", sequence: 9) == .duplicate)
        #expect(t.observe(instance: "p", epoch: 1, topic: "b", sequence: 1) == .accept(missed: 0))  // per topic
        #expect(t.observe(instance: "p", epoch: 2, topic: "a", sequence: 1) == .accept(missed: 0))  // restarted
        #expect(t.observe(instance: "p", epoch: 1, topic: "a", sequence: 12) == .duplicate)        // old epoch
        #expect(t.observe(instance: "p", epoch: 3, topic: "a", sequence: 4) == .accept(missed: 3))
        #expect(t.observe(instance: "q", epoch: 1, topic: "a", sequence: 0) == .accept(missed: 0))  // unsequenced
    }
}

@Suite("ManualClock")
struct ManualClockTests {
    @Test func sleepersWakeInDeadlineOrderOnlyWhenTimePasses() async throws {
        let clock = ManualClock(start: 0)
        let order = Order()
        let a = Task { try await clock.sleep(for: .seconds(2)); await order.add("a") }
        let b = Task { try await clock.sleep(for: .seconds(1)); await order.add("b") }
        while clock.sleeperCount < 2 { await Task.yield() }
        clock.advance(by: .milliseconds(500))
        try await Task.sleep(for: .milliseconds(20))
        #expect(await order.items.isEmpty)
        clock.advance(by: .milliseconds(600))
        try await b.value
        clock.advance(by: .seconds(1))
        try await a.value
        #expect(await order.items == ["b", "a"])
        #expect(clock.now() == 2_100_000_000)
    }

    @Test func cancellationWakesASleeperWithAnError() async {
        let clock = ManualClock(start: 0)
        let t = Task { try await clock.sleep(for: .seconds(60)) }
        while clock.sleeperCount < 1 { await Task.yield() }
        t.cancel()
        await #expect(throws: CancellationError.self) { try await t.value }
        #expect(clock.sleeperCount == 0)
    }

    actor Order {
        var items: [String] = []
        func add(_ s: String) { items.append(s) }
    }
}

@Suite("ReplyCache")
struct ReplyCacheTests {
    @Test func runsOnceAndAnswersDuplicatesIncludingConcurrentOnes() async {
        let cache = ReplyCache(capacity: 2)
        let runs = Counter()
        let work: @Sendable () async -> [UInt8] = {
            await runs.bump()
            try? await Task.sleep(for: .milliseconds(50))
            return [42]
        }
        async let first = cache.reply(for: "r1", work: work)
        async let second = cache.reply(for: "r1", work: work)
        let (a, b) = await (first, second)
        #expect(a.0 == [42] && b.0 == [42])
        #expect([a.1, b.1].filter { $0 }.count == 1)
        #expect(await runs.value == 1)
        #expect(await cache.reply(for: "r1", work: work) == ([42], true))
        _ = await cache.reply(for: "r2", work: work)
        _ = await cache.reply(for: "r3", work: work)
        #expect(await cache.count == 2)
        #expect(await cache.reply(for: "r1", work: work).1 == false)  // evicted, runs again
    }

    actor Counter {
        var value = 0
        func bump() { value += 1 }
    }
}
