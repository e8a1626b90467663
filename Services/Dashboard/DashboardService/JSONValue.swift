import Foundation
import Messages

/// A JSON document built by hand: the API's answers mix recorder rows (whose columns are only
/// known at run time) with bus state, which Codable structs cannot describe without a type per
/// endpoint. Non-finite numbers become null, since JSON has no NaN.
public enum JSONValue: Sendable, Equatable, Encodable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.integer(x), .integer(y)): x == y
        case let (.number(x), .number(y)): x == y
        case let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.object(x), .object(y)): x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
        default: false
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .integer(let i):
            var c = encoder.singleValueContainer()
            try c.encode(i)
        case .number(let d):
            var c = encoder.singleValueContainer()
            if d.isFinite { try c.encode(d) } else { try c.encodeNil() }
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .array(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        case .object(let fields):
            var c = encoder.container(keyedBy: Key.self)
            for (k, v) in fields { try c.encode(v, forKey: Key(stringValue: k)) }
        }
    }

    /// Compact UTF-8 JSON.
    public var data: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("null".utf8)
    }

    public var text: String { String(decoding: data, as: UTF8.self) }

    /// A field of an object, for tests and the API's own reading of rows.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields.first { $0.0 == key }?.1
    }

    public var double: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .number(let d): d
        default: nil
        }
    }

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var integer: Int64? { if case .integer(let i) = self { i } else { nil } }

    /// A document JSONSerialization read (keys sorted: its dictionaries keep no order).
    public init(any value: Any) {
        switch value {
        case let s as String: self = .string(s)
        case let n as NSNumber:
            if "\(type(of: n))".contains("Bool") { self = .bool(n.boolValue) }
            else if ["d", "f"].contains(String(cString: n.objCType)) { self = .number(n.doubleValue) } else { self = .integer(n.int64Value) }
        case let a as [Any]: self = .array(a.map(JSONValue.init(any:)))
        case let o as [String: Any]: self = .object(o.keys.sorted().map { ($0, JSONValue(any: o[$0]!)) })
        default: self = .null
        }
    }

    /// Turns `nil` into `.null`, for optional numbers.
    public static func number(_ d: Double?) -> JSONValue { d.map { .number($0) } ?? .null }
}

extension Volta_V1_RecorderTable {
    /// Each row as an object keyed by column name.
    public var jsonRows: [JSONValue] {
        rows.map { row in
            .object(zip(columns, row.cells).map { column, cell in (column, cell.json) })
        }
    }
}

extension Volta_V1_TableCell {
    var json: JSONValue {
        switch value {
        case .integer(let i): .integer(i)
        case .real(let d): .number(d)
        case .text(let s): .string(s)
        case .null, nil: .null
        }
    }
}
