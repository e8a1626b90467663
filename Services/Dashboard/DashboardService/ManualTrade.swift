import Foundation
import Messages

/// `POST /api/trade/trigger`: a trader's own order, sent through risk and execution like any
/// strategy's intent.
///
/// - `{"action": "close", "account", "instrument", "quantity"?, "key"}` closes (part of) an open
///   position as the recorder lists it (`instrument` as in /api/positions). The trade's exit
///   reason becomes MANUAL; a HALTED kill switch lets it through, as it reduces risk.
/// - `{"action": "open", "account", "underlying", "expiry", "right", "strike", "side",
///   "quantity", "limit"?, "key"}` opens a new option position (new risk: the kill switch and
///   every limit apply).
///
/// `key` (8 to 64 letters, digits, `-` or `_`) names the trader's click: the intent id is
/// `manual-<key>`, so a retried or double-sent request is one order, never two.
public struct ManualTrade: Decodable, Sendable {
    public var action: String
    public var account: String
    public var key: String
    public var quantity: Int64?
    public var instrument: String?
    public var underlying: String?
    public var expiry: String?
    public var right: String?
    public var strike: Double?
    public var side: String?
    public var limit: Double?

    /// A request the trader must fix: answered 400 with this text.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }

    public static func parse(_ body: Data) throws -> ManualTrade {
        do { return try JSONDecoder().decode(ManualTrade.self, from: body) } catch let DecodingError.keyNotFound(key, _) {
            throw Invalid("the body needs '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context) {
            throw Invalid("'\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch {
            throw Invalid("the body must be a JSON object with action, account, key and the trade's fields")
        }
    }

    var intentID: String { "manual-\(key)" }

    /// Whether `key` can name a trader's click: 8 to 64 letters, digits, `-` or `_` (it becomes
    /// part of an intent id). Flatten's key follows the same rule.
    static func isValidKey(_ key: String) -> Bool {
        (8...64).contains(key.count) && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    func checkCommon() throws {
        guard Self.isValidKey(key) else {
            throw Invalid("key must be 8 to 64 letters, digits, '-' or '_'")
        }
        guard !account.isEmpty else { throw Invalid("account must not be empty") }
        if let q = quantity, q <= 0 { throw Invalid("quantity must be a whole number > 0, got \(q)") }
        // Prices become micros in an Int64: a fuzzed 1.8e16 crashed the dashboard before this bound.
        if let l = limit, !(l.isFinite && l > 0 && l < Self.maxPrice) { throw Invalid("limit must be a price > 0 and below \(Int(Self.maxPrice))") }
    }

    /// The closing intent for `position`, a row of the recorder's `open_positions`.
    func closeIntent(position: JSONValue, now: Int64) throws -> Volta_V1_OrderIntent {
        try checkCommon()
        guard let held = position["quantity"]?.double.map({ Int64($0) }), held != 0 else { throw Invalid("no open position in \(instrument ?? "")") }
        let quantity = self.quantity ?? abs(held)
        guard quantity <= abs(held) else { throw Invalid("quantity \(quantity) is more than the \(abs(held)) held") }
        var instrument = Volta_V1_Instrument()
        let underlying = position["underlying"]?.string ?? ""
        instrument.symbol = underlying
        if let expiry = position["expiry"]?.string, !expiry.isEmpty, let strike = position["strike"]?.double {
            instrument.option.underlying = underlying
            instrument.option.expiry = expiry
            instrument.option.strikeMicros = Int64((strike * 1_000_000).rounded())
            instrument.option.right = position["option_right"]?.string == "P" ? .put : .call
            instrument.option.multiplier = Int32(position["multiplier"]?.double ?? 100)
        }
        var intent = base(instrument, side: held > 0 ? .sell : .buy, quantity: quantity, purpose: .close, now: now)
        intent.positionAvgCostMicros = Int64(((position["avg_cost"]?.double ?? 0) * 1_000_000).rounded())
        return intent
    }

    /// The opening intent this request describes.
    func openIntent(now: Int64) throws -> Volta_V1_OrderIntent {
        try checkCommon()
        guard let underlying, !underlying.isEmpty, underlying.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." }) else {
            throw Invalid("underlying must be a symbol like SPY")
        }
        guard let expiry, expiry.count == 10, Self.isDate(expiry) else { throw Invalid("expiry must be a date like 2026-12-18") }
        guard let right = right?.uppercased(), right == "C" || right == "P" else { throw Invalid("right must be C or P") }
        guard let strike, strike.isFinite, strike > 0, strike < Self.maxPrice else { throw Invalid("strike must be a price > 0 and below \(Int(Self.maxPrice))") }
        guard let side = side?.uppercased(), side == "BUY" || side == "SELL" else { throw Invalid("side must be BUY or SELL") }
        guard let quantity else { throw Invalid("the body needs 'quantity'") }
        var instrument = Volta_V1_Instrument()
        instrument.symbol = underlying.uppercased()
        instrument.option.underlying = underlying.uppercased()
        instrument.option.expiry = expiry
        instrument.option.strikeMicros = Int64((strike * 1_000_000).rounded())
        instrument.option.right = right == "P" ? .put : .call
        instrument.option.multiplier = 100
        return base(instrument, side: side == "BUY" ? .buy : .sell, quantity: quantity, purpose: .open, now: now)
    }

    func base(_ instrument: Volta_V1_Instrument, side: Volta_V1_Side, quantity: Int64, purpose: Volta_V1_IntentPurpose, now: Int64) -> Volta_V1_OrderIntent {
        var leg = Volta_V1_Leg()
        leg.instrument = instrument
        leg.side = side
        leg.ratio = 1
        var intent = Volta_V1_OrderIntent()
        intent.intentID = intentID
        intent.strategy = "manual"
        intent.instance = "dashboard"
        intent.purpose = purpose
        intent.legs = [leg]
        intent.quantity = quantity
        intent.orderType = .limit
        if let limit { intent.limitPriceMicros = Int64((limit * 1_000_000).rounded()) }
        intent.tif = .day
        intent.reason = "manual"
        intent.createdNs = now
        intent.account = account
        return intent
    }

    static let maxPrice = 1_000_000.0

    static func isDate(_ s: String) -> Bool {
        let p = s.split(separator: "-").map { Int($0) }
        guard p.count == 3, let y = p[0], let m = p[1], let d = p[2], SupportedYears.range.contains(y) else { return false }
        return DateComponents(calendar: Calendar(identifier: .gregorian), year: y, month: m, day: d).isValidDate
    }
}
