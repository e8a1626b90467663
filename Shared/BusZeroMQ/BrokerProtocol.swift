/// The wire protocol between clients, workers and the broker, after Majordomo (zguide ch. 4).
///
/// Client DEALER → broker:   `[""]["VCC1"][service][requestID][envelope]`
/// broker → client:          `[""]["VCC1"][service][requestID][envelope]` (reply or ErrorReply)
/// Worker DEALER → broker:   `[""]["VCW1"][command][service][flags] …`
///   READY      `[0x01][service][flags][expiry]`
///   REPLY      `[0x03][service][flags][clientID][requestID][envelope]`
///   HEARTBEAT  `[0x04][service][flags][expiry]`
///   DISCONNECT `[0x05][service][flags]`
/// broker → worker:          `[""]["VCW1"][0x02][clientID][requestID][envelope]` (REQUEST),
///                           `[""]["VCW1"][0x04]` (HEARTBEAT)
///
/// The request id travels as its own frame, so the broker routes by it (affinity for
/// non-idempotent services) without decoding envelopes. Every command a worker sends names its
/// service, so a restarted broker learns its workers from whatever they send next. `expiry`
/// (optional) is how long the worker may be silent, in milliseconds as a big-endian UInt32: a
/// worker whose heartbeat is slower than the broker's own is not declared dead between beats.
public enum BrokerProtocol {
    public static let client: [UInt8] = Array("VCC1".utf8)
    public static let worker: [UInt8] = Array("VCW1".utf8)

    public enum Command: UInt8, Sendable {
        case ready = 1
        case request = 2
        case reply = 3
        case heartbeat = 4
        case disconnect = 5
    }

    /// Worker flags: bit 0, the service is idempotent; bit 1, the worker is busy.
    public struct Flags: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let idempotent = Flags(rawValue: 1)
        public static let busy = Flags(rawValue: 2)
    }

    /// The expiry frame of READY and HEARTBEAT.
    public static func expiryFrame(milliseconds: Int64) -> [UInt8] {
        let ms = UInt32(clamping: milliseconds)
        return [UInt8(ms >> 24), UInt8(ms >> 16 & 0xff), UInt8(ms >> 8 & 0xff), UInt8(ms & 0xff)]
    }

    /// The worker's expiry, when the frame is there and well formed.
    public static func expiry(_ frame: [UInt8]?) -> Duration? {
        guard let frame, frame.count == 4 else { return nil }
        let ms = frame.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return ms > 0 ? .milliseconds(Int64(ms)) : nil
    }
}
