/// The wire protocol between clients, workers and the broker, after Majordomo (zguide ch. 4).
///
/// Client DEALER → broker:   `[""]["VCC1"][service][requestID][envelope]`
/// broker → client:          `[""]["VCC1"][service][requestID][envelope]` (reply or ErrorReply)
/// Worker DEALER → broker:   `[""]["VCW1"][command][service][flags] …`
///   READY      `[0x01][service][flags]`
///   REPLY      `[0x03][service][flags][clientID][requestID][envelope]`
///   HEARTBEAT  `[0x04][service][flags]`
///   DISCONNECT `[0x05][service][flags]`
/// broker → worker:          `[""]["VCW1"][0x02][clientID][requestID][envelope]` (REQUEST),
///                           `[""]["VCW1"][0x04]` (HEARTBEAT)
///
/// The request id travels as its own frame, so the broker routes by it (affinity for
/// non-idempotent services) without decoding envelopes. Every command a worker sends names its
/// service, so a restarted broker learns its workers from whatever they send next.
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
}
