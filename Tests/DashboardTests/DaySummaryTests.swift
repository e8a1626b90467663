import Bus
@testable import DashboardService
import Foundation
import Market
import Messages
import Testing

/// The end-of-day summary: which session it is about, what it says from worked inputs, and that
/// the dashboard makes it after the close on its own, keeps it through the recorder and sends it
/// to the alert sinks.
@Suite("End-of-day summary", .serialized, .timeLimit(.minutes(2)))
struct DaySummaryTests {
    static func ns(_ date: String, _ hour: Int, _ minute: Int) -> Int64 { NewYorkTime.instant(CivilDate(date)!, minute: hour * 60 + minute) }

    @Test func theSessionIsTheLastClosedAndTheNextIsTheNextClose() {
        // Friday 2026-11-20 15:59: the last close is Thursday's, the next Friday's at 16:00.
        #expect(DaySummary.Day.last(atOrBefore: Self.ns("2026-11-20", 15, 59)).date.description == "2026-11-19")
        #expect(DaySummary.Day.next(after: Self.ns("2026-11-20", 15, 59)).closeNs == Self.ns("2026-11-20", 16, 0))
        // After Friday's close, over the weekend: Friday is the last, Monday the next.
        #expect(DaySummary.Day.last(atOrBefore: Self.ns("2026-11-22", 12, 0)).date.description == "2026-11-20")
        #expect(DaySummary.Day.next(after: Self.ns("2026-11-20", 16, 0)).date.description == "2026-11-23")
        // The day after Thanksgiving closes at 13:00; Thanksgiving has no session.
        #expect(DaySummary.Day.next(after: Self.ns("2026-11-26", 9, 0)).closeNs == Self.ns("2026-11-27", 13, 0))
    }

    @Test func itSaysTheDaysPnLTradesPositionsRiskAndAlerts() {
        let day = DaySummary.Day(NYSECalendar().session(on: CivilDate("2026-11-20")!)!)
        let t = Self.ns("2026-11-20", 11, 0)
        var s = DaySummary(day: day)
        s.trades = [
            .object([("instrument", .string("SPY 2026-12-18 P 580")), ("entry_ns", .integer(t - 86_400_000_000_000)), ("exit_ns", .integer(t)),
                     ("realized_pnl", .number(198.7))]),
            .object([("instrument", .string("SPY 2026-12-18 P 570")), ("entry_ns", .integer(t)), ("exit_ns", .integer(t + 3_600_000_000_000)),
                     ("realized_pnl", .number(-50))]),
            .object([("instrument", .string("SPY 2026-12-18 C 600")), ("entry_ns", .integer(t)), ("exit_ns", .null), ("realized_pnl", .null)]),
        ]
        s.accounts = [.object([("realized_today", .number(148.7)), ("unrealized", .number(-20))])]
        s.positions = [.object([("instrument", .string("SPY 2026-12-18 C 600")), ("quantity", .integer(2)), ("multiplier", .integer(100)),
                                ("unrealized_pnl", .number(-20)), ("delta", .number(0.5)), ("theta_per_day", .number(-0.1)),
                                ("vega_per_point", .number(0.2))])]
        s.risk = .with {
            $0.dayPnl = 128.7
            $0.netLiquidation = 100_128.7
            $0.killSwitch = "ACTIVE"
            $0.limits = [.with { $0.name = "MAX_GROSS_EXPOSURE"; $0.used = 90_000; $0.limit = 200_000 },
                         .with { $0.name = "MIN_ACCOUNT_BALANCE"; $0.used = 100_128.7; $0.limit = 25_000 },
                         .with { $0.name = "MAX_DAILY_LOSS"; $0.used = 0; $0.limit = 5_000 }]
        }
        s.alerts = [OperatorAlert(kind: "fill", level: .info, text: "f", timeNs: t), OperatorAlert(kind: "fill", level: .info, text: "f", timeNs: t),
                    OperatorAlert(kind: "strategy", level: .warning, text: "w", timeNs: t),
                    OperatorAlert(kind: "fill", level: .info, text: "yesterday", timeNs: t - 86_400_000_000_000)]
        #expect(s.text == """
            Volta end of day, 2026-11-20
            P&L: day +$128.70 (realized today +$148.70, unrealized −$20.00); net liquidation $100128.70
            Trades: 2 closed (1 won, +$148.70), 2 opened
            Positions (1): SPY 2026-12-18 C 600 ×2 −$20.00 Δ 0.50 θ -0.10/day
            Risk: MAX_GROSS_EXPOSURE 45%, MIN_ACCOUNT_BALANCE 25%, MAX_DAILY_LOSS 0%; kill switch ACTIVE
            Alerts: 3 (2 info, 1 warning, 0 critical)
            """)
        #expect(s.json["greeks"]?["delta"]?.double == 100, "0.5 × 2 × 100 shares")
    }

    /// On a manual clock: the session closes, five minutes later the summary is made, the page's
    /// alerts show it, and the recorder keeps it; an operator can ask for a past session's too.
    @Test func theDashboardMakesItAfterTheCloseAndTheRecorderKeepsIt() async throws {
        let clock = ManualClock(start: Self.ns("2026-11-20", 15, 58))
        let h = try DashboardHarness(clock: clock)
        try await h.start()
        defer { Task { await h.stop() } }
        try await Task.sleep(for: .milliseconds(100))
        let expected = DashboardSeed.publish(on: h.client)
        try await DashboardAPITests.wait { h.recorder.committed.load(ordering: .relaxed) >= expected }

        func alerts() async throws -> [[String: Any]] { try await h.get("/api/alerts").object["alerts"] as? [[String: Any]] ?? [] }
        #expect(try await alerts().allSatisfy { $0["kind"] as? String != "summary" })
        // 16:05 and a little: the loop sleeps on the bus clock.
        for _ in 0..<8 { clock.advance(by: .seconds(60)); try await Task.sleep(for: .milliseconds(20)) }
        try await DashboardAPITests.wait { try await alerts().contains { $0["kind"] as? String == "summary" } }
        let text = try #require(try await alerts().first { $0["kind"] as? String == "summary" }?["text"] as? String)
        #expect(text.hasPrefix("Volta end of day, 2026-11-20\n") && text.contains("Trades: 1 closed (1 won") && text.contains("2 opened")
                && text.contains("Positions (1): SPY 2026-12-18 C 600 ×2"), "\(text)")
        try await DashboardAPITests.wait {
            let kept = try await h.get("/api/summary/day?date=2026-11-20").object["summaries"] as? [[String: Any]] ?? []
            return ((kept.first?["summary"] as? [String: Any])?["trades"] as? [String: Any])?["closed"] as? Int == 1
        }

        // Asked for: a past session now; refusals name the problem.
        let asked = try await h.post("/api/summary/day", #"{"date":"2026-11-19"}"#)
        #expect(asked.status == 200 && (asked.object["text"] as? String)?.hasPrefix("Volta end of day, 2026-11-19") == true, "\(asked.text)")
        #expect(try await h.post("/api/summary/day", #"{"date":"2026-11-21"}"#).status == 400, "a Saturday has no session")
        #expect(try await h.post("/api/summary/day", #"{"date":"2026-11-23"}"#).status == 409, "not closed yet")
        #expect(try await h.get("/api/summary/day?date=20261120").status == 400)
    }
}
