import Logging
import Messages
import Synchronization
import TWS

/// One client's connection: its negotiated version and a queue of outgoing frames that a task
/// drains, so that the market's loop never waits on a slow client's socket.
final class TWSimSession: Sendable {
    let number: Int
    let connection: TWSConnection
    let outbox: AsyncStream<[UInt8]>.Continuation
    let drained: Task<Void, Never>

    init(number: Int, connection: TWSConnection, logger: Logger) {
        self.number = number
        self.connection = connection
        let (frames, outbox) = AsyncStream.makeStream(of: [UInt8].self)
        self.outbox = outbox
        drained = Task {
            for await frame in frames {
                do { try connection.socket.send(frame) } catch {
                    logger.info("client gone", metadata: ["session": "\(number)", "error": "\(error)"])
                    connection.close()
                    return
                }
            }
            connection.close()
        }
    }

    func send(_ message: some TWSMessage) {
        outbox.yield(TWSFrame.frame(message.payload(version: connection.version)))
    }

    func send(_ messages: [any TWSMessage]) {
        for m in messages { send(m) }
    }

    /// Drops the connection now, whatever is still queued (a network failure).
    func close() {
        outbox.finish()
        connection.close()
    }

    /// Closes once what was queued is sent: a refused client reads the error (326) it is
    /// refused with, as from TWS, instead of a bare end of stream.
    func closeAfterSending() {
        outbox.finish()
    }
}

/// What twsim knows of a client: set by its requests, read when the market moves.
struct TWSimClientState: Sendable {
    var clientId: Int?
    /// 1 live, 3 delayed (what reqMarketDataType asked).
    var marketDataType = 1
    var underlyingRequests: [String: Set<Int>] = [:]
    var optionRequests: [Int64: Set<Int>] = [:]
    var requestTargets: [Int: TWSimTarget] = [:]
    var wantsPositions = false
    var accountUpdates = false
    /// Orders sent with transmit=0, held until an order of their bracket transmits.
    var held: [Int: TWSPlaceOrder] = [:]

    mutating func subscribe(_ reqId: Int, to target: TWSimTarget) {
        unsubscribe(reqId)
        requestTargets[reqId] = target
        switch target {
        case .underlying(let s): underlyingRequests[s, default: []].insert(reqId)
        case .option(let id): optionRequests[id, default: []].insert(reqId)
        }
    }

    mutating func unsubscribe(_ reqId: Int) {
        switch requestTargets.removeValue(forKey: reqId) {
        case .underlying(let s)?: underlyingRequests[s]?.remove(reqId)
        case .option(let id)?: optionRequests[id]?.remove(reqId)
        case nil: break
        }
    }
}

/// What a market data request follows: an underlying by symbol or an option by its id.
enum TWSimTarget: Sendable, Equatable {
    case underlying(String)
    case option(Int64)
}
