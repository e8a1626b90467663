import Foundation

/// The connection's opening, before any message: the client sends `API\0` and a framed version
/// range `v<min>..<max>` (no NUL), the server answers a two-field frame: the version it picked
/// and its time. Volta speaks the text protocol only, so it never offers or accepts 201 and up,
/// where message ids turn binary and bodies protobuf.
public enum TWSHandshake {
    public static let prefix: [UInt8] = Array("API\0".utf8)
    /// The oldest server version Volta decodes: the official Python client of PyPI (9.81) stops at 157.
    public static let minVersion = 157
    /// ib_async's maximum, and the last version before the fields Volta does not model.
    public static let maxVersion = 178

    /// What a client sends first: `API\0` and its version range, framed.
    public static func clientHello(min: Int = minVersion, max: Int = maxVersion, options: String = "") -> [UInt8] {
        let range = "v\(min)..\(max)" + (options.isEmpty ? "" : " \(options)")
        return prefix + TWSFrame.frame(Array(range.utf8))
    }

    /// The version range in a client's hello (`v100..157`, `v157..178 +PACEAPI`, or `v176`).
    public static func parseRange(_ payload: [UInt8]) throws -> ClosedRange<Int> {
        let text = String(decoding: payload, as: UTF8.self)
        guard text.hasPrefix("v"), let spec = text.dropFirst().split(separator: " ").first else {
            throw TWSProtocolError("the hello '\(text.prefix(40))' has no version range")
        }
        let bounds = spec.split(separator: ".", omittingEmptySubsequences: true).compactMap { Int($0) }
        guard let low = bounds.first, let high = bounds.last, low <= high else {
            throw TWSProtocolError("the hello '\(text.prefix(40))' has no version range")
        }
        return low...high
    }

    /// The version a server with `supported` versions answers a client offering `offered`: the
    /// highest both speak.
    public static func negotiate(_ offered: ClosedRange<Int>, supported: ClosedRange<Int> = minVersion...maxVersion) throws -> Int {
        let version = min(offered.upperBound, supported.upperBound)
        guard version >= offered.lowerBound, version >= supported.lowerBound else {
            throw TWSProtocolError("no common version: the client offers \(offered), the server speaks \(supported)")
        }
        return version
    }

    /// The server's answer: its version and time as TWS prints it (`20250323 22:21:01 GMT`).
    public static func serverHello(version: Int, time: Date = Date()) -> [UInt8] {
        TWSFrame.frame(Array("\(version)\0\(utc(time)) GMT\0".utf8))
    }

    /// A time in UTC as TWS writes times: `yyyyMMdd HH:mm:ss` (the handshake, executions), or
    /// another pattern such as `HH:mm` (the account's update time).
    public static func utc(_ time: Date, format: String = "yyyyMMdd HH:mm:ss") -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter.string(from: time)
    }
}
