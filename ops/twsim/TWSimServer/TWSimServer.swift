import Foundation
import GatewayService
import Logging
import Market
import Messages
import Synchronization
import TWS

/// A TWS-protocol server over the simulated market: the gateway's `ibkr` adapter, ib_async or
/// IB's own client connect to it as to TWS and trade Volta's simulator offline. The market and
/// the broker are the gateway's `SimAdapter`; this type speaks TWS in front of them.
public final class TWSimServer: Sendable {
    let adapter: SimAdapter
    /// Quoted by their level alone, as TWS quotes an index.
    let indexes: Set<String>
    let listener: TWSListener
    let logger: Logger
    let audit: TWSimAudit?
    /// TWS's limits, as the scenario's `tws:` section sets them.
    let behaviour: TWSBehaviour
    let book = Mutex(TWSimBook())
    /// Requests that could not be read: counted, answered with error 320, and skipped.
    public let malformed = Atomic<Int>(0)

    public var port: Int { listener.port }

    public init(adapter: SimAdapter, host: String = "127.0.0.1", port: Int, logger: Logger, audit: TWSimAudit? = nil,
                behaviour: TWSBehaviour = TWSBehaviour()) throws {
        self.adapter = adapter
        self.behaviour = behaviour
        self.indexes = adapter.indexes
        self.audit = audit
        self.listener = try TWSListener(host: host, port: port)
        self.logger = logger
    }

