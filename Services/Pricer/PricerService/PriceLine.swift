import Foundation
import Quant

/// `pricer price`: one JSON line in, one JSON line out, in order; a bad line gets an error line
/// of its own and never stops the batch.
public enum PriceLine {
    /// The models this build prices; the others of the contract answer with an error line.
    public static let models = ["bs", "black76", "baw", "bjs2002", "bjs1993", "crr", "lr", "merton", "heston"]

    public static func evaluate(_ line: String) -> String {
        guard let data = line.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data), let json = object as? [String: Any] else {
            return "{\"id\":null,\"error\":\"not a JSON object\"}"
        }
        let id = encodeID(json["id"])
        do {
            let request = try PriceRequest(json: json, raw: data)
            switch request.operation {
            case .price: return output(id, try price(request))
            case .iv: return "{\"id\":\(id),\"iv\":\(try impliedVolatility(request))}"
            }
        } catch {
            return "{\"id\":\(id),\"error\":\(quote("\(error)"))}"
        }
    }

    static func price(_ request: PriceRequest) throws -> Greeks {
        if let model = PricingModel(rawValue: request.model) { return try model.greeks(request.inputs()) }
        switch request.model {
        case "black76":
            let o = try request.inputs()
            return try BlackScholes.black76(o.kind, forward: o.spot, strike: o.strike, time: o.time, rate: o.rate, volatility: o.volatility)
        case "bjs1993": return try BjerksundStensland.greeks(request.inputs(), version: .version1993)
        case "crr", "lr":
            return try BinomialTree.greeks(request.inputs(), steps: request.count("steps", default: 1001),
                                           method: BinomialTree.Method(rawValue: request.model)!, dividends: request.dividends)
        case "merton": return try MertonJumpDiffusion.greeks(request.inputs(), jumps: request.jumps())
        case "heston": return try Heston.greeks(request.inputs(volatility: 1), parameters: request.heston())
        case let model: throw unavailable(model)
        }
    }

    static func impliedVolatility(_ request: PriceRequest) throws -> Double {
        let target = try request.number("price")
        let o = try request.inputs(volatility: 1)
        if let model = PricingModel(rawValue: request.model) { return try model.impliedVolatility(price: target, o) }
        switch request.model {
        case "black76": return try ImpliedVolatility.black76(o.kind, price: target, forward: o.spot, strike: o.strike, time: o.time, rate: o.rate)
        case "bjs1993": return try AmericanImpliedVolatility.solve(price: target, o) { try BjerksundStensland.price($0, version: .version1993) }
        case "crr", "lr":
            let steps = try request.count("steps", default: 1001), method = BinomialTree.Method(rawValue: request.model)!
            return try AmericanImpliedVolatility.solve(price: target, o) {
                try BinomialTree.price($0, steps: steps, method: method, dividends: request.dividends)
            }
        case "merton":
            let jumps = try request.jumps()
            return try AmericanImpliedVolatility.solve(price: target, o) { try MertonJumpDiffusion.price($0, jumps: jumps) }
        case "heston":
            throw PriceLineError("op 'iv' under heston has no volatility to solve for (its variance is the v0, kappa, theta, xi, rho fields); ask for the Black-Scholes IV of the Heston price with model 'bs'")
        case let model: throw unavailable(model)
        }
    }

    static func unavailable(_ model: String) -> PriceLineError {
        PriceLineError("model '\(model)' is not available in this build; available: \(models.joined(separator: ", "))")
    }

    static func output(_ id: String, _ g: Greeks) -> String {
        guard [g.price, g.delta, g.gamma, g.vega, g.theta, g.rho].allSatisfy(\.isFinite) else {
            return "{\"id\":\(id),\"error\":\(quote("the model produced a non-finite value for these inputs: \(g)"))}"
        }
        return "{\"id\":\(id),\"price\":\(g.price),\"delta\":\(g.delta),\"gamma\":\(g.gamma),\"vega\":\(g.vega),\"theta\":\(g.theta),\"rho\":\(g.rho)}"
    }

    /// The request's id as JSON, whatever its type; `null` when absent.
    static func encodeID(_ id: Any?) -> String {
        guard let id, let data = try? JSONSerialization.data(withJSONObject: [id], options: [.fragmentsAllowed]),
              let text = String(data: data, encoding: .utf8) else { return "null" }
        return String(text.dropFirst().dropLast())
    }

    static func quote(_ s: String) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: [s]), let text = String(data: data, encoding: .utf8) else { return "\"\"" }
        return String(text.dropFirst().dropLast())
    }
}
