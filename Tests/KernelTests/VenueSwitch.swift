import Bus
import GatewayService
import Messages
import Synchronization

/// The kernel's simulated venue behind a switch: `drop()` ends the broker connection and refuses
/// every request as a disconnected broker does (`BrokerError.notConnected`), until `restore()`.
/// What the gateway, execution and the strategy do meanwhile is the code under test.
final class VenueSwitch: BrokerAdapter, Sendable {
    struct State {
        var up = true
        var connection: AsyncStream<BrokerEvent>.Continuation?
        var forwarding: Task<Void, Never>?
    }

    let base: any BrokerAdapter
    let state = Mutex(State())

    init(_ base: any BrokerAdapter) { self.base = base }

    var name: String { base.name }

    func drop() {
        state.withLock { s in
            s.up = false
            s.forwarding?.cancel()
            s.connection?.finish()
        }
    }

    func restore() { state.withLock { $0.up = true } }

    func up() throws {
        guard state.withLock({ $0.up }) else { throw BrokerError.notConnected }
    }

    func connect() async throws -> AsyncStream<BrokerEvent> {
        guard state.withLock({ $0.up }) else { throw BrokerError.unavailable("the test dropped the broker connection") }
        let inner = try await base.connect()
        let (stream, connection) = AsyncStream.makeStream(of: BrokerEvent.self)
        let forwarding = TaskPlacement.spawn {
            for await event in inner { connection.yield(event) }
            connection.finish()
        }
        connection.onTermination = { _ in forwarding.cancel() }
        state.withLock { s in
            s.connection = connection
            s.forwarding = forwarding
        }
        return stream
    }

    func place(_ order: Volta_V1_Order) async throws -> Volta_V1_OrderStatus { try up(); return try await base.place(order) }
    func cancel(orderID: String) async throws -> Volta_V1_OrderStatus { try up(); return try await base.cancel(orderID: orderID) }
    func modify(_ order: Volta_V1_Order) async throws -> Volta_V1_OrderStatus { try up(); return try await base.modify(order) }
    func contract(_ instrument: Volta_V1_Instrument) async throws -> Volta_V1_ContractDetails {
        try up()
        return try await base.contract(instrument)
    }
    func chain(underlying: String) async throws -> Volta_V1_OptionChainDefinition { try up(); return try await base.chain(underlying: underlying) }
    func history(symbol: String, days: Int) async throws -> Volta_V1_History { try up(); return try await base.history(symbol: symbol, days: days) }
    func accountSnapshot() async throws -> Volta_V1_AccountSnapshot { try up(); return try await base.accountSnapshot() }
    func currentQuotes() async -> [Volta_V1_QuoteBatch] { await base.currentQuotes() }
}
