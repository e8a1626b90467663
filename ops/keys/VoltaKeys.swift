import ArgumentParser
import BusZeroMQ
import Foundation

/// `volta-keys`: CURVE key pairs for a locked bus, one per service, in an env file.
///
/// The file is what docker compose reads for interpolation (compose/.env) and what
/// `ops/start.sh` reads through `VOLTA_KEYS_FILE`: `CURVE_<NAME>_PUBLIC` and `CURVE_<NAME>_SECRET`
/// per process, and `CURVE_ALLOW`, the public keys the bus admits. Keys are hex, since Z85's `$`
/// and `#` would be read as interpolation and comments there. The file is created with mode 0600
/// and never overwritten without `--force`: losing the bus's secret locks every service out.
@main
struct VoltaKeys: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volta-keys",
        abstract: "Make and manage CURVE keys for the Volta bus.",
        subcommands: [Generate.self, Add.self, Public.self])

    static let services = ["bus", "gateway", "marketdata", "pricer", "strategy", "risk", "execution", "recorder", "dashboard", "tap", "node"]
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a new key file: a pair per service and the bus's allowlist.")

    @Option(help: "The env file to write.") var out = "keys.env"
    @Option(parsing: .upToNextOption, help: "Processes that get a key pair (the bus always does).") var services = VoltaKeys.services
    @Flag(help: "Replace an existing file.") var force = false

    func run() throws {
        guard force || !FileManager.default.fileExists(atPath: out) else {
            throw ValidationError("\(out) exists; pass --force to replace it (every service then needs the new keys)")
        }
        var file = KeyFile()
        for name in ["bus"] + services.filter({ $0 != "bus" }) { try file.add(name) }
        try file.write(to: out)
        print("wrote \(file.names.count) key pairs to \(out) (mode 0600); the bus admits \(file.names.count - 1) of them")
    }
}

struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Add a pair to an existing key file and admit it on the bus.")

    @Argument(help: "The process name, e.g. an operator's tap: tap-alice.") var name: String
    @Option(help: "The env file to change.") var file = "keys.env"

    func run() throws {
        var keys = try KeyFile(contentsOf: file)
        guard !keys.names.contains(name) else { throw ValidationError("\(name) already has a key in \(file)") }
        try keys.add(name)
        try keys.write(to: file)
        print("added \(name) to \(file); restart the bus to admit it")
    }
}

struct Public: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the public key of a secret key read from stdin.")

    func run() throws {
        guard let line = readLine(), let z85 = CurveKeyPair.normalized(line.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("stdin holds no secret key (64 hex digits or 40 Z85 characters)")
        }
        let pair = try CurveKeyPair(secretKey: z85)
        print(CurveKeyPair.hex(pair.publicKey) ?? "")
    }
}
