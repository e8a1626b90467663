import Bus
import Foundation
import HTTPTypes
import Messages

/// The strategies' schedule and "run now", asked of the strategy host.
extension DashboardAPI {
    /// `{"strategy": "putseller", "force": false}`: the strategy's routine, now. Refused with 404
    /// for a strategy not enabled and 409 while the market is closed, unless forced.
    func runNow(_ strategy: Any, force: Any?) async throws -> JSONValue {
        guard let name = strategy as? String, !name.isEmpty else { throw Invalid(message: "strategy must be a plug-in name like putseller") }
        var forced = false
        if let force {
            guard let value = force as? Bool else { throw Invalid(message: "force must be true or false") }
            forced = value
        }
        var request = Volta_V1_StrategyRequest()
        request.trigger = .with {
            $0.strategy = name
            $0.force = forced
            $0.requestedBy = "dashboard"
        }
        let reply = try await bus.request(service: Topics.Service.strategy, request, as: Volta_V1_StrategyReply.self,
                                          timeout: timeout, retries: 2)
        switch reply.outcome {
        case "triggered":
            return .object([("strategy", .string(name)), ("outcome", .string(reply.outcome)), ("forced", .bool(forced)),
                            ("detail", .string(reply.detail))])
        case "unknown_strategy": throw Invalid(message: reply.detail, status: .notFound)
        case "market_closed": throw Invalid(message: reply.detail, status: .conflict)
        default: throw Invalid(message: "the strategy host answered '\(reply.outcome)': \(reply.detail)", status: .badGateway)
        }
    }

    /// The soonest scheduled trade (a put seller's routine, a timed entry), or nil when none is
    /// set or no strategy host answers within a second.
    func nextScheduledTrade() async -> Volta_V1_ScheduledTimer? {
        var request = Volta_V1_StrategyRequest()
        request.schedule = true
        guard let reply = try? await bus.request(service: Topics.Service.strategy, request, as: Volta_V1_StrategyReply.self,
                                                 timeout: .seconds(1), retries: 0) else { return nil }
        return reply.timers.first { $0.timerID.hasPrefix("routine-") || $0.timerID == "entry" }
    }
}
