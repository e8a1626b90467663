import Foundation
import Quant

/// `pricer price`: one JSON line in, one JSON line out, in order; a bad line gets an error line
/// of its own and never stops the batch.
public enum PriceLine {
    /// The models this build prices; the others of the contract answer with an error line.
    public static let models = ["bs", "black76"]

    public static func evaluate(_ line: String) -> String {
        guard let data = line.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data), let json = object as? [String: Any] else {
            return "{\"id\":null,\"error\":\"not a JSON object\"}"
        }
        let id = encodeID(json["id"])
        do {
            let request = try PriceRequest(json: json, raw: data)
            switch (request.operation, request.model) {
            case (.price, "bs"):
                return output(id, try BlackScholes.greeks(request.kind, spot: request.number("S"), strike: request.number("K"),
                                                          time: request.number("T"), rate: request.number("r", default: 0),
                                                          dividend: request.number("q", default: 0), volatility: request.number("sigma")))
            case (.price, "black76"):
                return output(id, try BlackScholes.black76(request.kind, forward: request.number("S"), strike: request.number("K"),
                                                           time: request.number("T"), rate: request.number("r", default: 0),
                                                           volatility: request.number("sigma")))
            case (.iv, "bs"):
                let iv = try ImpliedVolatility.bsm(request.kind, price: request.number("price"), spot: request.number("S"),
                                                   strike: request.number("K"), time: request.number("T"),
                                                   rate: request.number("r", default: 0), dividend: request.number("q", default: 0))
                return "{\"id\":\(id),\"iv\":\(iv)}"
            case (.iv, "black76"):
                let iv = try ImpliedVolatility.black76(request.kind, price: request.number("price"), forward: request.number("S"),
                                                       strike: request.number("K"), time: request.number("T"),
                                                       rate: request.number("r", default: 0))
                return "{\"id\":\(id),\"iv\":\(iv)}"
            case (_, let model):
                throw PriceLineError("model '\(model)' is not available in this build; available: \(models.joined(separator: ", "))")
            }
        } catch {
            return "{\"id\":\(id),\"error\":\(quote("\(error)"))}"
        }
    }

    static func output(_ id: String, _ g: Greeks) -> String {
        "{\"id\":\(id),\"price\":\(g.price),\"delta\":\(g.delta),\"gamma\":\(g.gamma),\"vega\":\(g.vega),\"theta\":\(g.theta),\"rho\":\(g.rho)}"
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
