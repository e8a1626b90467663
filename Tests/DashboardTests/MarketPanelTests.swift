import Bus
@testable import DashboardService
import Foundation
import Logging
import Market
import Messages
import Quant
import Testing

/// The market panel: prices and their sparkline sampled on the bus clock, and one expiry's chain
/// with its smile, from what marketdata and the pricer keep (their snapshots), served as JSON.
@Suite("Market panel", .serialized, .timeLimit(.minutes(2)))
struct MarketPanelTests {
    static func quote(_ symbol: String, bid: Double, ask: Double, last: Double) -> Volta_V1_UnderlyingQuote {
        .with { $0.symbol = symbol; $0.bid = bid; $0.ask = ask; $0.last = last }
    }

    static func object(_ v: JSONValue) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: v.data) as? [String: Any])
    }

    @Test func aSparklineKeepsOnePointPerPeriodAndItsLastFollowsThePrice() throws {
        var settings = MarketWatch.Settings()
        settings.keep = 3
        let hub = InMemoryHub(clock: ManualClock(start: 0))
        let watch = MarketWatch(bus: DashboardHarness.connect(hub, "dashboard"), settings: settings, logger: Logger(label: "test"))
        let s: Int64 = 1_000_000_000
        for (t, price) in [(0, 590.0), (1, 591.0), (5, 592.0), (12, 593.0)] {
            watch.observe(Self.quote("SPY", bid: price - 0.01, ask: price + 0.01, last: price), now: Int64(t) * s)
        }
        var spy = try #require((try Self.object(watch.json())["underlyings"] as? [[String: Any]])?.first)
        // 0 s stays; 1 s moved to 5 s (still within 10 s of the first); at 12 s a new point is due.
        #expect((spy["points"] as? [[Double]])?.map { $0[0] / 1e9 } == [0, 5, 12], "\(spy)")
        #expect(spy["price"] as? Double == 593 && spy["change"] as? Double == 3)

        watch.observe(Self.quote("SPY", bid: 593.99, ask: 594.01, last: 594), now: 25 * s)
        spy = try #require((try Self.object(watch.json())["underlyings"] as? [[String: Any]])?.first)
        #expect((spy["points"] as? [[Double]])?.map { $0[1] } == [592, 593, 594], "three kept, the oldest dropped: \(spy)")
        #expect(spy["change"] as? Double == 2 && spy["since_ns"] as? Int64 == 5 * s)
    }

    @Test func anIndexIsPricedByItsLevelAndTheVIXComesFirst() throws {
        let hub = InMemoryHub(clock: ManualClock(start: 0))
        let watch = MarketWatch(bus: DashboardHarness.connect(hub, "dashboard"), logger: Logger(label: "test"))
        watch.observe(Self.quote("SPY", bid: 589.99, ask: 590.01, last: 0), now: 1)
        // As TWS sends an index: a last, no market.
        watch.observe(Self.quote("VIX", bid: -1, ask: -1, last: 17.25), now: 2)
        watch.observe(Self.quote("QQQ", bid: -1, ask: -1, last: 0), now: 3)
        let all = try #require(try Self.object(watch.json())["underlyings"] as? [[String: Any]])
        #expect(all.map { $0["symbol"] as? String } == ["VIX", "QQQ", "SPY"])
        #expect(all[0]["price"] as? Double == 17.25 && all[0]["volatility_index"] as? Bool == true && all[0]["bid"] is NSNull)
        #expect(all[1]["price"] is NSNull && (all[1]["points"] as? [Any])?.isEmpty == true, "no price is not a price of 0")
        #expect(all[2]["price"] as? Double == 590, "the mid without a last")
    }

    @Test func theDefaultExpiryIsTheOneNearestThirtyDays() {
        let today = CivilDate("2026-12-07")!
        #expect(OptionChainView.defaultExpiry(["2026-12-11", "2027-01-08", "2027-01-15", "2027-03-19"], today: today) == "2027-01-08")
        #expect(OptionChainView.defaultExpiry(["2026-12-11"], today: today) == "2026-12-11")
        #expect(OptionChainView.defaultExpiry([], today: today) == nil)
    }

    static func option(_ right: Volta_V1_Right, _ strike: Double, bid: Double, ask: Double, expiry: String = "2027-01-08") -> Volta_V1_OptionQuote {
        .with {
            $0.contract = .with { c in c.underlying = "SPY"; c.expiry = expiry; c.strikeMicros = Int64(strike * 1e6); c.right = right; c.multiplier = 100 }
            $0.bid = bid; $0.ask = ask; $0.underlyingPrice = 590
        }
    }

    static func analytics(of q: Volta_V1_OptionQuote, iv: Double, delta: Double) -> Volta_V1_OptionAnalytics {
        .with { $0.contract = q.contract; $0.midIv = iv; $0.own = .with { g in g.delta = delta; g.theo = (q.bid + q.ask) / 2; g.iv = iv } }
    }

    static let slice = Volta_V1_SVISliceParams.with {
        $0.expiry = "2027-01-08"; $0.timeYears = 32.0 / 365; $0.forward = 591
        $0.a = 0.001; $0.b = 0.05; $0.rho = -0.6; $0.m = 0.01; $0.sigma = 0.08
    }

    static func chain() -> OptionChainView {
        let quotes = [option(.put, 580, bid: 7.0, ask: 7.2), option(.call, 580, bid: 16.5, ask: 16.9),
                      option(.put, 600, bid: 15.1, ask: 15.5), option(.call, 600, bid: 6.0, ask: 6.2)]
        let ivs: [Double] = [0.19, 0.185, 0.16, 0.155]
        let deltas: [Double] = [-0.35, 0.65, -0.6, 0.4]
        return OptionChainView(underlying: "SPY", expiry: "2027-01-08", expiries: ["2026-12-11", "2027-01-08"], quotes: quotes,
                               analytics: zip(quotes, zip(ivs, deltas)).map { analytics(of: $0, iv: $1.0, delta: $1.1) },
                               slice: slice, underlyingPrice: 590)
    }

    @Test func theChainPairsCallsAndPutsByStrikeAndTheSmileUsesTheOutOfTheMoneySide() throws {
        let out = try Self.object(Self.chain().json)
        let rows = try #require(out["rows"] as? [[String: Any]])
        #expect(rows.map { $0["strike"] as? Double } == [580, 600])
        let put580 = try #require(rows[0]["put"] as? [String: Any]), call600 = try #require(rows[1]["call"] as? [String: Any])
        #expect(put580["bid"] as? Double == 7.0 && put580["iv"] as? Double == 0.19 && put580["delta"] as? Double == -0.35)
        #expect(call600["ask"] as? Double == 6.2 && call600["delta"] as? Double == 0.4)
        #expect(out["forward"] as? Double == 591, "the fit's forward, not the spot")
        let smile = try #require(out["smile"] as? [String: Any])
        let market = try #require(smile["market"] as? [[String: Any]])
        // 580 < 591: the put's IV; 600 > 591: the call's.
        #expect(market.map { $0["right"] as? String } == ["P", "C"] && market.map { $0["iv"] as? Double } == [0.19, 0.155])
        let fit = try #require(smile["fit"] as? [[String: Double]])
        #expect(fit.count == 60 && fit.first?["strike"] == 580 && fit.last?["strike"] == 600)
        let svi = SVISlice(a: 0.001, b: 0.05, rho: -0.6, m: 0.01, sigma: 0.08, time: 32.0 / 365)
        for p in fit {
            let expected = svi.impliedVolatility(log(p["strike"]! / 591))
            #expect(abs(p["iv"]! - expected) < 1e-12)
        }
    }

    @Test func withoutThePricerTheBrokersGreeksShowAndNoFitIsDrawn() throws {
        var view = Self.chain()
        view.analytics = []
        view.slice = nil
        view.quotes[0].greeks = .with { $0.iv = 0.21; $0.delta = -0.33; $0.model = "broker" }
        let out = try Self.object(view.json)
        let rows = try #require(out["rows"] as? [[String: Any]])
        let put580 = try #require(rows[0]["put"] as? [String: Any])
        #expect(put580["iv"] as? Double == 0.21 && put580["delta"] as? Double == -0.33)
        #expect((rows[1]["call"] as? [String: Any])?["iv"] is NSNull)
        #expect(out["forward"] as? Double == 590, "the spot when nothing was fitted")
        #expect(((out["smile"] as? [String: Any])?["fit"] as? [Any])?.isEmpty == true)
    }

    /// The endpoints on a bus where marketdata's and the pricer's state streams answer snapshots
    /// as the real services do (the same `StateStream`), and quotes flow on `md.quote.`.
    @Test func theEndpointsAnswerFromTheSnapshotsAndRefuseWhatTheyCannotShow() async throws {
        let h = try DashboardHarness()
        try await h.start()
        defer { Task { await h.stop() } }
        let md = StateStream(name: Topics.Service.marketdata, bus: h.connect("marketdata"))
        let px = StateStream(name: Topics.Service.pricer, bus: h.connect("pricer"))
        let serving = [Task { await md.serveSnapshots() }, Task { await px.serveSnapshots() }]
        defer { serving.forEach { $0.cancel() } }
        let chain = Self.chain()
        for q in chain.quotes + [Self.option(.put, 570, bid: 1.0, ask: 1.1, expiry: "2026-12-11")] { md.publish(q) }
        for a in chain.analytics { px.publish(a) }
        let surface = Volta_V1_VolSurface.with { $0.underlying = "SPY"; $0.underlyingPrice = 590; $0.slices = [Self.slice] }
        px.publish(surface)

        // The surface comes by subscription (or the pricer's snapshot): wait until the dashboard
        // heard it, refitting as a pricer does.
        try await DashboardAPITests.wait {
            px.publish(surface)
            let chain = try await h.get("/api/market/chain?underlying=SPY&expiry=2027-01-08").object
            return ((chain["smile"] as? [String: Any])?["fit"] as? [Any])?.count == 60
        }
        let answer = try await h.get("/api/market/chain?underlying=SPY&expiry=2027-01-08")
        #expect(answer.status == 200, "\(answer.text)")
        #expect(answer.object["expiries"] as? [String] == ["2026-12-11", "2027-01-08"])
        #expect((answer.object["rows"] as? [Any])?.count == 2 && (answer.object["notes"] as? [Any])?.isEmpty == true, "\(answer.text)")
        #expect(((answer.object["smile"] as? [String: Any])?["fit"] as? [Any])?.count == 60)
        let other = try await h.get("/api/market/chain?underlying=SPY&expiry=2026-12-11")
        #expect((other.object["rows"] as? [Any])?.count == 1 && (other.object["notes"] as? [String])?.first?.contains("no fitted slice") == true,
                "\(other.text)")

        #expect(try await h.get("/api/market/chain?underlying=QQQ").status == 404)
        let missing = try await h.get("/api/market/chain?underlying=SPY&expiry=2027-06-18")
        #expect(missing.status == 404 && missing.error.contains("quoted: 2026-12-11, 2027-01-08"), "\(missing.error)")
        #expect(try await h.get("/api/market/chain").status == 400)
        #expect(try await h.get("/api/market/chain?underlying=SPY&expiry=tomorrow").error.contains("YYYY-MM-DD"))
        #expect(try await h.get("/api/market/chain?underlying=SPY%3Bdrop").status == 400)
        #expect(try await h.get("/api/market?symbol=SPY").status == 400)

        h.connect("feed").publish(Self.quote("SPY", bid: 589.99, ask: 590.01, last: 590))
        try await DashboardAPITests.wait {
            ((try await h.get("/api/market").object["underlyings"] as? [[String: Any]])?.first?["price"] as? Double) == 590
        }
    }

    @Test func withoutAPricerTheChainStillShowsWithTheBrokersGreeks() async throws {
        let h = try DashboardHarness()
        try await h.start()
        defer { Task { await h.stop() } }
        let md = StateStream(name: Topics.Service.marketdata, bus: h.connect("marketdata"))
        let serving = Task { await md.serveSnapshots() }
        defer { serving.cancel() }
        var put = Self.option(.put, 580, bid: 7.0, ask: 7.2)
        put.greeks = .with { $0.iv = 0.2; $0.delta = -0.34; $0.model = "broker" }
        md.publish(put)
        let answer = try await h.get("/api/market/chain?underlying=SPY")
        #expect(answer.status == 200, "\(answer.text)")
        let notes = answer.object["notes"] as? [String] ?? []
        #expect(notes.count == 2 && notes[0].contains("no fitted slice") && notes[1].contains("did not come"), "\(notes)")
        let row = try #require((answer.object["rows"] as? [[String: Any]])?.first?["put"] as? [String: Any])
        #expect(row["iv"] as? Double == 0.2 && row["delta"] as? Double == -0.34)
    }
}
