import Foundation
import Testing
@testable import Market

/// The simulated market's statistics match its own model: realized index variance its variance
/// process, a stock's regression beta its configured beta, the VIX the variance the next 30
/// days deliver.
@Suite struct MarketStatisticsTests {
    @Test func realizedVarianceMatchesTheVarianceProcess() {
        var p = IndexParameters()
        p.jumpsPerYear = 2       // jumps count in both
        var index = IndexProcess(p)
        var rng = SeededGenerator(seed: 11)
        var realized = 0.0
        let dt = 1.0 / (365 * 24 * 12)            // 5-minute steps for two simulated years
        for _ in 0..<(365 * 24 * 12 * 2) {
            let r = index.step(dt: dt, using: &rng)
            realized += r * r
        }
        #expect(abs(realized / index.integratedVariance - 1) < 0.03, "realized \(realized) vs ∫v dt \(index.integratedVariance)")
    }

    @Test func betasAreRecoveredByRegression() {
        var market = MarketParameters()
        market.seed = 5
        let start = NewYorkTime.instant(CivilDate("2026-11-16")!, minute: 9 * 60 + 30)
        var sim = MarketSimulation(parameters: market, start: start)
        var index: [Double] = [], stocks: [String: [Double]] = [:]
        var lastIndex = sim.index.price, last = sim.underlyings.mapValues(\.price)
        for minute in 1...(60 * 24 * 20) {                   // 20 days of one-minute returns
            sim.step(to: start + Int64(minute) * 60_000_000_000)
            index.append(log(sim.index.price / lastIndex))
            lastIndex = sim.index.price
            for (s, u) in sim.underlyings { stocks[s, default: []].append(log(u.price / last[s]!)); last[s] = u.price }
        }
        let meanX = index.reduce(0, +) / Double(index.count)
        let varX = index.reduce(0) { $0 + ($1 - meanX) * ($1 - meanX) }
        for u in market.underlyings {
            let y = stocks[u.symbol]!
            let meanY = y.reduce(0, +) / Double(y.count)
            let cov = zip(index, y).reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) }
            let beta = cov / varX
            #expect(abs(beta - u.beta) < 0.05 + 0.05 * u.idiosyncraticVol / 0.1, "\(u.symbol): beta \(beta) vs \(u.beta)")
        }
    }

    @Test func vixIsTheNextThirtyDaysExpectedVariance() {
        var p = IndexParameters()
        p.variance = 0.06                        // start stressed: the VIX must see the reversion
        let start = IndexProcess(p)
        var rng = SeededGenerator(seed: 3)
        let paths = 400, steps = 30 * 24
        var total = 0.0
        for _ in 0..<paths {
            var index = start
            var realized = 0.0
            for _ in 0..<steps { let r = index.step(dt: 1.0 / (365 * 24), using: &rng); realized += r * r }
            total += realized / (30.0 / 365)
        }
        let delivered = 100 * (total / Double(paths)).squareRoot()
        #expect(abs(delivered / start.vix - 1) < 0.04, "VIX \(start.vix) vs delivered \(delivered)")
        var spiked = start
        spiked.setVIX(35)
        #expect(abs(spiked.vix - 35) < 1e-9)
    }

    @Test func skewSteepensAsVarianceRises() {
        let q = SmileQuoter()
        func putSkew(_ ratio: Double) -> Double {
            q.volatility(strike: 90, forward: 100, years: 0.1, atm: 0.2, varianceRatio: ratio, skewScale: 1)
                - q.volatility(strike: 100, forward: 100, years: 0.1, atm: 0.2, varianceRatio: ratio, skewScale: 1)
        }
        #expect(putSkew(1) > 0)
        #expect(putSkew(4) > putSkew(1) * 1.5)
    }

    @Test func quotesAreOnTickWithWiderSpreadsInTheWingsAndNearExpiry() {
        let start = NewYorkTime.instant(CivilDate("2026-11-16")!, minute: 10 * 60)
        var sim = MarketSimulation(parameters: MarketParameters(), start: start)
        let tick = sim.advance(to: start + 1_000_000_000)
        #expect(tick.options.count > 3000)
        for q in tick.options {
            guard case .option(let key) = q.instrument else { continue }
            let t = TickRules.optionTick(price: q.touch.ask, isIndex: key.underlying == "SPX", kind: sim.kind(of: key.underlying))
            let lower = TickRules.optionTick(price: q.touch.bid, isIndex: key.underlying == "SPX", kind: sim.kind(of: key.underlying))
            #expect(TickRules.isOnTick(Money.micros(q.touch.ask), tick: min(t, lower)), "\(key) ask \(q.touch.ask)")
            #expect(q.touch.bid >= 0 && q.touch.ask > q.touch.bid)
        }
        func relativeSpread(_ u: String, _ expiryIndex: Int, _ strikeOffset: Double) -> Double {
            let chain = sim.chain(of: u)
            let spot = sim.price(of: u)!
            let strike = chain[expiryIndex].strikes.min { abs(Money.value($0) - spot * (1 + strikeOffset)) < abs(Money.value($1) - spot * (1 + strikeOffset)) }!
            let key = OptionKey(underlying: u, expiry: chain[expiryIndex].expiry, strikeMicros: strike, right: strikeOffset < 0 ? .put : .call)
            let t = sim.touch(of: .option(key))!
            return (t.ask - t.bid) / t.mid
        }
        #expect(relativeSpread("SPY", 4, -0.06) > relativeSpread("SPY", 4, 0))
        #expect(relativeSpread("AAPL", 0, 0) > relativeSpread("AAPL", 4, 0))
    }

    @Test func sameSeedSameMarket() {
        let start = NewYorkTime.instant(CivilDate("2026-11-16")!, minute: 10 * 60)
        var a = MarketSimulation(parameters: MarketParameters(), start: start)
        var b = MarketSimulation(parameters: MarketParameters(), start: start)
        for s in 1...30 {
            let ta = a.advance(to: start + Int64(s) * 2_000_000_000), tb = b.advance(to: start + Int64(s) * 2_000_000_000)
            #expect(ta.options == tb.options && ta.underlyings == tb.underlyings)
        }
    }

    @Test func scriptedEventsMoveTheMarketAndBreakTheFeed() {
        let start = NewYorkTime.instant(CivilDate("2026-11-16")!, minute: 10 * 60)
        let events = [MarketEvent(atSeconds: 60, action: .move(symbol: "SPY", fraction: -0.03, seconds: 600)),
                      MarketEvent(atSeconds: 30, action: .vix(level: 35, seconds: 0)),
                      MarketEvent(atSeconds: 10, action: .fault(symbol: "TSLA", kind: .stale, scope: .options, seconds: 100)),
                      MarketEvent(atSeconds: 10, action: .fault(symbol: "QQQ", kind: .crossed, scope: .all, seconds: 100))]
        var parameters = MarketParameters()
        parameters.underlyings = parameters.underlyings.map { var u = $0; u.idiosyncraticVol = 0.0001; return u }
        parameters.index.variance = 0.0001
        parameters.index.jumpsPerYear = 0
        var sim = MarketSimulation(parameters: parameters, start: start, events: events)
        let spy0 = sim.price(of: "SPY")!, spx0 = sim.index.price
        var sawTSLA = false, crossed = 0
        for s in stride(from: 20, through: 700, by: 20) {
            let tick = sim.advance(to: start + Int64(s) * 1_000_000_000)
            if s > 10 && s < 110 {
                sawTSLA = sawTSLA || tick.options.contains { $0.instrument.underlyingSymbol == "TSLA" }
                crossed += tick.underlyings.filter { $0.instrument == .underlying("QQQ") && $0.touch.bid > $0.touch.ask }.count
            }
            if s == 40 { #expect(abs(sim.index.vix - 35) < 0.5) }
        }
        let spyMove = sim.price(of: "SPY")! / spy0 - 1, indexMove = sim.index.price / spx0 - 1
        #expect(abs(spyMove - indexMove - -0.03) < 0.005, "SPY \(spyMove) vs index \(indexMove)")
        #expect(!sawTSLA)
        #expect(crossed > 0)
    }
}
