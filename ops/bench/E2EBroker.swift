import Bus
import Foundation
import GatewayService
import Market
import Messages
import Synchronization

/// The broker behind the real gateway in `bench e2e`. The bench decides every quote, so it knows
/// the instant the quote that crosses a stop leaves for the gateway, and this adapter notes the
/// instant that stop's order reaches the gateway. Orders fill at once at their limit (the fill,
/// the status and the flat position follow the reply); contracts, chains and history are the
/// simulated market's, so every service sees a real chain.
final class E2EBroker: BrokerAdapter, Sendable {
    let name = "bench"
    static let account = "BENCH"
    let sim: SimAdapter
    /// The simulated market's quotes at start, one batch per underlying: the load replays them.
    let templates: [Volta_V1_QuoteBatch]
    let state = Mutex(State())

    struct State {
        var continuation: AsyncStream<BrokerEvent>.Continuation?
        var positions: [String: Volta_V1_Position] = [:]
        /// Order id → its status; a second place of a known id answers the first's status.
        var orders: [String: Volta_V1_OrderStatus] = [:]
        /// Intent id → monotonic seconds at which its order reached the gateway.
        var placed: [String: Double] = [:]
        var fills = 0
    }

    init() async throws {
        var scenario = Scenario()
        scenario.market.underlyings.removeAll { $0.symbol != "SPY" }
        scenario.market.listing.weeklies = 2
        scenario.market.listing.monthlies = 3
        scenario.market.listing.strikesEachSide = 15
        let now = SimAdapter.wallClock()
        sim = try SimAdapter(scenario: scenario, wallNow: now)
        _ = sim.advance(wallNow: now + 1_000_000_000)
        templates = await sim.currentQuotes()
    }

    // MARK: What the bench does

    func send(_ batch: Volta_V1_QuoteBatch) {
        state.withLock { $0.continuation }?.yield(.quotes(batch))
    }

    /// Sends `batch` and returns the monotonic instant just before it left for the gateway.
    func sendTimed(_ batch: Volta_V1_QuoteBatch) -> Double {
        let continuation = state.withLock { $0.continuation }
        let t0 = monotonicSeconds()
        continuation?.yield(.quotes(batch))
        return t0
    }

    /// Reports a position as the broker would after a fill.
    func setPosition(_ instrument: Volta_V1_Instrument, quantity: Int64, avgCostMicros: Int64) {
        var p = Volta_V1_Position()
        p.account = Self.account
        p.instrument = instrument
        p.quantity = quantity
        p.avgCostMicros = quantity == 0 ? 0 : avgCostMicros
        let continuation = state.withLock { s in
            s.positions[Topics.position(account: Self.account, instrument: instrument)] = quantity == 0 ? nil : p
            return s.continuation
        }
        continuation?.yield(.position(p))
    }

    /// When the order of the intent whose id contains `fragment` reached the gateway, if it has.
    func placedAt(intentContaining fragment: String) -> Double? {
        state.withLock { s in s.placed.first { $0.key.contains(fragment) }?.value }
    }

    // MARK: BrokerAdapter

    func connect() async throws -> AsyncStream<BrokerEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: BrokerEvent.self, bufferingPolicy: .bufferingNewest(1_000_000))
        state.withLock { $0.continuation = continuation }
        return stream
    }

    func place(_ order: Volta_V1_Order) async throws -> Volta_V1_OrderStatus {
        let arrived = monotonicSeconds()
        let (status, isNew) = state.withLock { s -> (Volta_V1_OrderStatus, Bool) in
            if let known = s.orders[order.orderID] { return (known, false) }
            var status = Volta_V1_OrderStatus()
            status.orderID = order.orderID
            status.brokerOrderID = Int64(s.orders.count + 1)
            status.state = .submitted
            status.remainingQuantity = order.quantity
            s.orders[order.orderID] = status
            s.placed[order.intentID] = arrived
            return (status, true)
        }
        if isNew { Task { await self.fill(order, status) } }
        return status
    }

    /// The whole order at its limit, a moment after the reply: a fill, the final status and the
    /// position it closes.
    func fill(_ order: Volta_V1_Order, _ submitted: Volta_V1_OrderStatus) async {
        try? await Task.sleep(for: .milliseconds(2))
        guard let leg = order.legs.first else { return }
        var status = submitted
        status.state = .filled
        status.filledQuantity = order.quantity
        status.remainingQuantity = 0
        status.avgFillPriceMicros = order.limitPriceMicros
        var fill = Volta_V1_Fill()
        fill.orderID = order.orderID
        fill.instrument = leg.instrument
        fill.side = leg.side
        fill.quantity = order.quantity
        fill.priceMicros = order.limitPriceMicros
        fill.timeNs = SimAdapter.wallClock()
        fill.account = Self.account
        let continuation = state.withLock { s in
            s.fills += 1
            fill.fillID = "bench-fill-\(s.fills)"
            s.orders[order.orderID] = status
            return s.continuation
        }
        continuation?.yield(.fill(fill))
        continuation?.yield(.status(status))
        setPosition(leg.instrument, quantity: 0, avgCostMicros: 0)
    }

    func cancel(orderID: String) async throws -> Volta_V1_OrderStatus {
        try state.withLock { s in
            guard var status = s.orders[orderID] else { throw BadRequest("unknown order \(orderID)") }
            if status.state != .filled { status.state = .cancelled }
            s.orders[orderID] = status
            return status
        }
    }

    func modify(_ order: Volta_V1_Order) async throws -> Volta_V1_OrderStatus {
        try state.withLock { s in
            guard let status = s.orders[order.orderID] else { throw BadRequest("unknown order \(order.orderID)") }
            return status
        }
    }

    func contract(_ instrument: Volta_V1_Instrument) async throws -> Volta_V1_ContractDetails { try await sim.contract(instrument) }
    func chain(underlying: String) async throws -> Volta_V1_OptionChainDefinition { try await sim.chain(underlying: underlying) }
    func history(symbol: String, days: Int) async throws -> Volta_V1_History { try await sim.history(symbol: symbol, days: days) }
    func currentQuotes() async -> [Volta_V1_QuoteBatch] { templates }

    func accountSnapshot() async throws -> Volta_V1_AccountSnapshot {
        var snapshot = Volta_V1_AccountSnapshot()
        snapshot.account = Self.account
        snapshot.positions = state.withLock { Array($0.positions.values) }
        snapshot.values = [("NetLiquidation", 1_000_000), ("TotalCashValue", 1_000_000), ("MaintMarginReq", 0),
                           ("ExcessLiquidity", 1_000_000), ("BuyingPower", 2_000_000)].map { key, dollars in
            var v = Volta_V1_AccountValue()
            v.account = Self.account
            v.key = key
            v.valueMicros = Int64(dollars) * 1_000_000
            v.currency = "USD"
            return v
        }
        return snapshot
    }
}
