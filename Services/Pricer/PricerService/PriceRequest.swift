import Foundation
import Quant

/// One line of `pricer price`'s input, parsed and checked: the contract that lets anyone compare
/// Volta with another library. Field names are those of the command-line contract.
struct PriceRequest {
    enum Operation: String { case price, iv }

    let id: Any?
    let operation: Operation
    let model: String
    let kind: OptionKind
    let fields: [String: Double]
    let dividends: [CashDividend]

    /// A JSON value as far as the contract cares: `JSONDecoder` tells `true` from `1`, which
    /// `JSONSerialization` on Linux does not.
    enum Field: Decodable {
        case number(Double)
        case other

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if (try? c.decode(Bool.self)) != nil { self = .other } else if let d = try? c.decode(Double.self) { self = .number(d) } else { self = .other }
        }
    }

    /// Parses a JSON object; a missing or wrong field is an error naming it.
    init(json: [String: Any], raw: Data) throws {
        id = json["id"]
        guard let op = json["op"] as? String, let operation = Operation(rawValue: op) else {
            throw PriceLineError("field 'op' must be \"price\" or \"iv\"")
        }
        self.operation = operation
        guard let model = json["model"] as? String else { throw PriceLineError("field 'model' is missing") }
        self.model = model
        guard let type = json["type"] as? String, let kind = OptionKind(rawValue: type) else {
            throw PriceLineError("field 'type' must be \"call\" or \"put\"")
        }
        self.kind = kind
        let decoded = try JSONDecoder().decode([String: Field].self, from: raw)
        fields = decoded.compactMapValues { if case let .number(d) = $0 { d } else { nil } }
        dividends = try Self.dividends(json["dividends"])
    }

    /// `"dividends": [{"t": years, "amount": cash}, …]`, for the trees.
    static func dividends(_ value: Any?) throws -> [CashDividend] {
        guard let value else { return [] }
        guard let list = value as? [[String: Any]] else {
            throw PriceLineError("field 'dividends' must be a list of {\"t\": years, \"amount\": cash}")
        }
        return try list.enumerated().map { index, item in
            guard let t = (item["t"] as? NSNumber)?.doubleValue, let amount = (item["amount"] as? NSNumber)?.doubleValue else {
                throw PriceLineError("dividends[\(index)] needs numbers 't' and 'amount'")
            }
            return CashDividend(time: t, amount: amount)
        }
    }

    /// Merton's jump fields.
    func jumps() throws -> MertonJumpDiffusion.Jumps {
        MertonJumpDiffusion.Jumps(intensity: try number("lambda"), jumpMean: try number("jumpMean"), jumpVolatility: try number("jumpVol"))
    }

    /// Heston's parameter fields.
    func heston() throws -> Heston.Parameters {
        Heston.Parameters(v0: try number("v0"), kappa: try number("kappa"), theta: try number("theta"), xi: try number("xi"), rho: try number("rho"))
    }

    /// A positive whole number field (tree steps).
    func count(_ key: String, default value: Int) throws -> Int {
        guard let number = fields[key] else { return value }
        guard number.rounded() == number, number >= 1, number <= 1e6 else {
            throw PriceLineError("field '\(key)' must be a whole number from 1 to 1000000")
        }
        return Int(number)
    }

    /// A numeric field, or an error naming it.
    func number(_ key: String, default value: Double? = nil) throws -> Double {
        if let v = fields[key] { return v }
        if let value { return value }
        throw PriceLineError("field '\(key)' is missing or not a number")
    }
}

extension PriceRequest {
    /// The option and market with the volatility from field `sigma` (read first, so a line that
    /// lacks it is told so first).
    func inputs() throws -> OptionInputs { try inputs(volatility: number("sigma")) }

    /// The option and market fields every spot model shares (r and q default to 0).
    func inputs(volatility: Double) throws -> OptionInputs {
        OptionInputs(kind, spot: try number("S"), strike: try number("K"), time: try number("T"),
                     rate: try number("r", default: 0), dividend: try number("q", default: 0), volatility: volatility)
    }
}

struct PriceLineError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
