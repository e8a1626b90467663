import Foundation
import Messages
@testable import PricerService
import Quant
import Trading
import Testing

@Suite("Pricer engine: IVs, surfaces and theos from quotes")
struct PricerEngineTests {
    let fixture = ChainFixture()

    @Test func everyOptionGetsItsIVsAndATheoOnTheFittedSurface() throws {
        let (_, update) = fixture.loadedEngine()
        let count = fixture.expiries.count * fixture.strikes.count * 2
        #expect(update.analytics.count == count)
        #expect(update.volatilitiesComputed == count)
        let surface = try #require(update.surface)
        #expect(surface.slices.map(\.expiry) == fixture.expiries)
        #expect(surface.calendarFree && surface.arbitrage.isEmpty)
        for a in update.analytics {
            let K = Double(a.contract.strikeMicros) / 1e6
            let kind: OptionKind = a.contract.right == .call ? .call : .put
            let truth = fixture.trueVolatility(a.contract.expiry, strike: K)
            // The quotes are the true smile ± half a point of volatility.
            #expect(abs(a.bidIv - (truth - fixture.halfSpread)) < 1e-10)
            #expect(abs(a.askIv - (truth + fixture.halfSpread)) < 1e-10)
            #expect(a.bidIv < a.midIv && a.midIv < a.askIv)
            #expect(a.volSource == "surface")
            #expect(abs(a.theoIv - truth) < 2e-4, "fit \(a.theoIv) vs \(truth) at \(a.contract.expiry) \(K)")
            let own = try fixture.inputs(a.contract.expiry, K, kind, volatility: a.theoIv).blackScholes()
            #expect(a.own.theo == own.price && a.own.delta == own.delta && a.own.vega == own.vega)
            #expect(a.own.model == "bs" && a.note.isEmpty)
            #expect(!a.hasBroker && !a.hasBrokerMinusOwn)
        }
    }

    @Test func aQuoteOnOneOptionRecomputesThatOptionAlone() {
        var (engine, _) = fixture.loadedEngine()
        var q = fixture.quote("2027-01-15", 100, .call)
        q.bid += 0.05
        engine.apply(q, at: fixture.now + 1_000_000)
        let one = engine.refresh(fixture.symbol, now: fixture.now + 1_000_000)
        #expect(one.volatilitiesComputed == 1)
        #expect(one.analytics.map(\.contract) == [q.contract])
        #expect(one.surface == nil)  // the refit waits for pricer.refit_ms
        #expect(engine.pending == [fixture.symbol])  // ...and is still owed

        // Once the refit is due, the expiry's theos move with the new slice; the others stay.
        let later = fixture.now + fixture.configuration.refitIntervalNs + 1
        let refit = engine.refresh(fixture.symbol, now: later)
        #expect(refit.volatilitiesComputed == 0)
        #expect(refit.surface != nil)
        #expect(Set(refit.analytics.map(\.contract.expiry)) == ["2027-01-15"])
        #expect(engine.pending.isEmpty)
    }

    @Test func aMoveOfTheUnderlyingRecomputesItsWholeChainAndNoOther() {
        var (engine, _) = fixture.loadedEngine()
        var other = ChainFixture()
        other.symbol = "QQQ"
        other.expiries = ["2026-12-18"]
        engine.apply(other.underlyingQuote, at: fixture.now)
        for q in other.optionQuotes { engine.apply(q, at: fixture.now) }
        _ = engine.refresh("QQQ", now: fixture.now)

        var moved = fixture.underlyingQuote
        moved.bid += 1; moved.ask += 1
        engine.apply(moved, at: fixture.now + 1)
        #expect(engine.pending == [fixture.symbol])
        let update = engine.refresh(fixture.symbol, now: fixture.now + 1)
        #expect(update.volatilitiesComputed == fixture.optionQuotes.count)
        #expect(update.analytics.allSatisfy { $0.underlyingPrice == 101 })
    }

    @Test func brokerGreeksAreKeptAndTheirDifferencePublished() {
        var (engine, _) = fixture.loadedEngine()
        var q = fixture.quote("2026-12-18", 95, .put)
        var broker = Volta_V1_Greeks()
        (broker.delta, broker.gamma, broker.vega, broker.theta, broker.iv, broker.theo, broker.model) =
            (-0.30, 0.04, 11.5, -9.0, 0.21, 1.9, "broker")
        q.greeks = broker
        engine.apply(q, at: fixture.now + 5)
        let a = engine.refresh(fixture.symbol, now: fixture.now + 5).analytics[0]
        #expect(a.broker == broker)
        #expect(a.brokerMinusOwn.delta == broker.delta - a.own.delta)
        #expect(a.brokerMinusOwn.vega == broker.vega - a.own.vega)
        #expect(a.brokerMinusOwn.iv == broker.iv - a.own.iv)
        #expect(a.brokerMinusOwn.theo == broker.theo - a.own.theo)
        #expect(a.brokerMinusOwn.model == "broker-bs")
    }

