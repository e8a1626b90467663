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
        let envelope = try await requestEnvelope(service: service, message, timeout: timeout, retries: retries,
                                                 requestID: requestID, correlationID: correlationID)
        guard envelope.type == Reply.protoMessageName else {
            throw BusError.malformedReply(service: service, detail: "expected \(Reply.protoMessageName), got \(envelope.type)")
        }
        do { return try Reply(serializedBytes: envelope.payload) } catch {
            statistics.malformed.bump()
            throw BusError.malformedReply(service: service, detail: "payload: \(error)")
        }
    }

    /// The reply envelope of a request, whatever its type: for tools that do not know it.
    /// An ``Volta_V1_ErrorReply`` is thrown as a ``BusError``, never returned.
    public func requestEnvelope(
        service: String, _ message: any BusMessage, timeout: Duration = .seconds(2), retries: Int = 3,
        requestID: String? = nil, correlationID: String = ""
    ) async throws -> Volta_V1_Envelope {
        let id = requestID ?? newRequestID()
        var envelope = try makeEnvelope(message)
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
                return try decodeReply(replyBytes, service: service)
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

    private func decodeReply(_ bytes: [UInt8], service: String) throws -> Volta_V1_Envelope {
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
        return envelope
    }
}
