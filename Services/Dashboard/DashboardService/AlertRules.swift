import Foundation
import Messages

/// One thing an operator should hear about, for every sink (the log, the page, a webhook).
public struct OperatorAlert: Sendable, Equatable {
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case info, warning, critical
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        public var name: String { ["info", "warning", "critical"][rawValue] }
        public init?(name: String) {
            guard let l = Level.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
            self = l
        }
    }

    public let kind: String
    public let level: Level
    public let text: String
    public let timeNs: Int64

    var json: JSONValue {
        .object([("kind", .string(kind)), ("level", .string(level.name)), ("text", .string(text)), ("time_ns", .integer(timeNs))])
    }
}

/// Which bus events become alerts, and when: fills, risk's rejections, a strategy's own alerts (a
/// stop fired, a day skipped), the kill switch changing, a risk limit reaching 80% of its
/// allowance (once per crossing), a gateway that stops heartbeating. Pure but for the memory of
/// what was last seen, so each transition is said once.
struct AlertRules: Sendable {
    static let limitWarning = 0.8
    var killSwitch: String?
    var limitsOver: Set<String> = []
    var gatewaysAlive: Set<String> = []
    var gatewaysSeen: Set<String> = []
    /// Each gateway's broker connection as last heard.
    var brokerConnected: [String: Bool] = [:]
    /// Per gateway, whether instruments were left without market data lines when last heard.
    var linesShort: [String: Bool] = [:]
    /// What each gateway's broker last said was broken behind its connection ("" when nothing).
    var degraded: [String: String] = [:]
    /// Held positions by account and instrument, and since when each has been held.
    var held: [String: (position: Volta_V1_Position, since: Int64)] = [:]
    /// Underlyings of held positions said to have no quote.
    var unquotedUnderlyings: Set<String> = []

    func fill(_ f: Volta_V1_Fill, now: Int64) -> OperatorAlert {
        let price = String(format: "%.2f", Double(f.priceMicros) / 1e6)
        return OperatorAlert(kind: "fill", level: .info, now: now,
                             "Filled: \(f.side == .sell ? "SELL" : "BUY") \(f.quantity) \(f.instrument.displayName) at \(price) (\(f.account))")
    }

    func decision(_ d: Volta_V1_RiskDecision, now: Int64) -> OperatorAlert? {
        guard d.verdict == .riskRejected else { return nil }
        return OperatorAlert(kind: "rejection", level: .warning, now: now, "Risk rejected \(d.intentID): \(d.reasonCode) \(d.detail)")
    }

    func strategy(_ a: Volta_V1_StrategyAlert, now: Int64) -> OperatorAlert {
        OperatorAlert(kind: "strategy", level: OperatorAlert.Level(name: a.level) ?? .info, now: now, "\(a.strategy): \(a.message)")
    }

    mutating func risk(_ s: Volta_V1_RiskState, now: Int64) -> [OperatorAlert] {
        var alerts: [OperatorAlert] = []
        if let before = killSwitch, before != s.killSwitch {
            alerts.append(OperatorAlert(kind: "kill_switch", level: s.killSwitch == "ACTIVE" ? .info : .critical, now: now,
                                        "Kill switch \(before) → \(s.killSwitch)"))
        }
        killSwitch = s.killSwitch
        for l in s.limits {
            guard let share = DashboardJSON.usedShare(l) else { continue }
            if share >= Self.limitWarning, limitsOver.insert(l.name).inserted {
                let what = DashboardJSON.isFloor(l) ? "\(l.used) against a floor of \(l.limit)" : "\(l.used) of \(l.limit)"
                alerts.append(OperatorAlert(kind: "risk_limit", level: .warning, now: now,
                                            "Risk limit \(l.name) at \(Int((share * 100).rounded()))%: \(what)"))
            } else if share < Self.limitWarning {
                limitsOver.remove(l.name)
            }
        }
        return alerts
    }

