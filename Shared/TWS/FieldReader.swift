/// Reads one message's fields in order. A missing field or a number that is not one is a
/// `TWSProtocolError` naming the message and the field's position, never a crash or a guess.
public struct FieldReader: FieldCoder {
    public let version: Int
    let fields: [String]
    let message: String
    public private(set) var index: Int

    /// - Parameter start: the first field to read (1 skips the message id).
    public init(_ fields: [String], version: Int, message: String, start: Int = 1) {
        self.fields = fields
        self.version = version
        self.message = message
        self.index = start
    }

    public var remaining: Int { fields.count - index }

    mutating func next() throws -> String {
        guard index < fields.count else {
            throw TWSProtocolError("\(message): truncated, field \(index + 1) is missing (\(fields.count) fields)")
        }
        defer { index += 1 }
        return fields[index]
    }

    func bad(_ text: String, _ kind: String) -> TWSProtocolError {
        TWSProtocolError("\(message): field \(index) '\(text.prefix(40))' is not \(kind)")
    }

    public mutating func string(_ value: inout String) throws { value = try next() }

    public mutating func int(_ value: inout Int) throws {
        var v: Int?
        try int(&v)
        value = v ?? 0
    }

    public mutating func int(_ value: inout Int?) throws {
        let text = try next()
        if text.isEmpty { value = nil; return }
        guard let v = Int(text) ?? Double(text).flatMap({ $0 == $0.rounded() && abs($0) < 1e18 ? Int($0) : nil }) else {
            throw bad(text, "an integer")
        }
        value = v == TWSUnset.integer ? nil : v
    }

    public mutating func double(_ value: inout Double) throws {
        var v: Double?
        try double(&v)
        value = v ?? 0
    }

    public mutating func double(_ value: inout Double?) throws {
        let text = try next()
        switch text {
        case "": value = nil
        case "Infinity", "Infinite", "inf": value = .infinity
        case "-Infinity", "-Infinite", "-inf": value = -.infinity
        default:
            guard let v = Double(text), v.isFinite else { throw bad(text, "a number") }
            value = v == TWSUnset.double ? nil : v
        }
    }

    public mutating func decimal(_ value: inout Double) throws { try double(&value) }

    public mutating func bool(_ value: inout Bool) throws {
        let text = try next()
        switch text {
        case "", "0", "false", "False": value = false
        case "1", "true", "True": value = true
        default: throw bad(text, "a boolean")
        }
    }

    public mutating func fixed(_ text: String) throws { _ = try next() }

    public mutating func skip(_ count: Int) throws {
        for _ in 0..<count { _ = try next() }
    }
}
