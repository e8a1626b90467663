import Bus
import GatewayService
import Logging
import Messages
import Synchronization
import TestSupport
import Testing

/// The gateway's connection rules, with an adapter whose broker fails, then drops the connection:
/// it retries with backoff, and after every connect publishes the whole account and its open orders.
@Suite struct GatewayReconnectTests {
    final class FlakyAdapter: BrokerAdapter, Sendable {
        let name = "flaky"
        let attempts = Atomic<Int>(0)

        func connect() async throws -> AsyncStream<BrokerEvent> {
            let attempt = attempts.add(1, ordering: .sequentiallyConsistent).newValue
            if attempt == 1 { throw BrokerError.unavailable("first attempt refused") }
            let (stream, continuation) = AsyncStream.makeStream(of: BrokerEvent.self)
            var batch = Volta_V1_QuoteBatch()
            batch.underlying = "SPY"
            batch.underlyings = [Volta_V1_UnderlyingQuote.with { $0.symbol = "SPY"; $0.bid = 1; $0.ask = 2 }]
            continuation.yield(.quotes(batch))
            if attempt == 2 { continuation.finish() }     // the connection drops at once
            return stream
        }

        func accountSnapshot() async throws -> Volta_V1_AccountSnapshot {
            Volta_V1_AccountSnapshot.with {
                $0.account = "FLAKY"
                $0.connection = Int64(attempts.load(ordering: .sequentiallyConsistent))
                $0.openOrders = [Volta_V1_OrderStatus.with { $0.orderID = "open-1"; $0.state = .submitted }]
            }
        }

        func place(_ order: Volta_V1_Order) async throws -> Volta_V1_OrderStatus { throw BrokerError.notConnected }
        func cancel(orderID: String) async throws -> Volta_V1_OrderStatus { throw BrokerError.notConnected }
        func modify(_ order: Volta_V1_Order) async throws -> Volta_V1_OrderStatus { throw BrokerError.notConnected }
        func contract(_ instrument: Volta_V1_Instrument) async throws -> Volta_V1_ContractDetails { throw BrokerError.notConnected }
        func chain(underlying: String) async throws -> Volta_V1_OptionChainDefinition { throw BrokerError.notConnected }
        func history(symbol: String, days: Int) async throws -> Volta_V1_History { throw BrokerError.notConnected }
        func currentQuotes() async -> [Volta_V1_QuoteBatch] { [] }
    }

    @Test func reconnectsWithBackoffAndRepublishesTheAccountEachTime() async throws {
        let harness = InMemoryHarness()
        let gatewayBus = try harness.connect("gateway", service: "gateway")
        let watcher = try harness.connect("watcher")
        let seen = Collector<String>()
        let snapshots = Collector<Int64>()
        let watch = Task {
            for await m in watcher.subscribe(Volta_V1_AccountSnapshot.self, prefix: "gw.account.") {
                await snapshots.append(m.message.connection)
                await seen.append(m.topic)
            }
        }
        let statuses = Task {
            for await m in watcher.subscribe(Volta_V1_OrderStatus.self, prefix: "exec.status.") { await seen.append(m.topic) }
        }
        let quotes = Task {
            for await m in watcher.subscribe(Volta_V1_QuoteBatch.self, prefix: "gw.quotes.") { await seen.append(m.topic) }
        }
        await harness.settle()
        let adapter = FlakyAdapter()
        let gateway = GatewayService(bus: gatewayBus, adapter: adapter, logger: Logger(label: "gateway"), reconnectMax: .seconds(1))
        let run = Task { try await gateway.run() }
        defer { run.cancel(); watch.cancel(); statuses.cancel(); quotes.cancel() }
        let deadline = ContinuousClock.now + .seconds(10)
        // The backoff sleeps on the bus clock: the harness's manual clock is what moves it.
        while await snapshots.items.count < 2, ContinuousClock.now < deadline { await harness.pass(.milliseconds(100)) }
        // Attempt 1 failed; 2 connected and dropped; 3 connected and stays.
        #expect(await snapshots.items == [2, 3])
        #expect(adapter.attempts.load(ordering: .sequentiallyConsistent) == 3)
        let topics = await seen.items
        #expect(topics.filter { $0 == "exec.status.open-1" }.count == 2, "\(topics)")   // open orders re-read at each connect
        #expect(topics.contains("gw.quotes.SPY"), "\(topics)")
    }

    /// A request while the broker is away is UNAVAILABLE (retry), not BAD_REQUEST: execution
    /// reads BAD_REQUEST as the broker refusing the order and ends the intent.
    @Test func aPlaceWhileTheBrokerIsAwayIsAnsweredUnavailableNotRefused() async throws {
        let harness = InMemoryHarness()
        let gatewayBus = try harness.connect("gateway", service: "gateway")
        let client = try harness.connect("execution", service: "execution")
        // Attempt 1 fails; the clock is not moved, so the backoff keeps the gateway away.
        let gateway = GatewayService(bus: gatewayBus, adapter: FlakyAdapter(), logger: Logger(label: "gateway"))
        let run = Task { try await gateway.run() }
        defer { run.cancel() }
        await harness.settle()
        var request = Volta_V1_GatewayRequest()
        request.place = Volta_V1_Order.with { $0.orderID = "ex-1"; $0.quantity = 1; $0.orderType = .market }
        var answer: BusError?
        for _ in 0..<50 where answer == nil {
            do {
                _ = try await client.request(service: Topics.Service.gateway, request, as: Volta_V1_GatewayReply.self,
                                             timeout: .seconds(1), retries: 0)
            } catch let error as BusError {
                if case .noSuchService = error { await harness.settle() } else { answer = error }
            }
        }
        guard case let .remote(_, code, message)? = answer else { Issue.record("no error reply: \(String(describing: answer))"); return }
        #expect(code == .unavailable)
        #expect(message.contains("not connected"))
        #expect(answer?.isRefusal == false)
    }
}
