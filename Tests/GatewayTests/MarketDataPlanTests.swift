import Messages
import Testing
@testable import GatewayService

/// The rules of which instruments hold IB's market data lines when they run short.
@Suite struct MarketDataPlanTests {
    static func i(_ name: String) -> Volta_V1_Instrument {
        let parts = name.split(separator: " ").map(String.init)
        guard parts.count == 4 else { return .with { $0.symbol = name } }
        return .with {
            $0.symbol = parts[0]
            $0.option = .with { o in
                o.underlying = parts[0]; o.expiry = parts[1]; o.right = parts[2] == "P" ? .put : .call
                o.strikeMicros = Int64(parts[3])! * 1_000_000; o.multiplier = 100
            }
        }
    }

    static let needs: [(Volta_V1_Instrument, MarketDataPlan.Need)] = [
        (i("SPY"), .asked), (i("VIX"), .asked),
        (i("SPY 2027-01-15 C 600"), .window), (i("SPY 2027-01-15 P 600"), .window), (i("SPY 2027-01-15 C 605"), .window),
        (i("QQQ"), .held), (i("QQQ 2027-01-15 C 500"), .held),
        (i("SPY 2027-01-15 P 600"), .held),  // a window option that is also a position: held
    ]

    @Test func heldBeforeAskedBeforeTheWindowEachInItsOrder() {
        let plan = MarketDataPlan(Self.needs, refused: [], capacity: 10, reserve: 0)
        #expect(plan.streamed.map(\.displayName) == ["QQQ", "QQQ 2027-01-15 C 500", "SPY 2027-01-15 P 600", "SPY", "VIX",
                                                     "SPY 2027-01-15 C 600", "SPY 2027-01-15 C 605"])
        #expect(plan.left.isEmpty)
    }

    @Test func theWindowLeavesTheReserveFreeAndItsOverflowUnnamed() {
        let plan = MarketDataPlan(Self.needs, refused: [], capacity: 7, reserve: 1)
        #expect(plan.streamed.count == 6 && plan.streamed.last?.displayName == "SPY 2027-01-15 C 600")
        #expect(plan.left.isEmpty, "the window is what is left out, unnamed")
    }

    @Test func whatIsHeldOrAskedBeyondTheCapIsNamedAndTheRefusedAreNotAsked() {
        let plan = MarketDataPlan(Self.needs, refused: ["QQQ"], capacity: 3, reserve: 2)
        #expect(plan.streamed.map(\.displayName) == ["QQQ 2027-01-15 C 500", "SPY 2027-01-15 P 600", "SPY"])
        #expect(plan.left == ["VIX"])
    }
}
