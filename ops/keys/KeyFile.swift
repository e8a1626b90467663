import BusZeroMQ
import Foundation

/// The key env file: `CURVE_<NAME>_PUBLIC` / `CURVE_<NAME>_SECRET` per process, in hex, and
/// `CURVE_ALLOW`, every public key but the bus's.
struct KeyFile {
    private(set) var names: [String] = []
    private var pairs: [String: CurveKeyPair] = [:]

    init() {}

    init(contentsOf path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("CURVE_") && line.contains("_SECRET=") {
            let parts = line.split(separator: "=", maxSplits: 1)
            let variable = parts[0].dropFirst("CURVE_".count).dropLast("_SECRET".count)
            guard parts.count == 2, let z85 = CurveKeyPair.normalized(String(parts[1])) else {
                throw CurveKeyPair.KeyError.notZ85(what: "\(parts[0]) in \(path)")
            }
            let name = variable.lowercased().replacingOccurrences(of: "_", with: "-")
            names.append(name)
            pairs[name] = try CurveKeyPair(secretKey: z85)
        }
        guard names.contains("bus") else { throw CurveKeyPair.KeyError.notZ85(what: "CURVE_BUS_SECRET in \(path)") }
    }

    mutating func add(_ name: String) throws {
        pairs[name] = try CurveKeyPair.generate()
        names.append(name)
    }

    /// The variable name part for a process: `tap-alice` → `TAP_ALICE`.
    static func variable(_ name: String) -> String {
        name.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    var text: String {
        var lines = ["# Volta bus CURVE keys (volta-keys). Secret: never commit this file.",
                     "# Each process gets its own secret and the bus's public key; the bus admits CURVE_ALLOW."]
        for name in names {
            guard let pair = pairs[name], let pub = CurveKeyPair.hex(pair.publicKey), let sec = CurveKeyPair.hex(pair.secretKey) else { continue }
            lines.append("CURVE_\(Self.variable(name))_PUBLIC=\(pub)")
            lines.append("CURVE_\(Self.variable(name))_SECRET=\(sec)")
        }
        let allowed = names.filter { $0 != "bus" }.compactMap { pairs[$0].flatMap { CurveKeyPair.hex($0.publicKey) } }
        lines.append("CURVE_ALLOW=\(allowed.joined(separator: ","))")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes through a temporary file created 0600, then renames, so a secret is never readable by others
    /// and a crash leaves the old file whole.
    func write(to path: String) throws {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary]) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, bytes.count) }
        close(fd)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
