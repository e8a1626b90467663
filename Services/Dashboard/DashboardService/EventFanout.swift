import Foundation
import Synchronization

/// Server-sent events to every open page: each client gets its own bounded stream, so a slow
/// browser loses old events (the page refetches on the next one) instead of holding memory.
public final class EventFanout: Sendable {
    private let clients = Mutex<[UUID: AsyncStream<String>.Continuation]>([:])

    public init() {}

    /// A new client's stream of SSE-framed events; it ends when the fanout is closed.
    public func connect() -> AsyncStream<String> {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(64))
        continuation.onTermination = { [weak self] _ in self?.clients.withLock { _ = $0.removeValue(forKey: id) } }
        clients.withLock { $0[id] = continuation }
        return stream
    }

    public var clientCount: Int { clients.withLock { $0.count } }

    /// One event to every client: `event: <name>` and its JSON on one `data:` line.
    public func send(_ name: String, _ payload: JSONValue) {
        let frame = "event: \(name)\ndata: \(payload.text)\n\n"
        for c in clients.withLock({ Array($0.values) }) { c.yield(frame) }
    }

    public func close() {
        for c in clients.withLock({ c -> [AsyncStream<String>.Continuation] in defer { c = [:] }; return Array(c.values) }) { c.finish() }
    }
}
