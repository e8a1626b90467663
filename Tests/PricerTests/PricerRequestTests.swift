import Bus
import Foundation
import Messages
@testable import PricerService
import Quant
import Testing

@Suite("Pricer requests: price-at, implied volatility, scenarios")
struct PricerRequestTests {
    let fixture = ChainFixture()

    func priceAt(_ engine: inout PricerEngine, _ contract: Volta_V1_OptionContract, level: Double,
                 rule: Volta_V1_VolRule = .unspecified, volatility: Double = 0, days: Double = 0) throws -> Volta_V1_PriceAtReply {
        var request = Volta_V1_PricerRequest()
        request.priceAt.contract = contract
        request.priceAt.underlyingPrice = level
        request.priceAt.volRule = rule
        request.priceAt.volatility = volatility
        request.priceAt.daysForward = days
        return try engine.answer(request, now: fixture.now).priceAt
    }

    @Test func theTheoAtAStopLevel() throws {
        var (engine, _) = fixture.loadedEngine()
        let contract = fixture.contract("2027-01-15", 100, .call)
        let current = try #require(engine.analytics(of: fixture.symbol).first { $0.contract == contract })
        let T = fixture.time("2027-01-15")

        // Sticky strike: the option's own volatility at the new spot.
        let sticky = try priceAt(&engine, contract, level: 95, rule: .stickyStrike)
        var expected = OptionInputs(.call, spot: 95, strike: 100, time: T, rate: fixture.rate, dividend: fixture.dividend,
                                    volatility: current.theoIv)
        #expect(sticky.volSource == "sticky_strike" && sticky.volatility == current.theoIv)
        #expect(try sticky.greeks.theo == (expected.blackScholes().price))

        // Surface (the default when the expiry has one): the slice's volatility at the new moneyness.
        let surface = try priceAt(&engine, contract, level: 95)
        let slice = try #require(engine.books[fixture.symbol]?.slices["2027-01-15"]).slice
        expected.volatility = slice.impliedVolatility(log(100 / (95 * exp((fixture.rate - fixture.dividend) * T))))
        #expect(surface.volSource == "surface" && surface.volatility == expected.volatility)
        #expect(try surface.greeks.theo == (expected.blackScholes().price))
        // Sticky moneyness: at 95 the 100 call is further out of the money, where the skewed smile is lower.
        #expect(surface.volatility < sticky.volatility)

        let explicit = try priceAt(&engine, contract, level: 95, volatility: 0.5, days: 10)
        expected.volatility = 0.5
        expected.time = T - 10.0 / 365
        #expect(try explicit.volSource == "request" && explicit.greeks.theo == (expected.blackScholes().price))
        #expect(explicit.underlyingPrice == 95)
    }

    @Test func impliedVolatilityRoundTrips() throws {
        var (engine, _) = fixture.loadedEngine()
        let contract = fixture.contract("2027-03-19", 90, .put)
        let price = try fixture.inputs("2027-03-19", 90, .put, volatility: 0.37).blackScholes().price
        var request = Volta_V1_PricerRequest()
        request.impliedVol.contract = contract
        request.impliedVol.price = price
        let reply = try engine.answer(request, now: fixture.now).impliedVol
        #expect(abs(reply.iv - 0.37) < 1e-13 && reply.model == "bs" && reply.underlyingPrice == fixture.spot)
    }

    @Test func aScenarioGridOverABook() throws {
        var (engine, _) = fixture.loadedEngine()
        var request = Volta_V1_PricerRequest()
        var call = Volta_V1_ScenarioPosition()
        call.instrument.option = fixture.contract("2027-01-15", 105, .call)
        call.instrument.symbol = fixture.symbol
        call.quantity = 2
        var shares = Volta_V1_ScenarioPosition()
        shares.instrument.symbol = fixture.symbol
        shares.quantity = -50
        request.scenario.positions = [call, shares]
        request.scenario.spotShocks = [-0.1, 0, 0.1]
        request.scenario.volShocks = [0, 0.05]
        request.scenario.daysForward = 0
        let reply = try engine.answer(request, now: fixture.now).scenario
        #expect(reply.cells.count == 6)
        #expect(reply.cells.map(\.spotShock) == [-0.1, -0.1, 0, 0, 0.1, 0.1])
        #expect(reply.cells[2].pnl == 0)  // no shock, no time: nothing changes

        let v = try #require(engine.analytics(of: fixture.symbol).first { $0.contract == call.instrument.option }).theoIv
        let base = fixture.inputs("2027-01-15", 105, .call, volatility: v)
        var up = base
        up.spot = 110
        up.volatility = v + 0.05
        let expected = 200 * (try up.blackScholes().price - base.blackScholes().price) - 50 * 10
        #expect(abs(reply.cells[5].pnl - expected) < 1e-9)
        #expect(abs(reply.baseValue - (200 * (try base.blackScholes().price) - 50 * 100)) < 1e-9)
    }

    /// Each way a request can be wrong, applied to a good price-at request.
    static func spoil(_ name: String, _ r: inout Volta_V1_PricerRequest) {
        let itmCall = ChainFixture().contract("2027-01-15", 80, .call)
        switch name {
        case "no market": r.priceAt.contract.underlying = "XYZ"
        case "bad expiry": r.priceAt.contract.expiry = "18/12/2026"
        case "expired": r.priceAt.contract.expiry = "2026-11-13"
        case "no strike": r.priceAt.contract.strikeMicros = 0
        case "negative level": r.priceAt.underlyingPrice = -5
        case "NaN level": r.priceAt.underlyingPrice = .nan
        case "negative vol": r.priceAt.volatility = -0.2
        case "unknown strike, sticky": r.priceAt.contract.strikeMicros = 101_000_000; r.priceAt.volRule = .stickyStrike
        case "IV below intrinsic": r.impliedVol.contract = itmCall; r.impliedVol.price = 19
        case "IV of a NaN price": r.impliedVol.contract = itmCall; r.impliedVol.price = .nan
        case "empty scenario": r.scenario = Volta_V1_ScenarioRequest()
        default: r.op = nil
        }
    }

    @Test(arguments: ["no market", "bad expiry", "expired", "no strike", "negative level", "NaN level", "negative vol",
                      "unknown strike, sticky", "IV below intrinsic", "IV of a NaN price", "empty scenario", "empty request"])
    func badRequestsAreRejectedWithAReason(name: String) throws {
        var (engine, _) = fixture.loadedEngine()
        var request = Volta_V1_PricerRequest()
        request.priceAt.contract = fixture.contract("2027-01-15", 100, .call)
        request.priceAt.underlyingPrice = 95
        Self.spoil(name, &request)
        do {
            let reply = try engine.answer(request, now: fixture.now)
            Issue.record("\(name): answered \(reply)")
        } catch let error as BadRequest {
            #expect(!error.description.isEmpty)
        }
    }

    @Test func anExpiredHorizonIsWorthItsIntrinsicValue() throws {
        var (engine, _) = fixture.loadedEngine()
        let reply = try priceAt(&engine, fixture.contract("2026-12-18", 100, .put), level: 90, days: 60)
        #expect(reply.greeks.theo == 10 && reply.greeks.delta == -1 && reply.volSource == "expired")
    }
}