    /// A gateway's broker connection: a loss while the gateway lives is critical (a disconnect is
    /// not a rejection: orders stand at the broker, nothing new goes out); its return is info. The
    /// first state heard from a gateway is said only when it is not connected.
    mutating func broker(_ c: Volta_V1_BrokerConnection, now: Int64) -> [OperatorAlert] {
        var alerts: [OperatorAlert] = []
        let before = brokerConnected.updateValue(c.connected, forKey: c.instance)
        switch (before, c.connected) {
        case (true?, false), (nil, false):
            alerts.append(OperatorAlert(kind: "broker", level: .critical, now: now, "Gateway \(c.instance) (\(c.adapter)): \(c.detail)"))
        case (false?, true):
            alerts.append(OperatorAlert(kind: "broker", level: .info, now: now, "Gateway \(c.instance) (\(c.adapter)) reconnected to its broker"))
        default:
            break
        }
        // The market data allowance: said once when instruments go without a line, and when
        // every one has a line again.
        let short = !c.unquoted.isEmpty
        switch (linesShort.updateValue(short, forKey: c.instance) ?? false, short) {
        case (false, true):
            let named = c.unquoted.prefix(5).joined(separator: ", ") + (c.unquoted.count > 5 ? ", …" : "")
            alerts.append(OperatorAlert(kind: "market_data", level: .warning, now: now,
                                        "Gateway \(c.instance) (\(c.adapter)): market data lines exhausted (\(c.linesUsed) of \(c.linesMax) in use); "
                                        + "\(c.unquoted.count) instrument\(c.unquoted.count == 1 ? "" : "s") get no quotes: \(named)"))
        case (true, false):
            alerts.append(OperatorAlert(kind: "market_data", level: .info, now: now,
                                        "Gateway \(c.instance) (\(c.adapter)): every instrument wanted has a market data line again"))
        default:
            break
        }
        // Broken behind the connection (a farm down, TWS cut off from IB): a warning when it
        // starts or changes, info when it mends.
        let said = degraded.updateValue(c.degraded, forKey: c.instance) ?? ""
        if c.degraded != said {
            alerts.append(c.degraded.isEmpty
                ? OperatorAlert(kind: "broker_data", level: .info, now: now, "Gateway \(c.instance) (\(c.adapter)): the broker's data connections are back")
                : OperatorAlert(kind: "broker_data", level: .warning, now: now, "Gateway \(c.instance) (\(c.adapter)): \(c.degraded)"))
        }
        return alerts
    }

    /// A position heard: kept while it is not flat.
    mutating func position(_ p: Volta_V1_Position, now: Int64) -> [OperatorAlert] {
        let key = "\(p.account) \(p.instrument.displayName)"
        if p.quantity == 0 { held[key] = nil } else if held[key] == nil { held[key] = (p, now) } else { held[key]!.position = p }
        return []
    }

    static let quoteGraceNs: Int64 = 30_000_000_000

    /// Each held position's underlying has a live price: a position held 30 s whose underlying
    /// was never quoted, or whose quote marketdata marked stale (its rule, the one the stops
    /// use), is a warning naming it (its stop cannot be sized, its risk not marked); said once,
    /// and info when the price is back. `lastHeard` gives an underlying's latest quote time and
    /// whether it was stale, nil for never heard.
    mutating func underlyingQuotes(now: Int64, lastHeard: (String) -> (ns: Int64, stale: Bool)?) -> [OperatorAlert] {
        var missing: [String: [String]] = [:]
        for (_, h) in held where now - h.since >= Self.quoteGraceNs {
            let u = h.position.instrument.underlyingSymbol
            let heard = lastHeard(u)
            if heard == nil || heard!.stale { missing[u, default: []].append(h.position.instrument.displayName) }
        }
        var alerts: [OperatorAlert] = []
        for u in missing.keys.sorted() where unquotedUnderlyings.insert(u).inserted {
            let names = missing[u]!.sorted()
            alerts.append(OperatorAlert(kind: "no_quote", level: .warning, now: now,
                                        "No \(u) quote for \(names.count) position\(names.count == 1 ? "" : "s") (\(names.prefix(3).joined(separator: ", "))\(names.count > 3 ? ", …" : "")): "
                                        + "stops on it cannot be sized or fire, its risk is not marked"))
        }
        for u in unquotedUnderlyings.subtracting(missing.keys).sorted() {
            unquotedUnderlyings.remove(u)
            alerts.append(OperatorAlert(kind: "no_quote", level: .info, now: now, "\(u) is quoted again"))
        }
        return alerts
    }

    /// The gateways heartbeating now: one that was and is no longer is a disconnect.
    mutating func gateways(alive: Set<String>, now: Int64) -> [OperatorAlert] {
        defer {
            gatewaysAlive = alive
            gatewaysSeen.formUnion(alive)
        }
        let lost = gatewaysAlive.subtracting(alive).sorted().map {
            OperatorAlert(kind: "gateway", level: .critical, now: now, "Gateway \($0) stopped heartbeating: no broker connection")
        }
        let back = alive.subtracting(gatewaysAlive).intersection(gatewaysSeen).sorted().map {
            OperatorAlert(kind: "gateway", level: .info, now: now, "Gateway \($0) is back")
        }
        return lost + back
    }
}

extension OperatorAlert {
    init(kind: String, level: Level, now: Int64, _ text: String) {
        self.init(kind: kind, level: level, text: text, timeNs: now)
    }
}
