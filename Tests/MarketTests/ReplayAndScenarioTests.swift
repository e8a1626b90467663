import Foundation
import Testing
@testable import Market

/// Replay from CSV daily bars, and scenario files: loads that work and refusals that name the
/// file, line and field.
@Suite struct ReplayAndScenarioTests {
    let csv = """
    Date,Open,High,Low,Close,Adj Close,Volume
    2018-12-24,2400.56,2410.34,2351.10,2351.10,2351.10,2613930000
    2018-12-26,2363.12,2467.76,2346.58,2467.70,2467.70,4233990000
    2018-12-27,2442.50,2489.10,2397.94,2488.83,2488.83,4096610000
    """

    @Test func barsParseAndTheBridgedPathKeepsEachDaysRange() throws {
        let bars = try DailyBars.parse(csv, file: "spx.csv")
        #expect(bars.count == 3 && bars[1].date == CivilDate("2018-12-26"))
        let path = ReplayPath(bars: bars, seed: 1)
        for bar in bars {
            let session = NYSECalendar().session(on: bar.date)!
            let open = NewYorkTime.instant(bar.date, minute: session.openMinute)
            let close = NewYorkTime.instant(bar.date, minute: session.closeMinute)
            #expect(abs(exp(path.logPrice(at: open)) - bar.open) < 1e-6)
            #expect(abs(exp(path.logPrice(at: close)) - bar.close) < 1e-6)
            let prices = (0..<ReplayPath.points).map { exp(path.logPrice(at: open + (close - open) * Int64($0) / Int64(ReplayPath.points - 1))) }
            #expect(prices.allSatisfy { $0 >= bar.low - 1e-6 && $0 <= bar.high + 1e-6 })
            #expect(abs(prices.max()! - bar.high) < 1e-3 && abs(prices.min()! - bar.low) < 1e-3)
        }
    }

    @Test func aReplayedIndexDrivesTheSimulation() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("volta-replay-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try csv.write(toFile: "\(folder)/spx.csv", atomically: true, encoding: .utf8)
        var scenario = try ScenarioLoader.parse("market: {step_seconds: 60}\nreplay:\n  SPX: spx.csv\n", file: "r.yaml")
        scenario.folder = folder
        var sim = try scenario.simulation(now: 0)
        #expect(NewYorkTime.local(sim.now).date == CivilDate("2018-12-24"))
        let end = NewYorkTime.instant(CivilDate("2018-12-27")!, minute: 16 * 60)
        var closes: [CivilDate] = []
        while sim.now < end { closes += sim.advance(to: min(end, sim.now + 600_000_000_000)).closes }
        #expect(closes == [CivilDate("2018-12-24")!, CivilDate("2018-12-26")!, CivilDate("2018-12-27")!])
        #expect(abs(sim.index.price - 2488.83) < 1e-6)
        #expect(abs(sim.price(of: "SPY")! / 590 - 2488.83 / 2400.56) < 0.03)   // SPY follows with beta 1
    }

    /// Where the VIX's file has no close (before its first), a replayed index's 20-day realized
    /// vol times the premium sets the vol; where it has one, the VIX.
    @Test func beforeTheVIXsFileTheVolIsTheIndexsRealizedVolTimesThePremium() throws {
        var day = CivilDate("2018-01-02")!
        var bars: [DailyBar] = []
        var close = 2700.0
        for i in 0..<30 {
            while NYSECalendar().session(on: day) == nil { day = day.adding(days: 1) }
            let next = close * (i % 2 == 0 ? 1.01 : 0.99)
            bars.append(DailyBar(date: day, open: close, high: max(close, next), low: min(close, next), close: next))
            close = next
            day = day.adding(days: 1)
        }
        let vixBars = bars.suffix(5).map { DailyBar(date: $0.date, open: 30, high: 30, low: 30, close: 30) }
        var market = MarketParameters()
        market.hours = .nyse
        let early = NewYorkTime.instant(bars[24].date, minute: 12 * 60)
        let sim = MarketSimulation(parameters: market, start: early, replay: ["SPX": ReplayPath(bars: bars, seed: 1),
                                                                             "VIX": ReplayPath(bars: Array(vixBars), seed: 1)])
        let path = ReplayPath(bars: bars, seed: 1)
        let realized = try #require(path.realizedVolatility(before: early))
        // ±1% a day alternating: about 15.9% a year.
        #expect(abs(realized - 0.01 * 252.0.squareRoot()) < 0.01)
        #expect(abs(sim.price(of: "VIX")! - 100 * realized * MarketSimulation.realizedVolPremium) < 0.5)
        let late = MarketSimulation(parameters: market, start: NewYorkTime.instant(bars[27].date, minute: 12 * 60),
                                    replay: ["SPX": path, "VIX": ReplayPath(bars: Array(vixBars), seed: 1)])
        #expect(abs(late.price(of: "VIX")! - 30) < 0.5)
    }

