import Bus
import Foundation
import Messages
import RiskService
import Testing
import Trading

/// Confirm and window modes from the operator's side: the real risk service holds intents, the
/// dashboard lists them with what they would do, and Confirm, Veto and the mode act through it.
@Suite("Confirm flow", .serialized, .timeLimit(.minutes(2)))
struct ConfirmFlowTests {
    /// Risk in confirm mode on a $100k account with SPY at 600; a window is 30 s.
    static func book() -> RiskBook {
        var b = RiskBook(limits: RiskLimits(), mode: .confirm, windowNs: 30_000_000_000)
        b.apply(Volta_V1_AccountValue.with { $0.key = "NetLiquidation"; $0.valueMicros = 100_000_000_000 }, now: 0)
        b.price("SPY", 600)
        return b
    }

    static func intent(_ id: String) -> Volta_V1_OrderIntent {
        .with {
            $0.intentID = id
            $0.strategy = "manual"
            $0.purpose = .open
            $0.quantity = 10
            $0.orderType = .limit
            $0.limitPriceMicros = 600_050_000
            $0.algo = "adaptive"
            $0.algoPriority = "normal"
            $0.reason = "test"
            $0.legs = [.with { $0.instrument.symbol = "SPY"; $0.side = .buy; $0.ratio = 1 }]
        }
    }

    /// What execution does: asks risk about the intent.
    static func check(_ bus: Bus, _ id: String) async throws -> Volta_V1_RiskDecision {
        var request = Volta_V1_RiskRequest()
        request.check = intent(id)
        return try await bus.request(service: Topics.Service.risk, request, as: Volta_V1_RiskReply.self, timeout: .seconds(5), retries: 1).decision
    }

    static func pending(_ h: DashboardHarness) async throws -> [[String: Any]] {
        try await h.get("/api/intents/pending").object["pending"] as? [[String: Any]] ?? []
    }

    @Test func anIntentWaitsOnThePageUntilConfirmedOrVetoed() async throws {
        let h = try DashboardHarness(riskBook: Self.book())
        try await h.start()
        defer { Task { await h.stop() } }
        let execution = h.connect("execution-test")

        #expect(try await Self.check(execution, "intent-a").verdict == .riskPendingConfirmation)
        #expect(try await Self.check(execution, "intent-b").verdict == .riskPendingConfirmation)
        try await DashboardAPITests.wait { try await Self.pending(h).count == 2 }
        let first = try #require(try await Self.pending(h).first)
        #expect(first["intent_id"] as? String == "intent-a" && first["strategy"] as? String == "manual")
        #expect(first["summary"] as? String == "BUY 10 SPY LIMIT 600.05 adaptive normal", "\(first)")
        #expect(first["release_at_ns"] is NSNull, "confirm mode has no countdown: \(first)")

        // Refusals name what is wrong, and writes need the token.
        #expect(try await h.post("/api/intents/confirm", "{}").status == 400)
        let unknown = try await h.post("/api/intents/confirm", #"{"intent_id":"never-seen"}"#)
        #expect(unknown.status == 404 && unknown.error.contains("never-seen"), "\(unknown.text)")
        #expect(try await h.post("/api/intents/veto", #"{"intent_id":"intent-b"}"#, token: nil).status == 401)

        // Confirm goes out at risk's next check; a veto is final.
        let confirmed = try await h.post("/api/intents/confirm", #"{"intent_id":"intent-a"}"#)
        #expect(confirmed.status == 200 && confirmed.object["action"] as? String == "confirmed", "\(confirmed.text)")
        #expect(try await Self.check(execution, "intent-a").verdict == .riskApproved)
        let vetoed = try await h.post("/api/intents/veto", #"{"intent_id":"intent-b"}"#)
        #expect(vetoed.status == 200 && vetoed.object["reason_code"] as? String == RiskReason.vetoed.rawValue, "\(vetoed.text)")
        let after = try await Self.check(execution, "intent-b")
        #expect(after.verdict == .riskRejected && after.reasonCode == RiskReason.vetoed.rawValue)
        try await DashboardAPITests.wait { try await Self.pending(h).isEmpty }
        #expect(try await h.post("/api/intents/confirm", #"{"intent_id":"intent-a"}"#).status == 404, "decided already")

        // Window mode: the intent shows when it goes out.
        #expect(try await h.post("/api/mode", #"{"mode":"sometimes"}"#).status == 400)
        let mode = try await h.post("/api/mode", #"{"mode":"window"}"#)
        #expect(mode.status == 200 && mode.object["mode"] as? String == "window", "\(mode.text)")
        let held = try await Self.check(execution, "intent-c")
        #expect(held.verdict == .riskPendingConfirmation && held.releaseAtNs > 0)
        try await DashboardAPITests.wait { try await Self.pending(h).first?["release_at_ns"] as? Int64 == held.releaseAtNs }
        let page = try await h.get("/api/intents/pending").object
        #expect(page["mode"] as? String == "window" && (page["now_ns"] as? Int64 ?? .max) < held.releaseAtNs)
    }
}
