import Bus
import Market
import Messages

/// The stops flow's positions, opened through execution as a trader would: two near-the-money
/// SPY calls bought, a put 3% out sold, a put at the money bought, in the first expiry over 30
/// days out. The kernel's tests and `bench e2e`'s kernel deployment open the same book.
public enum StopsFlowPositions {
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    public static func open(_ bus: Bus, account: String = "SIM1") async throws {
        let chain = try await bus.request(service: Topics.Service.gateway, Volta_V1_GatewayRequest.with { $0.chainUnderlying = "SPY" },
                                          as: Volta_V1_GatewayReply.self).chain
        let snapshot = try await bus.request(service: Topics.Service.snapshot(of: Topics.Service.marketdata),
                                             Volta_V1_SnapshotRequest.with { $0.prefix = Topics.underlyingQuote("SPY") },
                                             as: Volta_V1_Snapshot.self)
        guard let entry = snapshot.entries.first else { throw Missing(description: "marketdata has no SPY quote") }
        let spy = try Volta_V1_UnderlyingQuote(serializedBytes: entry.payload).referencePrice
        let month = NewYorkTime.local(bus.clock.now() + 30 * 86_400_000_000_000).date.description
        guard let expiry = chain.expiries.first(where: { $0.expiry > month }), !expiry.strikeMicros.isEmpty else {
            throw Missing(description: "no SPY expiry after \(month)")
        }
        func strike(_ level: Double) -> Int64 { expiry.strikeMicros.min { abs(Double($0) / 1e6 - level) < abs(Double($1) / 1e6 - level) }! }
        let plan: [(Volta_V1_Right, Int64, Volta_V1_Side, Int64)] = [
            (.call, strike(spy), .buy, 2), (.put, strike(spy * 0.97), .sell, 1), (.put, strike(spy), .buy, 1)]
        for (n, (right, k, side, quantity)) in plan.enumerated() {
            let intent = Volta_V1_OrderIntent.with {
                $0.intentID = "open-\(n)"
                $0.strategy = "test"
                $0.purpose = .open
                $0.legs = [Volta_V1_Leg.with { leg in
                    leg.instrument = testOption(right, strike: k / 1_000_000, expiry: expiry.expiry)
                    leg.side = side
                    leg.ratio = 1
                }]
                $0.quantity = quantity
                $0.orderType = .market
                $0.account = account
            }
            _ = try await bus.request(service: Topics.Service.execution, Volta_V1_ExecutionRequest.with { $0.submit = intent },
                                      as: Volta_V1_ExecutionReply.self)
        }
    }
}
