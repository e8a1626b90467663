import Quant

/// An option of the simulated market, named the way traders name it.
public struct OptionKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var underlying: String
    public var expiry: CivilDate
    public var strikeMicros: Int64
    public var right: OptionKind

    public init(underlying: String, expiry: CivilDate, strikeMicros: Int64, right: OptionKind) {
        self.underlying = underlying
        self.expiry = expiry
        self.strikeMicros = strikeMicros
        self.right = right
    }

    public var strike: Double { Double(strikeMicros) / 1_000_000 }

    public static func < (a: OptionKey, b: OptionKey) -> Bool {
        (a.underlying, a.expiry.dayNumber, a.strikeMicros, a.right == .call ? 0 : 1)
            < (b.underlying, b.expiry.dayNumber, b.strikeMicros, b.right == .call ? 0 : 1)
    }

    /// `SPY 2026-12-18 P 550`, the form scenario files use.
    public var description: String {
        "\(underlying) \(expiry) \(right == .call ? "C" : "P") \(Money.format(strikeMicros))"
    }

    /// Parses `SPY 2026-12-18 P 550` (or `C 550.5`).
    public init?(_ text: String) {
        let parts = text.split(separator: " ")
        guard parts.count == 4, let expiry = CivilDate(parts[1]), let strike = Money.micros(parts[3]), strike > 0 else { return nil }
        let right: OptionKind
        switch parts[2].uppercased() {
        case "C", "CALL": right = .call
        case "P", "PUT": right = .put
        default: return nil
        }
        self.init(underlying: String(parts[0]), expiry: expiry, strikeMicros: strike, right: right)
    }
}

/// What an order or a position is in: shares (or an index) or an option.
public enum InstrumentKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    case underlying(String)
    case option(OptionKey)

    public var underlyingSymbol: String {
        switch self {
        case .underlying(let s): return s
        case .option(let o): return o.underlying
        }
    }

    public var multiplier: Int64 {
        if case .option = self { return 100 }
        return 1
    }

    public var description: String {
        switch self {
        case .underlying(let s): return s
        case .option(let o): return o.description
        }
    }

    public static func < (a: InstrumentKey, b: InstrumentKey) -> Bool { a.description < b.description }
}

/// The touch of one instrument: what an order can trade against.
public struct Touch: Equatable, Sendable {
    public var bid: Double
    public var ask: Double
    public var bidSize: Int64
    public var askSize: Int64

    public init(bid: Double, ask: Double, bidSize: Int64, askSize: Int64) {
        self.bid = bid
        self.ask = ask
        self.bidSize = bidSize
        self.askSize = askSize
    }

    public var mid: Double { (bid + ask) / 2 }
}

/// Fixed-point money: micros (1e-6) in Int64, exact to add and compare.
public enum Money {
    public static func micros(_ value: Double) -> Int64 { Int64((value * 1_000_000).rounded()) }
    public static func value(_ micros: Int64) -> Double { Double(micros) / 1_000_000 }

    /// Parses a decimal such as `550`, `4.20` or `-0.05` exactly, without going through Double.
    public static func micros(_ text: some StringProtocol) -> Int64? {
        var s = Substring(text)
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() } else if s.first == "+" { s = s.dropFirst() }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy(\.isASCII),
              let whole = Int64(parts[0]), whole < 1_000_000_000_000 else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 6, let f = Int64(digits), f >= 0 else { return nil }
            fraction = f * Int64(pow10(6 - digits.count))
        }
        let value = whole * 1_000_000 + fraction
        return negative ? -value : value
    }

    /// `550`, `4.2`, `-0.05`: micros without trailing zeros.
    public static func format(_ micros: Int64) -> String {
        let sign = micros < 0 ? "-" : ""
        let m = abs(micros)
        var frac = String(m % 1_000_000)
        if frac == "0" { return "\(sign)\(m / 1_000_000)" }
        frac = String(repeating: "0", count: 6 - frac.count) + frac
        while frac.hasSuffix("0") { frac.removeLast() }
        return "\(sign)\(m / 1_000_000).\(frac)"
    }

    private static func pow10(_ n: Int) -> Int { (0..<n).reduce(1) { r, _ in r * 10 } }
}
