import Bus
import Foundation
import Market
import Messages
import Synchronization

/// The simulated market as a broker: the simulation and the simulated broker advance together
/// every tick, simulated time running at the scenario's speed against the clock it is given: the
/// bus clock in the gateway (the wall clock live, a manual clock in a test or the kernel).
public final class SimAdapter: BrokerAdapter, Sendable {
    public let name = "sim"
    let state: Mutex<SimSession>
    let clock: any BusClock
    let tick: Duration
    let accountInterval: Int64
    let connections = Atomic<Int64>(0)
    let quotes = Atomic<Int>(0)

    public init(scenario: Scenario, tick: Duration = .milliseconds(250), accountInterval: Duration = .seconds(5),
                clock: any BusClock = WallClock(), wallNow: Int64? = nil) throws {
        let wallNow = wallNow ?? clock.now()
        self.clock = clock
        let sim = try scenario.simulation(now: wallNow)
        var broker = SimBroker(account: scenario.account, seed: scenario.market.seed &+ 1)
        broker.latencyNs = Int64(scenario.latencyMs * 1e6)
        scenario.fills.configure(&broker)
        state = Mutex(SimSession(sim: sim, broker: broker,
                                 speed: scenario.speed, wallStart: wallNow, parameters: scenario.market))
        self.tick = tick
        let c = accountInterval.components
        self.accountInterval = c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000
    }

    /// The wall clock, for what runs outside any bus (benchmarks, twsim's own loop).
    public static func wallClock() -> Int64 { WallClock().now() }

    public func connect() async throws -> AsyncStream<BrokerEvent> {
        connections.add(1, ordering: .relaxed)
        let (stream, continuation) = AsyncStream.makeStream(of: BrokerEvent.self, bufferingPolicy: .bufferingNewest(100_000))
        let task = TaskPlacement.spawn { [self] in
            var lastAccount: Int64 = 0
            while !Task.isCancelled {
                do { try await clock.sleep(for: tick) } catch { break }
                let now = clock.now()
                let publishAccount = now - lastAccount >= accountInterval
                if publishAccount { lastAccount = now }
                for e in advance(wallNow: now, accountValues: publishAccount) { continuation.yield(e) }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Moves the market and the broker to the simulated time of `wallNow` and returns what
    /// changed. The connection's loop calls it every tick; benchmarks and tests call it directly.
    public func advance(wallNow: Int64, accountValues: Bool = false) -> [BrokerEvent] {
        let events = state.withLock { $0.step(wallNow: wallNow, accountValues: accountValues) }
        var n = 0
        for case .quotes(let b) in events { n += b.underlyings.count + b.options.count }
        quotes.add(n, ordering: .relaxed)
        return events
    }

    /// Quote updates published so far (underlyings and options): a backtest's market events.
    public var quotesPublished: Int { quotes.load(ordering: .relaxed) }

    public func place(_ order: Volta_V1_Order) async throws -> Volta_V1_OrderStatus {
        try state.withLock { s in
            let request = try SimConversions.request(order, market: s.sim)
            return SimConversions.status(s.broker.place(request, market: s.sim))
        }
    }

    public func cancel(orderID: String) async throws -> Volta_V1_OrderStatus {
        try state.withLock { s in
            guard let status = s.broker.cancel(orderID) else { throw BadRequest("unknown order \(orderID)") }
            return SimConversions.status(status)
        }
    }

    public func modify(_ order: Volta_V1_Order) async throws -> Volta_V1_OrderStatus {
        try state.withLock { s in
            let request = try SimConversions.request(order, market: s.sim)
            switch s.broker.modify(request, market: s.sim) {
            case .success(let status): return SimConversions.status(status)
            case .failure(let rejection): throw BadRequest(rejection.reason)
            }
        }
    }

    public func contract(_ instrument: Volta_V1_Instrument) async throws -> Volta_V1_ContractDetails {
        try state.withLock { s in try s.contract(instrument) }
    }

    public func chain(underlying: String) async throws -> Volta_V1_OptionChainDefinition {
        try state.withLock { s in try s.chainDefinition(underlying) }
    }

    public func history(symbol: String, days: Int) async throws -> Volta_V1_History {
        try state.withLock { s in try s.history(symbol, days: days) }
    }

    public func accountSnapshot() async throws -> Volta_V1_AccountSnapshot {
        let connection = connections.load(ordering: .relaxed)
        return state.withLock { s in
            var snapshot = s.accountSnapshot()
            snapshot.connection = connection
            return snapshot
        }
    }

    /// The account's id and every underlying the market lists (the index included).
    public var accountID: String { state.withLock { $0.account } }
    public var symbols: [String] { state.withLock { $0.sim.symbols } }

    /// The market's indexes (SPX, the VIX): a level with no bid or ask at a real broker.
    public var indexes: Set<String> {
        state.withLock { s in Set(s.sim.symbols.filter { s.sim.isIndex($0) } + [s.parameters.volatilityIndexSymbol]) }
    }

    public func currentQuotes() async -> [Volta_V1_QuoteBatch] {
        let now = clock.now()
        return state.withLock { $0.currentQuotes(now: now) }
    }

    /// The current quotes of some underlyings (by symbol) and options (by broker id) alone:
    /// twsim answering one market data request need not convert the whole market.
    public func currentQuotes(symbols: Set<String>, optionIDs: Set<Int64>) -> [Volta_V1_QuoteBatch] {
        let now = clock.now()
        return state.withLock { s in
            s.currentQuotes(now: now) { q in
                if case .underlying(let symbol) = q.instrument { return symbols.contains(symbol) }
                return optionIDs.contains(q.brokerID)
            }
        }
    }
}
