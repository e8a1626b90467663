import Bus
import Foundation
import Logging
import Messages
import ServiceKit
import Synchronization
import Testing

@Suite("Contract feeds")
struct ContractFeedTests {
    static func contract(_ strike: Double) -> Volta_V1_OptionContract {
        var c = Volta_V1_OptionContract()
        (c.underlying, c.expiry, c.right, c.multiplier) = ("SPY", "2026-12-18", .call, 100)
        c.strikeMicros = Int64((strike * 1_000_000).rounded())
        return c
    }

    static func quote(_ c: Volta_V1_OptionContract, bid: Double) -> Volta_V1_OptionQuote {
        var q = Volta_V1_OptionQuote()
        (q.contract, q.bid, q.ask) = (c, bid, bid + 0.1)
        return q
    }

    /// From the stream's snapshot first, then live on the exact topic (the 450 call's topic is a
    /// prefix of the 450.5 call's, which must not leak in), until the contract is dropped.
    @Test func followsFromTheSnapshotThenLiveOnTheExactTopicUntilDropped() async throws {
        let hub = InMemoryHub(clock: WallClock())
        func connect(_ name: String) -> Bus {
            Bus(identity: ServiceIdentity(service: name, instance: name, epoch: 1), transport: hub.connect(instance: name))
        }
        let stream = StateStream(name: Topics.Service.marketdata, bus: connect("marketdata"))
        let serving = Task { await stream.serveSnapshots() }
        defer { serving.cancel() }
        let (c450, c450half) = (Self.contract(450), Self.contract(450.5))
        #expect(Topics.optionQuote(c450half).hasPrefix(Topics.optionQuote(c450)))
        stream.publish(Self.quote(c450, bid: 1.0))
        stream.publish(Self.quote(c450half, bid: 9.0))

        let seen = Mutex<[Double]>([])
        let feed = ContractFeed<Volta_V1_OptionQuote>(bus: connect("execution"), stream: Topics.Service.marketdata,
                                                      topic: Topics.optionQuote, logger: Logger(label: "test")) { q in
            seen.withLock { $0.append(q.bid) }
        }
        await feed.follow([c450]).value
        #expect(seen.withLock { $0 } == [1.0], "the snapshot is applied before follow's task ends")
        #expect(feed.topics == [Topics.optionQuote(c450)])

        stream.publish(Self.quote(c450half, bid: 9.1))
        stream.publish(Self.quote(c450, bid: 1.1))
        let deadline = ContinuousClock.now + .seconds(5)
        while seen.withLock({ $0.count }) < 2 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(seen.withLock { $0 } == [1.0, 1.1])

        // Following again changes nothing; dropping it stops the updates.
        await feed.follow([c450]).value
        feed.keep(only: [])
        #expect(feed.topics.isEmpty)
        try await Task.sleep(for: .milliseconds(50))
        stream.publish(Self.quote(c450, bid: 1.2))
        try await Task.sleep(for: .milliseconds(100))
        #expect(seen.withLock { $0 } == [1.0, 1.1])
    }

    /// With no stream to answer, the feed still follows live updates.
    @Test func withoutASnapshotLiveUpdatesStillCome() async throws {
        let hub = InMemoryHub(clock: WallClock())
        func connect(_ name: String) -> Bus {
            Bus(identity: ServiceIdentity(service: name, instance: name, epoch: 1), transport: hub.connect(instance: name))
        }
        let publisher = connect("pricer")
        let seen = Mutex<[Double]>([])
        let feed = ContractFeed<Volta_V1_OptionQuote>(bus: connect("risk"), stream: Topics.Service.pricer,
                                                      topic: Topics.optionQuote, logger: Logger(label: "test")) { q in
            seen.withLock { $0.append(q.bid) }
        }
        await feed.follow([Self.contract(450)]).value
        #expect(seen.withLock { $0 }.isEmpty)
        publisher.publish(Self.quote(Self.contract(450), bid: 2.0))
        let deadline = ContinuousClock.now + .seconds(5)
        while seen.withLock({ $0.isEmpty }) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(seen.withLock { $0 } == [2.0])
    }
}