    @Test func badQuotesGetNoVolatilityAndSayWhy() {
        var (engine, _) = fixture.loadedEngine()
        var crossed = fixture.quote("2026-12-18", 100, .call)
        (crossed.bid, crossed.ask) = (crossed.ask, crossed.bid)
        var belowIntrinsic = fixture.quote("2026-12-18", 80, .call)
        belowIntrinsic.bid = 15  // intrinsic is 20
        var noBid = fixture.quote("2026-12-18", 130, .call)
        noBid.bid = 0
        var stale = fixture.quote("2026-12-18", 105, .call)
        stale.stale = true
        for q in [crossed, belowIntrinsic, noBid, stale] { engine.apply(q, at: fixture.now + 9) }
        let byStrike = Dictionary(uniqueKeysWithValues: engine.refresh(fixture.symbol, now: fixture.now + 9).analytics
            .map { ($0.contract.strikeMicros / 1_000_000, $0) })
        #expect(byStrike[100]?.note.hasPrefix("crossed quote") == true && byStrike[100]?.midIv == 0)
        #expect(byStrike[80]?.bidIv == 0 && byStrike[80]!.askIv > 0 && byStrike[80]!.note.contains("bid:"))
        #expect(byStrike[130]?.bidIv == 0 && byStrike[130]?.midIv == 0 && byStrike[130]!.note.contains("no bid"))
        #expect(byStrike[105]?.note.hasPrefix("stale quote") == true)
        // The surface still prices them: a trader gets a theo for every strike of a fitted expiry.
        for a in byStrike.values { #expect(a.volSource == "surface" && a.own.theo > 0) }
        let refused = engine.apply(Volta_V1_OptionQuote(), at: 0)
        #expect(!refused)  // no contract: refused, not stored
    }

    @Test func anExpiredExpiryLeavesTheBook() {
        var (engine, _) = fixture.loadedEngine()
        var calendar = ExpiryCalendar()
        let afterFirst = calendar.closeNanoseconds("2026-12-18")! + 1
        engine.invalidate(fixture.symbol)
        let update = engine.refresh(fixture.symbol, now: afterFirst)
        #expect(!update.analytics.contains { $0.contract.expiry == "2026-12-18" })
        #expect(engine.analytics(of: fixture.symbol).allSatisfy { $0.contract.expiry != "2026-12-18" })
        #expect(engine.surface(of: fixture.symbol)?.slices.map(\.expiry) == ["2027-01-15", "2027-03-19"])
    }

    @Test func americanModelsNeedLessVolatilityForAnEuropeanPutPrice() {
        var configuration = fixture.configuration
        configuration.model = .baw
        var engine = PricerEngine(configuration: configuration)
        engine.apply(fixture.underlyingQuote, at: fixture.now)
        let q = fixture.quote("2027-03-19", 105, .put)  // an in-the-money put: worth more exercised early
        engine.apply(q, at: fixture.now)
        let a = engine.refresh(fixture.symbol, now: fixture.now).analytics[0]
        // The quote is a European price, so the American model needs less volatility for it.
        #expect(a.midIv > 0 && a.midIv < fixture.trueVolatility("2027-03-19", strike: 105), "\(a.note)")

        // A deep one quoted at its European value is below the American intrinsic: no IV, and why.
        engine.apply(fixture.quote("2027-03-19", 125, .put), at: fixture.now)
        let deep = engine.refresh(fixture.symbol, now: fixture.now).analytics[0]
        #expect(deep.midIv == 0 && deep.note.contains("intrinsic"), "\(deep.note)")
        #expect(a.own.model == "baw")
    }

    @Test func expiryCloseIsFourPMNewYork() {
        var calendar = ExpiryCalendar()
        // 2026-12-18 16:00 EST is 21:00 UTC; 2026-07-17 16:00 EDT is 20:00 UTC.
        let december = calendar.closeNanoseconds("2026-12-18"), july = calendar.closeNanoseconds("2026-07-17")
        #expect(december == Int64(1_797_627_600) * 1_000_000_000)
        #expect(july == Int64(1_784_318_400) * 1_000_000_000)
        #expect(calendar.closeNanoseconds("2026-02-30") == nil)
        #expect(calendar.closeNanoseconds("26-12-18") == nil)
    }

    @Test func expiriesSpanTheYearsEveryEntranceAccepts() {
        #expect(ExpiryCalendar.years == SupportedYears.range)
        #expect(ExpiryCalendar.isValid("\(SupportedYears.range.upperBound)-12-31"))
        #expect(!ExpiryCalendar.isValid("\(SupportedYears.range.upperBound + 1)-01-01"))
    }
}
