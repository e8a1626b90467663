import CZeroMQ
import Foundation

/// A CURVE key pair in Z85 text (40 characters each), as libzmq's key options and `zmq_curve_keypair`
/// use them.
///
/// `description` shows the public key only, so a key pair interpolated into a log line or an
/// error never prints its secret.
public struct CurveKeyPair: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let publicKey: String
    public let secretKey: String

    public enum KeyError: Error, CustomStringConvertible {
        case notZ85(what: String)
        case unavailable
        public var description: String {
            switch self {
            case let .notZ85(what): "\(what) is not a CURVE key: expected 40 characters of Z85 text"
            case .unavailable: "this libzmq was built without CURVE (zmq_has(\"curve\") is false)"
            }
        }
    }

    /// A pair from its secret key alone; the public key is derived from it.
    public init(secretKey: String) throws {
        guard CurveKeyPair.decode(secretKey) != nil else { throw KeyError.notZ85(what: "the secret key") }
        var pub = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&pub, secretKey) == 0 else { throw KeyError.unavailable }
        publicKey = Self.text(pub)
        self.secretKey = secretKey
    }

    /// A new random pair.
    public static func generate() throws -> CurveKeyPair {
        var pub = [CChar](repeating: 0, count: 41)
        var sec = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&pub, &sec) == 0 else { throw KeyError.unavailable }
        return try CurveKeyPair(secretKey: text(sec))
    }

    /// The 32 key bytes of a Z85 key, or nil when the text is not one.
    public static func decode(_ z85: String) -> [UInt8]? {
        guard z85.utf8.count == 40 else { return nil }
        var out = [UInt8](repeating: 0, count: 32)
        return zmq_z85_decode(&out, z85) == nil ? nil : out
    }

    /// A key given as 40 characters of Z85 or 64 hex digits, as Z85; nil when it is neither.
    /// Hex is accepted because Z85's `$` and `#` break env files and shell lines, so the key tool
    /// writes hex.
    public static func normalized(_ text: String) -> String? {
        if decode(text) != nil { return text }
        let hex = Array(text.utf8)
        guard hex.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var i = 0
        while i < 64 {
            guard let hi = hexValue(hex[i]), let lo = hexValue(hex[i + 1]) else { return nil }
            bytes.append(hi << 4 | lo)
            i += 2
        }
        return encode(bytes)
    }

    /// 64 lower-case hex digits of a Z85 key.
    public static func hex(_ z85: String) -> String? {
        decode(z85).map { $0.map { String(format: "%02x", $0) }.joined() }
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Z85 text of 32 key bytes.
    public static func encode(_ key: [UInt8]) -> String {
        var text = [CChar](repeating: 0, count: 41)
        _ = key.withUnsafeBufferPointer { zmq_z85_encode(&text, $0.baseAddress, 32) }
        return Self.text(text)
    }

    /// The 40 characters of a key libzmq wrote into a 41-byte C string.
    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static var isAvailable: Bool { zmq_has("curve") != 0 }

    public var description: String { "CurveKeyPair(public: \(publicKey))" }
    public var debugDescription: String { description }
}

/// CURVE on the bus: the daemon's sockets are CURVE servers, every client's sockets CURVE clients.
///
/// Without a ZAP handler libzmq admits any client that knows the server's public key, so a daemon
/// with `allowedClients` set runs ``ZAPAllowlist`` and admits only those keys.
public enum BusSecurity: Sendable, Equatable {
    /// A client process: its own pair and the daemon's public key.
    case client(own: CurveKeyPair, serverPublicKey: String)
    /// The daemon: its pair, and the clients' public keys it admits (Z85).
    case server(own: CurveKeyPair, allowedClients: Set<String>)

    /// The ZAP domain the daemon's sockets authenticate in.
    public static let domain = "volta"

    func apply(to socket: ZMQSocket) throws {
        switch self {
        case let .client(own, serverPublicKey):
            try socket.set(ZMQ_CURVE_SERVERKEY, bytes: Array(serverPublicKey.utf8))
            try socket.set(ZMQ_CURVE_PUBLICKEY, bytes: Array(own.publicKey.utf8))
            try socket.set(ZMQ_CURVE_SECRETKEY, bytes: Array(own.secretKey.utf8))
        case let .server(own, _):
            try socket.set(ZMQ_CURVE_SERVER, 1)
            try socket.set(ZMQ_CURVE_SECRETKEY, bytes: Array(own.secretKey.utf8))
            // libzmq 4.3's ZMQ_ZAP_ENFORCE_DOMAIN is draft API, so a server without a handler
            // would admit everyone: BusDaemon binds ZAPAllowlist before any CURVE socket.
            try socket.set(ZMQ_ZAP_DOMAIN, bytes: Array(Self.domain.utf8))
        }
    }
}