    @Test func badBarsAreRefusedWithLineAndField() {
        func refusal(_ text: String) -> DataFileError? {
            do { _ = try DailyBars.parse(text, file: "x.csv"); return nil } catch { return error as? DataFileError }
        }
        #expect(refusal("date,open,high,low\n") == DataFileError(file: "x.csv", line: 1, field: "close", message: "missing column (header: date,open,high,low)"))
        #expect(refusal("date,open,high,low,close\n2018-12-24,1,2,0.5,1.5\n2018-12-26,1,2,x,1\n")?.line == 3)
        #expect(refusal("date,open,high,low,close\n2018-12-24,1,2,0.5,1.5\n2018-12-26,1,2,x,1\n")?.field == "low")
        #expect(refusal("date,open,high,low,close\n2018-12-24,1,1.2,0.5,1.5\n")?.field == "high/low")
        #expect(refusal("date,open,high,low,close\n2018-12-24,1,2,0.5,1.5\n2018-12-24,1,2,0.5,1.5\n")?.message.contains("does not follow") == true)
        #expect(refusal("date,open,high,low,close\n12/24/2018,1,2,0.5,1.5\n")?.field == "date")
    }

    let scenarioText = """
    name: spy-selloff
    seed: 42
    start: 2026-11-20T09:30:00-05:00
    speed: 60
    market:
      index: {variance: 0.03, jumps_per_year: 0}
      underlyings:
        - {symbol: SPY, price: 600}
        - {symbol: NVDA, price: 140, beta: 1.7, idiosyncratic_vol: 0.4}
    account:
      id: DEMO
      cash: 250000.50
      positions:
        - {symbol: SPY, quantity: 100, price: 580}
        - {option: SPY 2026-12-18 P 550, quantity: -5, price: 4.20}
    events:
      - {at: 1m, move: SPY, by: -3%, over: 10m}
      - {at: 5m, vix: 35}
      - {at: 2m, stale: TSLA, scope: options, for: 5m}
    """

    @Test func scenariosLoad() throws {
        let s = try ScenarioLoader.parse(scenarioText, file: "s.yaml")
        #expect(s.name == "spy-selloff" && s.market.seed == 42 && s.speed == 60)
        #expect(s.start == NewYorkTime.instant(CivilDate("2026-11-20")!, minute: 9 * 60 + 30))
        #expect(s.market.index.variance == 0.03 && s.market.index.kappa == IndexParameters().kappa)
        #expect(s.market.underlyings.first { $0.symbol == "SPY" }?.price == 600)
        #expect(s.market.underlyings.first { $0.symbol == "NVDA" }?.beta == 1.7)
        #expect(s.account.cashMicros == 250_000_500_000)
        #expect(s.account.holdings[.option(OptionKey("SPY 2026-12-18 P 550")!)] == .init(quantity: -5, averageCostMicros: 4_200_000))
        #expect(s.events == [MarketEvent(atSeconds: 60, action: .move(symbol: "SPY", fraction: -0.03, seconds: 600)),
                             MarketEvent(atSeconds: 300, action: .vix(level: 35, seconds: 0)),
                             MarketEvent(atSeconds: 120, action: .fault(symbol: "TSLA", kind: .stale, scope: .options, seconds: 300))])
        #expect(s.tws.maxMarketDataLines == 100, "IB's allowance unless the scenario says")
        let tws = try ScenarioLoader.parse("tws: {max_market_data_lines: 12, no_permission: [QQQ], max_messages_per_second: 50, historical_pacing: true,"
                                           + " farm_outages: [{after_s: 60, for_s: 15}]}\n", file: "t.yaml").tws
        #expect(tws.maxMarketDataLines == 12 && tws.noPermission == ["QQQ"] && tws.maxMessagesPerSecond == 50 && tws.historicalPacing)
        #expect(tws.farmOutages == [FarmOutage(afterSeconds: 60, seconds: 15)])
    }

    @Test(arguments: [
        ("seed: 42\nspeeed: 3\n", 2, "scenario.speeed"),
        ("market:\n  index: {variance: lots}\n", 2, "market.index.variance"),
        ("account:\n  positions:\n    - {option: SPY 2026-13-18 P 550, quantity: 1, price: 1}\n", 3, "account.positions[0].option"),
        ("events:\n  - {at: 1m, move: SPY}\n", 2, "events[0].by"),
        ("events:\n  - {at: soon, vix: 30}\n", 2, "events[0].at"),
        ("hours: weekends\n", 1, "hours"),
        ("tws: {max_lines: 5}\n", 1, "tws.max_lines"),
        ("tws: {farm_outages: [{after_s: 5}]}\n", 1, "tws.farm_outages[0]"),
        ("name: [unclosed\n", 2, "-"),
    ])
    func badScenariosNameTheLineAndField(text: String, line: Int, field: String) {
        do {
            _ = try ScenarioLoader.parse(text, file: "bad.yaml")
            Issue.record("accepted \(text)")
        } catch let e as DataFileError {
            #expect(e.file == "bad.yaml" && e.line == line && e.field == field, "\(e)")
        } catch { Issue.record("\(error)") }
    }
}
