import Foundation
import Messages
import SwiftProtobuf

/// Renders one envelope as a line: readable text, or JSON with `--json`.
struct MessageFormatter {
    let json: Bool

    func line(topic: String, envelope: Volta_V1_Envelope, missedBefore: UInt64) -> String {
        let body: String
        do {
            if let message = try MessageRegistry.decode(typeName: envelope.type, payload: Array(envelope.payload)) {
                body = try message.jsonString()
            } else {
                body = json ? "{\"unknownType\":true,\"bytes\":\(envelope.payload.count)}" : "<\(envelope.payload.count) bytes of an unknown type>"
            }
        } catch {
            body = json ? "{\"undecodable\":\(quote("\(error)"))}" : "<undecodable: \(error)>"
        }
        if json {
            var parts = [
                "\"topic\":\(quote(topic))", "\"type\":\(quote(envelope.type))",
                "\"source\":\(quote(envelope.source.instance))", "\"epoch\":\(envelope.source.epoch)",
                "\"seq\":\(envelope.sequence)", "\"eventTimeNs\":\(envelope.eventTimeNs)", "\"sendTimeNs\":\(envelope.sendTimeNs)",
            ]
            if !envelope.correlationID.isEmpty { parts.append("\"correlationId\":\(quote(envelope.correlationID))") }
            if !envelope.idempotencyKey.isEmpty { parts.append("\"idempotencyKey\":\(quote(envelope.idempotencyKey))") }
            if missedBefore > 0 { parts.append("\"missedBefore\":\(missedBefore)") }
            parts.append("\"message\":\(body)")
            return "{" + parts.joined(separator: ",") + "}"
        }
        let shortType = envelope.type.split(separator: ".").last.map(String.init) ?? envelope.type
        let gap = missedBefore > 0 ? " [gap: \(missedBefore) missed]" : ""
        return "\(Self.time(envelope.eventTimeNs)) \(topic) \(shortType) \(envelope.source.instance)#\(envelope.sequence)\(gap) \(body)"
    }

    static func time(_ ns: Int64) -> String {
        let seconds = ns / 1_000_000_000
        let millis = (ns / 1_000_000) % 1000
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%02d:%02d:%02d.%03d", parts.tm_hour, parts.tm_min, parts.tm_sec, Int(millis))
    }

    func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
