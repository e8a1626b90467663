import Bus
import Messages
import Testing

/// A publish nobody in the process follows is not encoded (an XPUB would drop it unsent), and
/// costs its sequence number all the same: a later subscriber starts where the stream is, and
/// a test's recorded frames or injected drops still see every publish.
@Suite("Unheard publishes", .timeLimit(.minutes(1)))
struct UnheardPublishTests {
    static func quote(_ last: Double) -> Volta_V1_UnderlyingQuote {
        Volta_V1_UnderlyingQuote.with { $0.symbol = "SPY"; $0.last = last }
    }

    static func bus(_ hub: InMemoryHub) -> Bus {
        Bus(identity: ServiceIdentity(service: "gateway", instance: "gateway", epoch: 1), transport: hub.connect(instance: "gateway"))
    }

    @Test func aTopicIsHeardByAMatchingPrefixOnly() {
        let hub = InMemoryHub()
        let transport = hub.connect(instance: "t")
        #expect(!transport.isHeard(Topics.underlyingQuote("SPY")))
        let quotes = transport.subscribe(prefix: Topics.Prefix.underlyingQuotes, bufferLimit: 8)
        #expect(transport.isHeard(Topics.underlyingQuote("SPY")))
        #expect(!transport.isHeard(Topics.volSurface("SPY")))
        _ = quotes
    }

    @Test func anUnheardPublishIsCountedSpendsItsSequenceAndReachesNoLaterSubscriber() async throws {
        let hub = InMemoryHub()
        let publisher = Self.bus(hub)
        #expect(publisher.publish(Self.quote(1)))
        #expect(publisher.statistics.published.load(ordering: .relaxed) == 1)
        let listener = Bus(identity: ServiceIdentity(service: "pricer", instance: "pricer", epoch: 1), transport: hub.connect(instance: "pricer"))
        let sub = listener.subscribe(Volta_V1_UnderlyingQuote.self, prefix: Topics.underlyingQuote("SPY"))
        publisher.publish(Self.quote(2))
        var iterator = sub.makeAsyncIterator()
        let first = try #require(await iterator.next())
        #expect(first.message.last == 2)
        #expect(first.header.sequence == 2)
        #expect(first.missedBefore == 0)
    }

    @Test func recordedFramesAndInjectedDropsStillSeeEveryPublish() {
        let hub = InMemoryHub()
        #expect(!hub.connect(instance: "t").isHeard(Topics.underlyingQuote("SPY")))
        hub.dropNext(prefix: Topics.Prefix.underlyingQuotes, count: 1)
        #expect(hub.connect(instance: "t").isHeard(Topics.underlyingQuote("SPY")))
        hub.recordPublished()
        let publisher = Self.bus(hub)
        publisher.publish(Self.quote(1))
        publisher.publish(Self.quote(2))
        #expect(hub.publishedFrames.count == 2)
    }
}
