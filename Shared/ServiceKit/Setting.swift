/// A configuration key with its type, default, and the values it accepts.
///
/// Every service declares its keys as `Setting`s; ``ConfigurationLayers`` reads them from flags,
/// environment and file, and a bad value becomes a ``ConfigurationError`` that names the key,
/// where the value came from, and what is accepted.
public struct Setting<Value: Sendable>: Sendable, AnySetting {
    public let key: String
    public let defaultValue: Value
    /// What is accepted, in words: "an integer from 100 to 60000".
    public let accepted: String
    public let help: String
    public let isSecret: Bool
    private let parser: @Sendable (String) -> Value?
    private let formatter: @Sendable (Value) -> String

    public init(_ key: String, default defaultValue: Value, accepted: String, help: String, secret: Bool = false,
                parse: @escaping @Sendable (String) -> Value?, format: @escaping @Sendable (Value) -> String = { "\($0)" }) {
        self.key = key
        self.defaultValue = defaultValue
        self.accepted = accepted
        self.help = help
        self.isSecret = secret
        self.parser = parse
        self.formatter = format
    }

    public func parse(_ text: String) -> Value? { parser(text) }
    public var defaultDescription: String { isSecret ? "<secret>" : formatter(defaultValue) }

    /// The environment variable that overrides this key: `bus.endpoint` → `VOLTA_BUS_ENDPOINT`.
    public var environmentName: String {
        "VOLTA_" + key.uppercased().map { $0 == "." ? "_" : $0 }.map(String.init).joined()
    }

    /// Parses a raw value and checks it, for ``ConfigurationLayers``.
    public func validate(_ raw: String) -> Bool { parser(raw) != nil }
}

/// A setting of any value type, for listing and validating a service's keys together.
public protocol AnySetting: Sendable {
    var key: String { get }
    var accepted: String { get }
    var help: String { get }
    var isSecret: Bool { get }
    var defaultDescription: String { get }
    var environmentName: String { get }
    func validate(_ raw: String) -> Bool
}

extension Setting where Value == Int {
    public static func integer(_ key: String, default value: Int, in range: ClosedRange<Int>, help: String) -> Setting {
        Setting(key, default: value, accepted: "an integer from \(range.lowerBound) to \(range.upperBound)", help: help) { text in
            Int(text.trimmingWhitespace()).flatMap { range.contains($0) ? $0 : nil }
        }
    }
}

extension Setting where Value == Double {
    public static func number(_ key: String, default value: Double, in range: ClosedRange<Double>, help: String) -> Setting {
        Setting(key, default: value, accepted: "a number from \(range.lowerBound) to \(range.upperBound)", help: help) { text in
            Double(text.trimmingWhitespace()).flatMap { $0.isFinite && range.contains($0) ? $0 : nil }
        }
    }
}

extension Setting where Value == Bool {
    public static func flag(_ key: String, default value: Bool, help: String) -> Setting {
        Setting(key, default: value, accepted: "true or false", help: help) { text in
            switch text.trimmingWhitespace().lowercased() {
            case "true", "1", "yes", "on": true
            case "false", "0", "no", "off": false
            default: nil
            }
        }
    }
}

extension Setting where Value == String {
    /// One of a fixed list of words.
    public static func choice(_ key: String, default value: String, of choices: [String], help: String) -> Setting {
        Setting(key, default: value, accepted: "one of: \(choices.joined(separator: ", "))", help: help) { text in
            let t = text.trimmingWhitespace().lowercased()
            return choices.contains(t) ? t : nil
        }
    }

    /// Free text, checked by `isValid`.
    public static func text(_ key: String, default value: String, accepted: String, help: String, secret: Bool = false,
                            isValid: @escaping @Sendable (String) -> Bool = { !$0.isEmpty }) -> Setting {
        Setting(key, default: value, accepted: accepted, help: help, secret: secret) { text in
            let t = text.trimmingWhitespace()
            return isValid(t) ? t : nil
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

extension Setting where Value == [String: Double] {
    /// `SPY=0.013,QQQ=0.006`: a number per symbol, the one format a map takes in a flag, an
    /// environment variable and a file.
    public static func symbolMap(_ key: String, range: ClosedRange<Double>, example: String, help: String) -> Setting {
        Setting(key, default: [:], accepted: "SYMBOL=value pairs separated by commas, values from \(range.lowerBound) to \(range.upperBound) (\(example))",
                help: help, parse: { text in
            var values: [String: Double] = [:]
            for pair in text.split(separator: ",") {
                let parts = pair.split(separator: "=", omittingEmptySubsequences: false)
                guard parts.count == 2 else { return nil }
                let symbol = String(parts[0]).trimmingWhitespace()
                guard !symbol.isEmpty, let value = Double(String(parts[1]).trimmingWhitespace()),
                      value.isFinite, range.contains(value) else { return nil }
                values[symbol] = value
            }
            return values
        }, format: { $0.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") })
    }
}