    /// Serves until cancelled.
    public func run() async {
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.followMarket() }
                group.addTask { await self.acceptClients() }
                for outage in self.behaviour.farmOutages {
                    group.addTask {
                        do {
                            try await Task.sleep(for: .seconds(outage.afterSeconds))
                            self.interruptFarm(true)
                            try await Task.sleep(for: .seconds(outage.seconds))
                            self.interruptFarm(false)
                        } catch {
                            return  // stopped meanwhile
                        }
                    }
                }
            }
        } onCancel: {
            self.stop()
        }
    }

    public func stop() {
        listener.shutdown()
        dropClients()
    }

    /// Closes every client's connection and keeps the orders, as when the network between a
    /// client and TWS fails: the client reconnects and reads its orders back.
    public func dropClients() {
        // Forgotten here, not when each read loop notices: a client reconnecting at once with its
        // client id must not find it still in use (TWS frees it with the connection).
        let sessions = book.withLock { b in
            defer { b.sessions = [:]; b.clients = [:] }
            return Array(b.sessions.values)
        }
        for s in sessions { s.close() }
        logger.notice("dropped every client connection", metadata: ["clients": "\(sessions.count)"])
    }

    /// TWS losing its own connection to IB and getting it back (errors 1100, then 1101 with
    /// `dataLost`, else 1102). With data lost, every client's market data subscriptions are gone,
    /// as at IB: a client must subscribe again.
    public func interruptConnectivity(dataLost: Bool) {
        let sessions = book.withLock { b in
            if dataLost {
                for n in b.clients.keys {
                    b.clients[n]?.requestTargets = [:]
                    b.clients[n]?.underlyingRequests = [:]
                    b.clients[n]?.optionRequests = [:]
                }
            }
            return Array(b.sessions.values)
        }
        for s in sessions {
            s.send(TWSError(reqId: -1, code: 1100, message: "Connectivity between IB and Trader Workstation has been lost."))
            s.send(dataLost
                ? TWSError(reqId: -1, code: 1101, message: "Connectivity between IB and TWS has been restored- data lost.")
                : TWSError(reqId: -1, code: 1102, message: "Connectivity between IB and TWS has been restored- data maintained."))
        }
    }

    /// IB's market data farm going down (2103: no ticks stream, the subscriptions stand) and
    /// coming back (2104: ticks stream again), told to every client as TWS tells it.
    public func interruptFarm(_ down: Bool) {
        let sessions = book.withLock { b in
            b.farmDown = down
            return Array(b.sessions.values)
        }
        for s in sessions {
            s.send(down ? TWSError(reqId: -1, code: 2103, message: "Market data farm connection is broken:usfarm")
                        : TWSError(reqId: -1, code: 2104, message: "Market data farm connection is OK:usfarm"))
        }
    }

    func acceptClients() async {
        let (sockets, arrivals) = AsyncStream.makeStream(of: TWSSocket.self)
        let thread = Thread { [listener] in
            while let socket = listener.accept() { arrivals.yield(socket) }
            arrivals.finish()
        }
        thread.start()
        await withDiscardingTaskGroup { group in
            for await socket in sockets { group.addTask { await self.serve(socket) } }
        }
    }

    func serve(_ socket: TWSSocket) async {
        let connection: TWSConnection
        do { connection = try await TWSConnection.accept(socket) } catch {
            logger.warning("handshake refused", metadata: ["error": "\(error)"])
            socket.shutdown()
            return
        }
        let session = book.withLock { b in
            defer { b.nextSession += 1 }
            let s = TWSimSession(number: b.nextSession, connection: connection, logger: logger)
            b.sessions[s.number] = s
            b.clients[s.number] = TWSimClientState()
            return s
        }
        logger.info("client connected", metadata: ["session": "\(session.number)", "version": "\(connection.version)"])
        // Frames are read, timed and counted as they arrive, apart from their handling (which
        // may wait on the market): TWS counts a client's rate on arrival.
        let (requests, forward) = AsyncStream.makeStream(of: [String].self)
        let reader = Task { () -> Bool in
            defer { forward.finish() }
            var arrivals: [ContinuousClock.Instant] = []
            for await fields in connection.frames {
                if behaviour.maxMessagesPerSecond > 0 {
                    let now = ContinuousClock.now
                    arrivals.append(now)
                    arrivals.removeAll { now - $0 >= .seconds(1) }
                    if arrivals.count > behaviour.maxMessagesPerSecond {
                        logger.warning("client over the message rate: disconnected", metadata: [
                            "session": "\(session.number)", "in_one_second": "\(arrivals.count)"])
                        session.send(TWSError(reqId: -1, code: 100, message: "Max rate of messages per second has been exceeded:max=\(behaviour.maxMessagesPerSecond) rec=\(arrivals.count)"))
                        session.closeAfterSending()
                        return true
                    }
                }
                forward.yield(fields)
            }
            return false
        }
        for await fields in requests {
            do {
                await handle(try TWSMessageTable.requests.decode(fields, version: connection.version), from: session)
            } catch {
                malformed.add(1, ordering: .relaxed)
                logger.warning("unreadable request", metadata: ["error": "\(error)", "fields": "\(fields.prefix(4))"])
                let reqId = fields.count > 2 ? Int(fields[2]) ?? -1 : -1
                session.send(TWSError(reqId: reqId, code: 320, message: "Error reading request: \(error)"))
            }
        }
        let hungUp = await reader.value
        book.withLock { b in
            b.sessions[session.number] = nil
            b.clients[session.number] = nil
        }
        // Hung up for its rate: the error goes out first, then the connection closes.
        if !hungUp { session.close() }
        logger.info("client disconnected", metadata: ["session": "\(session.number)", "reason": "\(connection.endReason ?? "closed")"])
    }

    /// The market's events, turned into each client's ticks, order statuses, executions,
    /// positions and account values.
    func followMarket() async {
        do {
            for await event in try await adapter.connect() { publish(event) }
        } catch {
            logger.error("the simulated market did not start", metadata: ["error": "\(error)"])
        }
    }

    /// Runs `body` for every session whose state passes `filter`, with that state.
    func forEachClient(where filter: (TWSimClientState) -> Bool, _ body: (TWSimSession, TWSimClientState) -> Void) {
        let targets = book.withLock { b in b.clients.compactMap { n, c in filter(c) ? b.sessions[n].map { ($0, c) } : nil } }
        for (session, state) in targets { body(session, state) }
    }

    func state(of session: TWSimSession) -> TWSimClientState {
        book.withLock { $0.clients[session.number] ?? TWSimClientState() }
    }

    func update(_ session: TWSimSession, _ change: (inout TWSimClientState) -> Void) {
        book.withLock { b in
            if var c = b.clients[session.number] {
                change(&c)
                b.clients[session.number] = c
            }
        }
    }
}

/// Everything twsim remembers across client connections.
struct TWSimBook: Sendable {
    var sessions: [Int: TWSimSession] = [:]
    var clients: [Int: TWSimClientState] = [:]
    var orders: [String: TWSimOrderRecord] = [:]
    var executions: [TWSimExecutionRecord] = []
    var nextPermId = 1_000_001
    var nextSession = 1
    /// Historical requests of the last ten minutes, for TWS's pacing: what, and when.
    var historyRequests: [(key: String, at: ContinuousClock.Instant)] = []
    /// The market data farm is down (``TWSimServer/interruptFarm(_:)``): no ticks stream.
    var farmDown = false
}

/// An order as its client placed it, and where it stands.
struct TWSimOrderRecord: Sendable {
    var clientId: Int
    var placed: TWSPlaceOrder
    var permId: Int
    var status: Volta_V1_OrderStatus
}

struct TWSimExecutionRecord: Sendable {
    var execution: TWSExecution
    var commission: TWSCommissionReport
}
