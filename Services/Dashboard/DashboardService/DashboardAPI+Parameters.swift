import Bus
import Foundation
import HTTPTypes
import Hummingbird
import Messages

/// The strategies' parameters, as the strategy workers run them, and an operator's edits: the
/// worker that answers checks an edit like the configuration would (a bad value is refused,
/// naming the key) and publishes it to every worker; the recorder keeps who changed what, when.
extension DashboardAPI {
    func strategyParameters(_ r: Request) async throws -> JSONValue {
        _ = try parameters(r, allowed: [])
        var request = Volta_V1_StrategyRequest()
        request.parameters = true
        async let reply = bus.request(service: Topics.Service.strategy, request, as: Volta_V1_StrategyReply.self, timeout: timeout, retries: 1)
        async let changes = query("parameter_changes", [:], limit: 50)
        return .object([
            ("parameters", .array(try await reply.parameters.map { p in
                .object([("strategy", .string(p.strategy)), ("key", .string(p.key)), ("value", .string(p.value)),
                         ("default", .string(p.defaultValue)), ("accepted", .string(p.accepted)), ("help", .string(p.help)),
                         ("origin", .string(p.origin)), ("editable", .bool(p.editable))])
            })),
            ("changes", .array(try await changes.jsonRows)),
        ])
    }

    /// `{"key": "strategy.putseller.target_delta", "value": "-0.20", "who": "alice"}`, or
    /// `{"key": …, "reset": true}` to go back to the configured value.
    func editParameter(_ r: Request) async throws -> JSONValue {
        let body = try await jsonObject(r)
        guard let key = body["key"] as? String, !key.isEmpty else {
            throw Invalid(message: "the body needs 'key': a strategy parameter like strategy.putseller.target_delta (GET /api/strategies/parameters)")
        }
        var change = Volta_V1_ParameterChange()
        change.key = key
        if let reset = body["reset"] {
            guard let flag = reset as? Bool else { throw Invalid(message: "reset must be true or false") }
            change.reset = flag
        }
        if !change.reset {
            switch body["value"].map(JSONValue.init(any:)) {
            case .string(let text)?: change.value = text
            case .bool(let flag)?: change.value = flag ? "true" : "false"
            case .integer(let n)?: change.value = "\(n)"
            case .number(let x)?: change.value = "\(x)"
            default: throw Invalid(message: "the body needs 'value' for \(key) (text, a number or true/false), or 'reset': true")
            }
        }
        if let who = body["who"] {
            guard let name = who as? String, name.count <= 64 else { throw Invalid(message: "who must be a name of at most 64 characters") }
            change.who = name
        }
        if change.who.isEmpty { change.who = "dashboard" }
        var request = Volta_V1_StrategyRequest()
        request.setParameter = change
        let reply = try await bus.request(service: Topics.Service.strategy, request, as: Volta_V1_StrategyReply.self, timeout: timeout, retries: 1)
        switch reply.outcome {
        case "applied":
            let c = reply.change
            return .object([("key", .string(c.key)), ("value", c.reset ? .null : .string(c.value)), ("previous", .string(c.previous)),
                            ("strategy", .string(c.strategy)), ("who", .string(c.who)), ("at_ns", .integer(c.atNs)), ("detail", .string(reply.detail))])
        case "invalid": throw Invalid(message: reply.detail)
        case "not_editable": throw Invalid(message: reply.detail, status: .conflict)
        case "unavailable": throw Invalid(message: reply.detail, status: .serviceUnavailable)
        default: throw Invalid(message: "the strategy host answered '\(reply.outcome)': \(reply.detail)", status: .badGateway)
        }
    }
}
