import Messages
import SwiftProtobuf

/// What a handler learns about the request besides its payload.
public struct RequestContext: Sendable {
    public let requestID: String
    public let envelope: Volta_V1_Envelope
}

extension Bus {
    /// Serves `service` until the calling task is cancelled: each request is decoded as
    /// `Request`, handed to `handler`, and its reply sent back.
    ///
    /// For a non-idempotent service (`options.idempotent == false`), a request id seen before is
    /// answered from the reply cache without running the handler again; that is what makes
    /// retries safe. A payload that does
    /// not decode, or that the handler rejects with ``BadRequest``, gets a BAD_REQUEST reply; one
    /// that throws ``Unavailable``, UNAVAILABLE; a handler that throws anything else, HANDLER_FAILED.
    public func serve<Request: BusMessage, Reply: BusMessage>(
        service: String, _ request: Request.Type, options: ServeOptions = ServeOptions(),
        cache: ReplyCache = ReplyCache(),
        handler: @escaping @Sendable (Request, RequestContext) async throws -> Reply
    ) async {
        // The stream ends when the task is cancelled; dropping it deregisters the workers.
        let inbound = transport.serve(service: service, options: options)
        await withDiscardingTaskGroup { group in
            for await item in inbound {
                group.addTask {
                    // Idempotent services may simply run again: no cache hop on their path.
                    await self.answer(item, service: service, cache: options.idempotent ? nil : cache, handler: handler)
                }
            }
        }
    }

    private func answer<Request: BusMessage, Reply: BusMessage>(
        _ item: InboundRequest, service: String, cache: ReplyCache?,
        handler: @escaping @Sendable (Request, RequestContext) async throws -> Reply
    ) async {
        statistics.served.bump()
        guard let cache else {
            item.reply(await run(item, service: service, handler: handler))
            return
        }
        let (bytes, cached) = await cache.reply(for: item.requestID) {
            await self.run(item, service: service, handler: handler)
        }
        if cached {
            statistics.repliesFromCache.bump()
            logger.debug("reply from cache", metadata: ["service": "\(service)", "id": "\(item.requestID)"])
        }
        item.reply(bytes)
    }

    private func run<Request: BusMessage, Reply: BusMessage>(
        _ item: InboundRequest, service: String,
        handler: @escaping @Sendable (Request, RequestContext) async throws -> Reply
    ) async -> [UInt8] {
        let envelope: Volta_V1_Envelope
        let request: Request
        do {
            envelope = try Volta_V1_Envelope(serializedBytes: item.envelope)
            guard envelope.type == Request.protoMessageName else {
                return errorReply(service: service, code: .badRequest, "expected \(Request.protoMessageName), got '\(envelope.type)'", to: item.requestID)
            }
            request = try Request(serializedBytes: envelope.payload)
        } catch {
            statistics.malformed.bump()
            return errorReply(service: service, code: .badRequest, "undecodable request: \(error)", to: item.requestID)
        }
        do {
            let reply = try await handler(request, RequestContext(requestID: item.requestID, envelope: envelope))
            var out = try makeEnvelope(reply)
            out.correlationID = envelope.correlationID
            out.idempotencyKey = item.requestID
            return try out.serializedBytes()
        } catch let error as BadRequest {
            return errorReply(service: service, code: .badRequest, error.description, to: item.requestID, correlationID: envelope.correlationID)
        } catch let error as Unavailable {
            return errorReply(service: service, code: .unavailable, error.description, to: item.requestID, correlationID: envelope.correlationID)
        } catch {
            logger.warning("handler failed", metadata: ["service": "\(service)", "id": "\(item.requestID)", "error": "\(error)"])
            return errorReply(service: service, code: .handlerFailed, "\(error)", to: item.requestID, correlationID: envelope.correlationID)
        }
    }

    /// An encoded envelope carrying an ``Volta_V1_ErrorReply`` from this process.
    func errorReply(service: String, code: Volta_V1_ErrorReply.Code, _ message: String, to requestID: String,
                    correlationID: String = "") -> [UInt8] {
        ErrorReplies.error(code, service: service, requestID: requestID, message: message, now: clock.now(),
                           source: identity.source, correlationID: correlationID)
    }
}
