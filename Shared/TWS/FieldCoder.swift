/// One field layout, written once and run both ways: a `FieldWriter` turns a message into its
/// NUL-terminated fields, a `FieldReader` fills a message from them. The TWS protocol is a list
/// of positional fields whose presence depends on the server version and on earlier values, so a
/// layout written twice (encoder and decoder) drifts; written once, it cannot.
public protocol FieldCoder {
    /// The negotiated server version: fields come and go with it.
    var version: Int { get }
    mutating func string(_ value: inout String) throws
    mutating func int(_ value: inout Int) throws
    /// An integer TWS may leave unset (sent as an empty field).
    mutating func int(_ value: inout Int?) throws
    mutating func double(_ value: inout Double) throws
    /// A number TWS may leave unset (sent as an empty field).
    mutating func double(_ value: inout Double?) throws
    /// A quantity: IB's Decimal, sent as `100` when whole.
    mutating func decimal(_ value: inout Double) throws
    mutating func bool(_ value: inout Bool) throws
    /// A field Volta does not use: written as `text`, skipped when read.
    mutating func fixed(_ text: String) throws
    /// Fields only a reader meets (extensions Volta never sends); a writer writes nothing.
    mutating func skip(_ count: Int) throws
}

/// What TWS sends for "no value" when it does not send an empty field.
public enum TWSUnset {
    public static let integer = Int(Int32.max)
    public static let double = Double.greatestFiniteMagnitude
}

/// A message that breaks the protocol: the connection logs it, counts it and skips it.
public struct TWSProtocolError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension FieldCoder {
    /// A number TWS marks absent with a sentinel instead of an empty field, as in option
    /// computations (−1, −2): absent reads as nil and nil writes the sentinel.
    public mutating func double(_ value: inout Double?, absentWhen isAbsent: (Double) -> Bool, sentinel: Double) throws {
        var raw = value ?? sentinel
        try double(&raw)
        value = isAbsent(raw) ? nil : raw
    }

    /// A count-prefixed list: a reader makes `count` default elements and fills each.
    public mutating func list<Element>(_ items: inout [Element], make: () -> Element,
                                       _ each: (inout Self, inout Element) throws -> Void) throws {
        var count = items.count
        try int(&count)
        guard (0...10_000).contains(count) else { throw TWSProtocolError("a list of \(count) items") }
        if items.count != count { items = (0..<count).map { _ in make() } }
        for i in items.indices { try each(&self, &items[i]) }
    }

    /// Tag-value pairs as TWS sends algo and routing parameters: a count, then tag and value.
    public mutating func tagValues(_ pairs: inout [TWSTagValue]) throws {
        try list(&pairs, make: { TWSTagValue(tag: "", value: "") }) { c, p in
            try c.string(&p.tag)
            try c.string(&p.value)
        }
    }
}

public struct TWSTagValue: Sendable, Equatable {
    public var tag: String
    public var value: String
    public init(tag: String, value: String) {
        self.tag = tag
        self.value = value
    }
}
