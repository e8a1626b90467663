import Foundation
import Yams

/// Typed reads of YAML nodes that fail with the file, line and field.
struct NodeReader {
    let file: String

    func error(_ node: Node, _ field: String, _ message: String) -> DataFileError {
        DataFileError(file: file, line: node.mark.map { $0.line } ?? 0, field: field, message: message)
    }

    /// A mapping's entries by key; with `allowed`, any other key is refused.
    func mapping(_ node: Node, _ field: String, allowed: Set<String>?) throws -> [String: Node] {
        guard case .mapping(let m) = node else { throw error(node, field, "must be a mapping") }
        var result: [String: Node] = [:]
        for (k, v) in m {
            guard let key = k.string else { throw error(k, field, "keys must be strings") }
            if let allowed, !allowed.contains(key) {
                throw error(k, "\(field).\(key)", "unknown key (expected one of \(allowed.sorted().joined(separator: ", ")))")
            }
            result[key] = v
        }
        return result
    }

    func sequence(_ node: Node, _ field: String) throws -> [Node] {
        guard case .sequence(let s) = node else { throw error(node, field, "must be a list") }
        return Array(s)
    }

    func string(_ node: Node, _ field: String) throws -> String {
        guard case .scalar(let s) = node, !s.string.isEmpty else { throw error(node, field, "must be a non-empty value") }
        return s.string
    }

    func number(_ node: Node, _ field: String, in range: ClosedRange<Double>) throws -> Double {
        let text = try string(node, field)
        guard let v = Double(text), v.isFinite else { throw error(node, field, "'\(text)' is not a number") }
        guard range.contains(v) else { throw error(node, field, "\(text) is outside \(range.lowerBound)…\(range.upperBound)") }
        return v
    }

    func bool(_ node: Node, _ field: String) throws -> Bool {
        let text = try string(node, field)
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(node, field, "'\(text)' is not true or false")
        }
    }

    func integer(_ node: Node, _ field: String, min: Int) throws -> Int {
        let text = try string(node, field)
        guard let v = Int(text) else { throw error(node, field, "'\(text)' is not a whole number") }
        guard v >= min else { throw error(node, field, "\(v) is below \(min)") }
        return v
    }

    /// An exact decimal amount (no binary rounding on the way to micros).
    func money(_ node: Node, _ field: String) throws -> Int64 {
        let text = try string(node, field)
        guard let v = Money.micros(text) else { throw error(node, field, "'\(text)' is not an amount (at most 6 decimals)") }
        return v
    }

    /// `-3%` or `-0.03`.
    func percent(_ node: Node, _ field: String) throws -> Double {
        let text = try string(node, field)
        let value = text.hasSuffix("%") ? Double(text.dropLast()).map { $0 / 100 } : Double(text)
        guard let v = value, v.isFinite, v > -1 else { throw error(node, field, "'\(text)' is not a change such as -3% or 0.05") }
        return v
    }

    /// `90`, `90s`, `10m`, `2h` or `1d`, in seconds.
    func duration(_ node: Node, _ field: String) throws -> Double {
        let text = try string(node, field)
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        let (digits, unit) = units[text.last ?? " "].map { (text.dropLast(), $0) } ?? (Substring(text), 1)
        guard let v = Double(digits), v.isFinite, v >= 0 else { throw error(node, field, "'\(text)' is not a duration such as 90s, 10m or 2h") }
        return v * unit
    }

    /// An ISO 8601 instant with its offset (`2026-11-20T09:30:00-05:00`), in ns since 1970.
    func instant(_ node: Node, _ field: String) throws -> Int64 {
        let text = try string(node, field)
        guard let date = ISO8601DateFormatter().date(from: text) else {
            throw error(node, field, "'\(text)' is not an ISO 8601 time such as 2026-11-20T09:30:00-05:00")
        }
        return Int64(date.timeIntervalSince1970) * 1_000_000_000
    }
}
