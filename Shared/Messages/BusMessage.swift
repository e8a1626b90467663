import SwiftProtobuf

/// A protobuf message that travels on the bus.
///
/// The topic is derived from the message itself, so a publisher can never file a quote under
/// the wrong symbol, and every topic is spelled in one place (``Topics``).
public protocol BusMessage: SwiftProtobuf.Message, Sendable {
    /// The pub/sub topic this message is published on.
    var topic: String { get }
}

extension BusMessage {
    /// The name carried in `Envelope.type`, e.g. `volta.v1.UnderlyingQuote`.
    public static var typeName: String { protoMessageName }
}
