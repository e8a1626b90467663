import Bus
import Logging
import MarketdataService
import Messages
import Testing

/// An index as a real broker quotes it: a level (last) with no bid or ask. It must reach the
/// strategies: the stop rules size every stop from SPX and the VIX.
@Suite("Index quotes: a level with no market", .timeLimit(.minutes(1)))
struct IndexQuoteTests {
    static func quote(_ symbol: String, bid: Double, ask: Double, last: Double) -> Volta_V1_UnderlyingQuote {
        Volta_V1_UnderlyingQuote.with { $0.symbol = symbol; $0.bid = bid; $0.ask = ask; $0.last = last }
    }

    @Test func theValidatorTakesALevelAndStillRefusesWhatIsNotAPrice() {
        #expect(QuoteValidator.check(Self.quote("VIX", bid: -1, ask: -1, last: 18.5)) == nil, "TWS's −1 for no market")
        #expect(QuoteValidator.check(Self.quote("SPX", bid: 0, ask: 0, last: 6_010.25)) == nil, "sides absent")
        #expect(QuoteValidator.check(Self.quote("VIX", bid: -1, ask: -1, last: 0)) == .nonPositive, "no market and no level")
        #expect(QuoteValidator.check(Self.quote("VIX", bid: -1, ask: -1, last: .nan)) == .notFinite)
        #expect(QuoteValidator.check(Self.quote("SPY", bid: 601, ask: 600, last: 600.5)) == .crossed, "a market is still checked")
        var stale = Self.quote("VIX", bid: -1, ask: -1, last: 18.5)
        stale.stale = true
        #expect(QuoteValidator.check(stale) == .stale)
    }

    @Test func marketdataRepublishesTheLevelWithNoSides() async throws {
        let hub = InMemoryHub(clock: ManualClock(start: 1_767_364_200_000_000_000))
        let bus = Bus(identity: ServiceIdentity(service: "marketdata", instance: "marketdata", epoch: 1), transport: hub.connect(instance: "marketdata"))
        let client = Bus(identity: ServiceIdentity(service: "test", instance: "test", epoch: 1), transport: hub.connect(instance: "test"))
        var settings = MarketdataService.Settings()
        settings.snapshotOnStart = false
        let service = MarketdataService(bus: bus, settings: settings, logger: Logger(label: "marketdata"))
        let quotes = client.subscribe(Volta_V1_UnderlyingQuote.self, prefix: Topics.underlyingQuote("VIX"))
        var batch = Volta_V1_QuoteBatch()
        batch.underlying = "VIX"
        batch.marketTimeNs = hub.clock.now()
        batch.underlyings = [Self.quote("VIX", bid: -1, ask: -1, last: 18.5)]
        service.apply(batch)
        var iterator = quotes.makeAsyncIterator()
        let vix = try #require(await iterator.next()).message
        #expect(vix.last == 18.5 && vix.bid == 0 && vix.ask == 0 && vix.referencePrice == 18.5)
    }
}
