/// Writes fields the way IB's Python clients do, so that a request is byte for byte what the
/// official client sends: numbers as Python prints them, unset values empty, booleans 1 and 0.
public struct FieldWriter: FieldCoder {
    public let version: Int
    public private(set) var payload: [UInt8] = []

    public init(version: Int) { self.version = version }

    mutating func put(_ text: String) {
        payload.append(contentsOf: text.utf8)
        payload.append(0)
    }

    public mutating func string(_ value: inout String) { put(value) }
    public mutating func int(_ value: inout Int) { put(value == TWSUnset.integer ? "" : String(value)) }
    public mutating func int(_ value: inout Int?) { put(value.map { $0 == TWSUnset.integer ? "" : String($0) } ?? "") }
    public mutating func double(_ value: inout Double) { put(Self.format(value)) }
    public mutating func double(_ value: inout Double?) { put(value.map(Self.format) ?? "") }
    public mutating func decimal(_ value: inout Double) {
        put(value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : Self.format(value))
    }
    public mutating func bool(_ value: inout Bool) { put(value ? "1" : "0") }
    public mutating func fixed(_ text: String) { put(text) }
    public mutating func skip(_ count: Int) {}

    /// Python's `str(float)`: the shortest text that reads back the same number, `100.0` for
    /// whole numbers. Swift's description is the same algorithm and spelling.
    public static func format(_ value: Double) -> String {
        if value == TWSUnset.double { return "" }
        if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
        return value.description
    }
}
