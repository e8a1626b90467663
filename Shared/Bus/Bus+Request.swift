import Messages
import SwiftProtobuf

extension Bus {
    /// Sends a request to a service through the broker and returns its typed reply.
    ///
    /// Lazy Pirate: each attempt waits `timeout`; a retry resends the same envelope with the
    /// same request id, so a server that already ran it answers from its reply cache. An
    /// "unknown service" answer is final at once: retrying would only turn it into a timeout.
    /// - Throws: ``BusError``.
    public func request<Reply: BusMessage>(
        service: String, _ message: some BusMessage, as reply: Reply.Type = Reply.self,
        timeout: Duration = .seconds(2), retries: Int = 3, requestID: String? = nil,
        correlationID: String = ""
    ) async throws -> Reply {
        let id = requestID ?? newRequestID()
        var envelope = makeEnvelope(message)
        envelope.idempotencyKey = id
        envelope.correlationID = correlationID
        let bytes: [UInt8] = try envelope.serializedBytes()
        statistics.requests.bump()

        var attempts = 0
        while true {
            attempts += 1
            try Task.checkCancellation()
            do {
                let replyBytes = try await transport.exchange(service: service, requestID: id, envelope: bytes, timeout: timeout)
                return try decodeReply(replyBytes, service: service, as: Reply.self)
            } catch BusError.timeout {
                guard attempts <= retries else {
                    statistics.timeouts.bump()
                    throw BusError.timeout(service: service, attempts: attempts)
                }
                statistics.retries.bump()
                logger.debug("request retry", metadata: ["service": "\(service)", "id": "\(id)", "attempt": "\(attempts + 1)"])
            }
        }
    }

    private func decodeReply<Reply: BusMessage>(_ bytes: [UInt8], service: String, as: Reply.Type) throws -> Reply {
        let envelope: Volta_V1_Envelope
        do { envelope = try Volta_V1_Envelope(serializedBytes: bytes) } catch {
            statistics.malformed.bump()
            throw BusError.malformedReply(service: service, detail: "envelope: \(error)")
        }
        if envelope.type == Volta_V1_ErrorReply.protoMessageName {
            let error = (try? Volta_V1_ErrorReply(serializedBytes: envelope.payload)) ?? Volta_V1_ErrorReply()
            if error.code == .noSuchService { throw BusError.noSuchService(service) }
            throw BusError.remote(service: service, code: error.code, message: error.message)
        }
        guard envelope.type == Reply.protoMessageName else {
            throw BusError.malformedReply(service: service, detail: "expected \(Reply.protoMessageName), got \(envelope.type)")
        }
        do { return try Reply(serializedBytes: envelope.payload) } catch {
            statistics.malformed.bump()
            throw BusError.malformedReply(service: service, detail: "payload: \(error)")
        }
    }
}
