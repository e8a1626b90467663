import Foundation
import Yams

/// Reads scenario YAML by walking the parsed nodes, so every refusal names the file, the line
/// and the field, and a misspelt key is an error instead of a silently ignored default.
public enum ScenarioLoader {
    public static func load(_ path: String) throws -> Scenario {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw DataFileError(file: path, line: 0, field: "-", message: "cannot read the file")
        }
        var scenario = try parse(text, file: path)
        scenario.folder = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        return scenario
    }

    public static func parse(_ text: String, file: String) throws -> Scenario {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { return Scenario() }
            root = node
        } catch let error as YamlError {
            throw DataFileError(file: file, line: Self.line(of: error), field: "-", message: "not YAML: \(error)")
        }
        let r = NodeReader(file: file)
        var s = Scenario()
        let top = try r.mapping(root, "scenario", allowed: ["name", "seed", "start", "speed", "latency_ms", "hours", "market", "account", "replay", "events",
                                                                  "inside_fill_rate", "tws"])
        if let n = top["name"] { s.name = try r.string(n, "name") }
        if let n = top["seed"] { s.market.seed = UInt64(try r.integer(n, "seed", min: 0)) }
        if let n = top["speed"] { s.speed = try r.number(n, "speed", in: 0.001...100_000) }
        if let n = top["latency_ms"] { s.latencyMs = try r.number(n, "latency_ms", in: 0...60_000) }
        if let n = top["inside_fill_rate"] { s.fills.insideFillRate = try r.number(n, "inside_fill_rate", in: 0...100) }
        if let n = top["hours"] {
            guard let h = MarketParameters.Hours(rawValue: try r.string(n, "hours")) else { throw r.error(n, "hours", "must be always or nyse") }
            s.market.hours = h
        }
        if let n = top["start"] { s.start = try r.instant(n, "start") }
        if let n = top["market"] { try readMarket(n, into: &s.market, r) }
        if let n = top["account"] { s.account = try readAccount(n, r) }
        if let n = top["replay"] {
            for (symbol, file) in try r.mapping(n, "replay", allowed: nil) { s.replay[symbol] = try r.string(file, "replay.\(symbol)") }
        }
        if let n = top["tws"] {
            let map = try r.mapping(n, "tws", allowed: ["max_market_data_lines", "no_permission", "max_messages_per_second",
                                                           "historical_pacing", "farm_outages"])
            if let v = map["max_market_data_lines"] { s.tws.maxMarketDataLines = try r.integer(v, "tws.max_market_data_lines", min: 0) }
            if let v = map["no_permission"] {
                s.tws.noPermission = Set(try r.sequence(v, "tws.no_permission").enumerated().map { try r.string($1, "tws.no_permission[\($0)]") })
            }
            if let v = map["max_messages_per_second"] { s.tws.maxMessagesPerSecond = try r.integer(v, "tws.max_messages_per_second", min: 0) }
            if let v = map["historical_pacing"] { s.tws.historicalPacing = try r.bool(v, "tws.historical_pacing") }
            if let v = map["farm_outages"] {
                s.tws.farmOutages = try r.sequence(v, "tws.farm_outages").enumerated().map { i, node in
                    let field = "tws.farm_outages[\(i)]"
                    let o = try r.mapping(node, field, allowed: ["after_s", "for_s"])
                    guard let after = o["after_s"], let length = o["for_s"] else { throw r.error(node, field, "needs after_s and for_s") }
                    return FarmOutage(afterSeconds: try r.number(after, field + ".after_s", in: 0...1e7),
                                      seconds: try r.number(length, field + ".for_s", in: 0...1e7))
                }
            }
        }
        if let n = top["events"] {
            s.events = try r.sequence(n, "events").enumerated().map { try readEvent($1, index: $0, r) }
        }
        return s
    }

    static func readMarket(_ node: Node, into m: inout MarketParameters, _ r: NodeReader) throws {
        let map = try r.mapping(node, "market", allowed: ["index", "underlyings", "only", "step_seconds", "weeklies", "monthlies",
                                                               "strikes_each_side", "far_strikes_each_side", "option_symbols"])
        if let n = map["step_seconds"] { m.stepSeconds = try r.number(n, "market.step_seconds", in: 0.001...3600) }
        if let n = map["weeklies"] { m.listing.weeklies = try r.integer(n, "market.weeklies", min: 0) }
        if let n = map["monthlies"] { m.listing.monthlies = try r.integer(n, "market.monthlies", min: 0) }
        if let n = map["strikes_each_side"] { m.listing.strikesEachSide = try r.integer(n, "market.strikes_each_side", min: 1) }
        if let n = map["far_strikes_each_side"] { m.listing.farStrikesEachSide = try r.integer(n, "market.far_strikes_each_side", min: 0) }
        if let n = map["option_symbols"] {
            m.listing.symbols = Set(try r.sequence(n, "market.option_symbols").enumerated().map { try r.string($1, "market.option_symbols[\($0)]") })
        }
        if let n = map["index"] {
            let fields: [String: (WritableKeyPath<IndexParameters, Double>, ClosedRange<Double>)] = [
                "price": (\.price, 0.01...1e9), "variance": (\.variance, 0...4), "kappa": (\.kappa, 0...100),
                "theta": (\.theta, 0...4), "vol_of_variance": (\.volOfVariance, 0...10), "rho": (\.rho, -1...1),
                "jumps_per_year": (\.jumpsPerYear, 0...1000), "jump_mean": (\.jumpMean, -1...1), "jump_stddev": (\.jumpStdDev, 0...1),
                "rate": (\.rate, -0.1...0.5), "dividend_yield": (\.dividendYield, 0...0.5)]
            let index = try r.mapping(n, "market.index", allowed: Set(fields.keys).union(["symbol"]))
            for (key, value) in index {
                if key == "symbol" { m.index.symbol = try r.string(value, "market.index.symbol"); continue }
                let (path, range) = fields[key]!
                m.index[keyPath: path] = try r.number(value, "market.index.\(key)", in: range)
            }
        }
        if let n = map["underlyings"] {
            var list = m.underlyings
            for (i, item) in try r.sequence(n, "market.underlyings").enumerated() {
                let field = "market.underlyings[\(i)]"
                let u = try r.mapping(item, field, allowed: ["symbol", "price", "beta", "idiosyncratic_vol", "dividend_yield", "kind"])
                guard let symbolNode = u["symbol"] else { throw r.error(item, "\(field).symbol", "is required") }
                let symbol = try r.string(symbolNode, "\(field).symbol")
                var p = list.first { $0.symbol == symbol } ?? UnderlyingParameters(symbol: symbol, price: 100, beta: 1, idiosyncraticVol: 0.2)
                if let v = u["price"] { p.price = try r.number(v, "\(field).price", in: 0.01...1e9) }
                if let v = u["beta"] { p.beta = try r.number(v, "\(field).beta", in: -5...10) }
                if let v = u["idiosyncratic_vol"] { p.idiosyncraticVol = try r.number(v, "\(field).idiosyncratic_vol", in: 0...5) }
                if let v = u["dividend_yield"] { p.dividendYield = try r.number(v, "\(field).dividend_yield", in: 0...0.5) }
                if let v = u["kind"] {
                    guard let k = UnderlyingParameters.Kind(rawValue: try r.string(v, "\(field).kind")) else {
                        throw r.error(v, "\(field).kind", "must be etf or stock")
                    }
                    p.kind = k
                }
                list.removeAll { $0.symbol == symbol }
                list.append(p)
            }
            m.underlyings = list
        }
        // `only: [SPY]`: a smaller universe, for tests and demos that need one underlying.
        if let n = map["only"] {
            let keep = try r.sequence(n, "market.only").enumerated().map { try r.string($1, "market.only[\($0)]") }
            for symbol in keep where !m.underlyings.contains(where: { $0.symbol == symbol }) {
                throw r.error(n, "market.only", "names \(symbol), which is not an underlying of this market")
            }
            m.underlyings.removeAll { !keep.contains($0.symbol) }
        }
    }

    static func readAccount(_ node: Node, _ r: NodeReader) throws -> SimAccount {
        let map = try r.mapping(node, "account", allowed: ["id", "cash", "positions"])
        var account = SimAccount(id: try map["id"].map { try r.string($0, "account.id") } ?? "SIM",
                                 cashMicros: try map["cash"].map { try r.money($0, "account.cash") } ?? 1_000_000_000_000)
        for (i, item) in try map["positions"].map({ try r.sequence($0, "account.positions") })?.enumerated() ?? [].enumerated() {
            let field = "account.positions[\(i)]"
            let p = try r.mapping(item, field, allowed: ["symbol", "option", "quantity", "price"])
            let instrument: InstrumentKey
            if let o = p["option"] {
                guard let key = OptionKey(try r.string(o, "\(field).option")) else {
                    throw r.error(o, "\(field).option", "must read like 'SPY 2026-12-18 P 550'")
                }
                instrument = .option(key)
            } else if let s = p["symbol"] {
                instrument = .underlying(try r.string(s, "\(field).symbol"))
            } else { throw r.error(item, field, "needs a symbol or an option") }
            guard let q = p["quantity"], let price = p["price"] else { throw r.error(item, field, "needs a quantity and a price") }
            let quantity = try r.integer(q, "\(field).quantity", min: Int.min)
            guard quantity != 0 else { throw r.error(q, "\(field).quantity", "must not be zero") }
            account.seed(instrument, quantity: Int64(quantity), priceMicros: try r.money(price, "\(field).price"))
        }
        return account
    }

    static func readEvent(_ node: Node, index: Int, _ r: NodeReader) throws -> MarketEvent {
        let field = "events[\(index)]"
        let faults = QuoteFault.allCases.map(\.rawValue)
        let e = try r.mapping(node, field, allowed: Set(["at", "move", "by", "over", "vix", "for", "scope"] + faults))
        guard let at = e["at"] else { throw r.error(node, "\(field).at", "is required") }
        let seconds = try r.duration(at, "\(field).at")
        let over = try e["over"].map { try r.duration($0, "\(field).over") } ?? 0
        if let m = e["move"] {
            guard let by = e["by"] else { throw r.error(node, "\(field).by", "a move needs 'by' (e.g. -3%)") }
            let fraction = try r.percent(by, "\(field).by")
            return MarketEvent(atSeconds: seconds, action: .move(symbol: try r.string(m, "\(field).move"), fraction: fraction, seconds: over))
        }
        if let v = e["vix"] {
            return MarketEvent(atSeconds: seconds, action: .vix(level: try r.number(v, "\(field).vix", in: 1...200), seconds: over))
        }
        for kind in QuoteFault.allCases {
            guard let s = e[kind.rawValue] else { continue }
            guard let d = e["for"] else { throw r.error(node, "\(field).for", "a fault needs 'for' (e.g. 5m)") }
            let scopeText = try e["scope"].map { try r.string($0, "\(field).scope") } ?? "all"
            guard let scope = FaultScope(rawValue: scopeText) else { throw r.error(e["scope"]!, "\(field).scope", "must be options, underlying or all") }
            return MarketEvent(atSeconds: seconds, action: .fault(symbol: try r.string(s, "\(field).\(kind.rawValue)"), kind: kind,
                                                                  scope: scope, seconds: try r.duration(d, "\(field).for")))
        }
        throw r.error(node, field, "needs one of move, vix, \(faults.joined(separator: ", "))")
    }

    static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return 0
        }
    }
}
