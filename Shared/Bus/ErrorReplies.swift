import Foundation
import Messages
import SwiftProtobuf

/// Error replies, encoded: sent by the broker (as source `bus`) and by a serving ``Bus``.
public enum ErrorReplies {
    /// The broker's source stamp: it is no ``Bus`` client.
    public static let broker: Volta_V1_Source = {
        var s = Volta_V1_Source()
        s.service = "bus"
        s.instance = "bus"
        return s
    }()

    /// An encoded envelope with an ``Volta_V1_ErrorReply`` for `service`.
    public static func error(_ code: Volta_V1_ErrorReply.Code, service: String, requestID: String, message: String, now: Int64,
                             source: Volta_V1_Source = broker, correlationID: String = "") -> [UInt8] {
        var error = Volta_V1_ErrorReply()
        error.code = code
        error.service = service
        error.message = message
        var envelope = Volta_V1_Envelope()
        envelope.type = Volta_V1_ErrorReply.protoMessageName
        envelope.source = source
        envelope.idempotencyKey = requestID
        envelope.correlationID = correlationID
        envelope.eventTimeNs = now
        envelope.sendTimeNs = now
        envelope.payload = (try? error.serializedBytes() as Data) ?? Data()
        return (try? envelope.serializedBytes()) ?? []
    }

    public static func noSuchService(_ service: String, requestID: String, now: Int64) -> [UInt8] {
        error(.noSuchService, service: service, requestID: requestID, message: "no live worker for service '\(service)'", now: now)
    }
}
