import Bus
import Foundation
import HTTPTypes
import Hummingbird
import Messages

/// The operator's part in confirm and window modes: what waits, Confirm, Veto, and the mode.
/// Each answer comes from risk itself (the worker that applied it broadcasts it to the others),
/// so the page never shows a confirmation that did not happen.
extension DashboardAPI {
    /// Intents risk holds, from its last published state: each with what it would do and, in
    /// window mode, when it goes out unless vetoed.
    func pendingIntents(_ r: Request) async throws -> JSONValue {
        _ = try parameters(r, allowed: [])
        guard let state = watch.risk else { throw Invalid(message: "no risk state heard yet: is the risk service running?", status: .serviceUnavailable) }
        return .object([("mode", .string(state.mode)), ("now_ns", .integer(bus.clock.now())),
                        ("pending", DashboardJSON.pending(state))])
    }

    /// `{"intent_id": "..."}` to confirm (`veto: false`) or veto it. 404 when risk holds no such
    /// intent (already decided, or never seen).
    func decide(_ r: Request, veto: Bool) async throws -> JSONValue {
        let body = try await jsonObject(r)
        guard let id = body["intent_id"] as? String, !id.isEmpty, id.count <= 200 else {
            throw Invalid(message: "the body needs 'intent_id': the id of an intent risk holds (GET /api/intents/pending)")
        }
        var request = Volta_V1_RiskRequest()
        if veto { request.vetoIntentID = id } else { request.confirmIntentID = id }
        let reply: Volta_V1_RiskReply
        do {
            reply = try await bus.request(service: Topics.Service.risk, request, as: Volta_V1_RiskReply.self, timeout: timeout, retries: 1)
        } catch BusError.remote(_, .badRequest, let message) {
            throw Invalid(message: message, status: .notFound)
        }
        let d = reply.decision
        return .object([("intent_id", .string(id)), ("action", .string(veto ? "vetoed" : "confirmed")),
                        ("verdict", .string(veto ? "rejected" : "approved at its next check")),
                        ("reason_code", .string(d.reasonCode)), ("detail", .string(d.detail))])
    }

    /// `{"mode": "confirm" | "window" | "auto"}`.
    func setMode(_ r: Request) async throws -> JSONValue {
        let body = try await jsonObject(r)
        guard let mode = (body["mode"] as? String)?.lowercased(), ["confirm", "window", "auto"].contains(mode) else {
            throw Invalid(message: "mode must be confirm, window or auto")
        }
        var request = Volta_V1_RiskRequest()
        request.setMode = mode
        let reply = try await bus.request(service: Topics.Service.risk, request, as: Volta_V1_RiskReply.self, timeout: timeout, retries: 1)
        watch.adopt(reply.state)
        return DashboardJSON.riskSummary(reply.state)
    }
}
