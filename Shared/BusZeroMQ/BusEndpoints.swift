import Foundation

/// Where the bus daemon listens. One setting (`VOLTA_BUS`, e.g. `tcp://127.0.0.1`) places a
/// process on the bus: publishers connect to base:7770, subscribers to base:7771, requests and
/// workers to the broker at base:7772. Tests give three explicit endpoints on ephemeral ports.
public struct BusEndpoints: Sendable, Equatable, CustomStringConvertible {
    public static let defaultBasePort = 7770

    /// The forwarder's XSUB side, where publishers connect.
    public var publish: String
    /// The forwarder's XPUB side, where subscribers connect.
    public var subscribe: String
    /// The service broker's ROUTER.
    public var broker: String

    public init(publish: String, subscribe: String, broker: String) {
        self.publish = publish
        self.subscribe = subscribe
        self.broker = broker
    }

    public enum ParseError: Error, CustomStringConvertible {
        case invalid(String)
        public var description: String {
            switch self {
            case let .invalid(s):
                "'\(s)' is not a bus address: expected tcp://HOST, tcp://HOST:PORT (the first of three ports), ipc://DIR, or three endpoints separated by commas (publish,subscribe,broker)"
            }
        }
    }

    /// Parses `tcp://HOST[:PORT]`, `ipc://DIR` or `PUB,SUB,BROKER`.
    public static func parse(_ text: String) throws -> BusEndpoints {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.count == 3, parts.allSatisfy(Self.looksLikeEndpoint) {
            return BusEndpoints(publish: parts[0], subscribe: parts[1], broker: parts[2])
        }
        guard parts.count == 1 else { throw ParseError.invalid(text) }
        if text.hasPrefix("ipc://") {
            let dir = String(text.dropFirst("ipc://".count))
            guard !dir.isEmpty else { throw ParseError.invalid(text) }
            return BusEndpoints(publish: "ipc://\(dir)/volta-pub", subscribe: "ipc://\(dir)/volta-sub", broker: "ipc://\(dir)/volta-broker")
        }
        guard text.hasPrefix("tcp://") else { throw ParseError.invalid(text) }
        let rest = text.dropFirst("tcp://".count)
        var host = String(rest)
        var port = defaultBasePort
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65533).contains(p) else { throw ParseError.invalid(text) }
            host = String(rest[..<colon])
            port = p
        }
        guard !host.isEmpty else { throw ParseError.invalid(text) }
        return BusEndpoints(publish: "tcp://\(host):\(port)", subscribe: "tcp://\(host):\(port + 1)", broker: "tcp://\(host):\(port + 2)")
    }

    private static func looksLikeEndpoint(_ s: String) -> Bool {
        ["tcp://", "ipc://", "inproc://"].contains { s.hasPrefix($0) }
    }

    public var description: String { "publish=\(publish) subscribe=\(subscribe) broker=\(broker)" }
}
