import Bus

/// What async code asks of the I/O thread. Everything that touches a socket goes through here.
enum IOCommand: Sendable {
    case publish(RawFrame)
    case subscribe(id: Int, prefix: String, continuation: AsyncStream<[RawFrame]>.Continuation)
    case unsubscribe(id: Int)
    case request(service: String, requestID: String, envelope: [UInt8])
    case serve(id: Int, service: String, options: ServeOptions, continuation: AsyncStream<InboundRequest>.Continuation)
    case stopServing(id: Int)
    case reply(group: Int, worker: Int, clientID: [UInt8], requestID: String, envelope: [UInt8])
    case stop
}
