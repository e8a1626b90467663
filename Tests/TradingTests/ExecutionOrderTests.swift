@testable import ExecutionService
import Bus
import Messages
import TestSupport
import Testing

/// Orders as traders use them, from intent to what reaches the gateway: every type as given,
/// time in force, IB's Adaptive algo, refusals by name, and brackets placed with the entry or
/// after its fill (two-step).
@Suite("Execution: order types, brackets and refusals", .serialized)
struct ExecutionOrderTests {
    typealias Stack = ExecutionSafetyTests.Stack

    static func intent(_ id: String, _ type: Volta_V1_OrderType, side: Volta_V1_Side = .sell, right: Volta_V1_Right = .call,
                       _ build: (inout Volta_V1_OrderIntent) -> Void = { _ in }) -> Volta_V1_OrderIntent {
        var i = Volta_V1_OrderIntent.with {
            $0.intentID = id
            $0.strategy = "test"
            $0.purpose = .open
            $0.legs = [Volta_V1_Leg.with { $0.instrument = testOption(right); $0.side = side; $0.ratio = 1 }]
            $0.quantity = 2
            $0.orderType = type
        }
        build(&i)
        return i
    }

    func placed(_ stack: Stack, _ orderID: String) async throws -> Volta_V1_Order {
        try await stack.waitFor("order \(orderID) at the gateway") { stack.gateway.orders.withLock { $0.contains { $0.orderID == orderID } } }
        return try #require(stack.gateway.orders.withLock { $0.first { $0.orderID == orderID } })
    }

    @Test func stopStopLimitTrailingAndAsGivenLimitsReachTheGatewayAsGiven() async throws {
        let stack = try Stack()
        defer { stack.stop() }
        _ = try await stack.submit(Self.intent("stop", .stop) { $0.stopPriceMicros = 1_500_000; $0.tif = .gtc })
        _ = try await stack.submit(Self.intent("stop-limit", .stopLimit) { $0.stopPriceMicros = 1_500_000; $0.limitPriceMicros = 1_450_000 })
        _ = try await stack.submit(Self.intent("trail", .trailingStop) { $0.trailPercent = 5 })
        _ = try await stack.submit(Self.intent("adaptive", .limit, side: .buy) {
            $0.priceAsGiven = true; $0.limitPriceMicros = 2_350_000; $0.tif = .ioc; $0.algo = "adaptive"; $0.algoPriority = "urgent"
        })
        let stop = try await placed(stack, "ex-stop")
        #expect(stop.orderType == .stop && stop.stopPriceMicros == 1_500_000 && stop.tif == .gtc && stop.limitPriceMicros == 0)
        let stopLimit = try await placed(stack, "ex-stop-limit")
        #expect(stopLimit.orderType == .stopLimit && stopLimit.stopPriceMicros == 1_500_000 && stopLimit.limitPriceMicros == 1_450_000)
        let trail = try await placed(stack, "ex-trail")
        #expect(trail.orderType == .trailingStop && trail.trailPercent == 5 && trail.tif == .day)
        let adaptive = try await placed(stack, "ex-adaptive")
        #expect(adaptive.orderType == .limit && adaptive.limitPriceMicros == 2_350_000 && adaptive.tif == .ioc)
        #expect(adaptive.algo == "adaptive" && adaptive.algoPriority == "urgent")
    }

    @Test func whatCannotBeSentIsRefusedByName() async throws {
        let stack = try Stack()
        defer { stack.stop() }
        func refusal(_ intent: Volta_V1_OrderIntent) async -> String {
            do {
                _ = try await stack.ask { $0.submit = intent }
                return "accepted"
            } catch BusError.remote(_, .badRequest, let message) {
                return message
            } catch {
                return "\(error)"
            }
        }
        _ = try await stack.submit(Self.intent("first", .market))  // execution has reconciled
        #expect(await refusal(Self.intent("no-stop", .stop)).contains("STOP needs stop_price_micros"))
        #expect(await refusal(Self.intent("vwap", .market) { $0.algo = "vwap" }).contains("algo 'vwap' is not supported"))
        #expect(await refusal(Self.intent("ratio", .market) { $0.bracket.takeProfitRatio = 1.5 }).contains("need after_fill"))
        #expect(await refusal(Self.intent("combo-stop", .stop) {
            $0.stopPriceMicros = 1_000_000
            $0.legs.append(Volta_V1_Leg.with { $0.instrument = testOption(.put); $0.side = .buy; $0.ratio = 1 })
        }).contains("a combo goes as MARKET or LIMIT"))
        // Found by schemathesis: an option expiring in 3436 crashed execution (nanoseconds overflow).
        #expect(await refusal(Self.intent("far", .market) { $0.legs[0].instrument.option.expiry = "3436-06-15" }).contains("is not a date YYYY-MM-DD"))
        // The one accepted intent's place is asynchronous: wait for it, then nothing else is there.
        try await stack.waitFor("the accepted intent's place") { !stack.gateway.placed.isEmpty }
        #expect(stack.gateway.placed == ["place ex-first"])
    }

    /// Buy 2 calls at 3.00 with a take profit at 4.50 and a stop at 2.00: three orders, the
    /// children held by the broker under the entry, in one OCA group, GTC; risk checked once.
    @Test func aBracketGoesWithItsEntryAsHeldChildrenInOneOCAGroup() async throws {
        let stack = try Stack()
        defer { stack.stop() }
        _ = try await stack.submit(Self.intent("entry", .limit, side: .buy) {
            $0.priceAsGiven = true
            $0.limitPriceMicros = 3_000_000
            $0.bracket.takeProfitMicros = 4_500_000
            $0.bracket.stopLossMicros = 2_000_000
        })
        let takeProfit = try await placed(stack, "ex-entry.take_profit")
        let stopLoss = try await placed(stack, "ex-entry.stop_loss")
        #expect(takeProfit.orderType == .limit && takeProfit.limitPriceMicros == 4_500_000 && takeProfit.legs[0].side == .sell)
        #expect(stopLoss.orderType == .stop && stopLoss.stopPriceMicros == 2_000_000 && stopLoss.legs[0].side == .sell)
        for child in [takeProfit, stopLoss] {
            #expect(child.parentOrderID == "ex-entry" && child.ocaGroup == "oca-entry" && child.tif == .gtc && child.quantity == 2)
        }
        #expect(stack.gateway.placed.first == "place ex-entry")
        #expect(stack.gateway.riskChecks.withLock { $0 } == ["entry"])
        let child = try #require(await stack.report("entry.take_profit"))
        #expect(child.parentIntentID == "entry" && child.role == "take_profit" && child.purpose == .close)
    }

    /// Two-step: sell 1 put; once it fills at 1.23 the exits go out for what filled, in a new
    /// OCA group: buy back at 0.4 × 1.23 = 0.492 → 0.50 (a buy limit rounds up, toward a fill,
    /// on the 0.05 tick), stop at 3 × 1.23 = 3.69 → 3.65 (a buy stop rounds down: it triggers
    /// sooner).
    @Test func aTwoStepBracketPlacesItsExitsAfterTheFillAtRatiosOfTheFillPriceOnTheTick() async throws {
        let stack = try Stack()
        defer { stack.stop() }
        stack.gateway.minTick.withLock { $0 = 0.05 }
        _ = try await stack.submit(Self.intent("short-put", .market, right: .put) {
            $0.quantity = 1
            $0.bracket.takeProfitRatio = 0.4
            $0.bracket.stopLossRatio = 3.0
            $0.bracket.afterFill = true
        })
        _ = try await placed(stack, "ex-short-put")
        #expect(stack.gateway.placed == ["place ex-short-put"])  // nothing before the fill
        stack.gatewayBus.publish(Volta_V1_OrderStatus.with {
            $0.orderID = "ex-short-put"; $0.state = .filled; $0.filledQuantity = 1; $0.avgFillPriceMicros = 1_230_000
        })
        let takeProfit = try await placed(stack, "ex-short-put.take_profit")
        let stopLoss = try await placed(stack, "ex-short-put.stop_loss")
        #expect(takeProfit.limitPriceMicros == 500_000 && takeProfit.legs[0].side == .buy && takeProfit.quantity == 1)
        #expect(stopLoss.stopPriceMicros == 3_650_000 && stopLoss.legs[0].side == .buy)
        #expect(takeProfit.parentOrderID.isEmpty && stopLoss.parentOrderID.isEmpty)
        #expect(takeProfit.ocaGroup == "oca-short-put" && stopLoss.ocaGroup == "oca-short-put")
    }

    /// The put seller's entry: unfilled after 300 s, cancelled; a minute later placed again as
    /// Adaptive Urgent (a new order, `~1`); unfilled again, cancelled, and the intent ends saying
    /// it gave up. Two orders, two cancels, nothing else.
    @Test func anEntryThatTimesOutIsCancelledRetriedWithAnotherPriorityThenGivenUp() async throws {
        let stack = try Stack()
        defer { stack.stop() }
        _ = try await stack.submit(Self.intent("patient", .limit) {
            $0.priceAsGiven = true
            $0.limitPriceMicros = 2_000_000
            $0.algo = "adaptive"
            $0.algoPriority = "normal"
            $0.timeout = Volta_V1_EntryTimeout.with { $0.seconds = 300; $0.retries = 1; $0.retryAfterSeconds = 60; $0.retryAlgoPriority = "urgent" }
        })
        let first = try await placed(stack, "ex-patient")
        #expect(first.algoPriority == "normal")
        await stack.harness.pass(.seconds(299))
        #expect(stack.gateway.cancelled.isEmpty)
        await stack.harness.pass(.seconds(2))
        try await stack.waitFor("the first attempt's cancel") { stack.gateway.cancelled == ["cancel ex-patient"] }
        let waiting = try #require(await stack.report("patient"))
        #expect(waiting.stage == .stageWorking, "a retry is coming: \(waiting)")
        await stack.harness.pass(.seconds(61))
        let retry = try await placed(stack, "ex-patient~1")
        #expect(retry.algo == "adaptive" && retry.algoPriority == "urgent" && retry.limitPriceMicros == 2_000_000)
        #expect(await stack.report("patient")?.attempt == 1)
        await stack.harness.pass(.seconds(301))
        try await stack.waitFor("the retry's cancel") { stack.gateway.cancelled.count == 2 }
        #expect(await eventually(stack.harness) { await stack.report("patient")?.stage == .stageDone })
        let done = try #require(await stack.report("patient"))
        #expect(done.reason.contains("gave up") && done.filledQuantity == 0)
        #expect(stack.gateway.placed == ["place ex-patient", "place ex-patient~1"])
        #expect(stack.gateway.riskChecks.withLock { $0 } == ["patient"])
    }

    /// An attempt with a partial fill keeps working past the timeout.
    @Test func aPartiallyFilledEntryIsNotCancelledByItsTimeout() async throws {
        let stack = try Stack()
        defer { stack.stop() }
        _ = try await stack.submit(Self.intent("partial", .market) {
            $0.timeout = Volta_V1_EntryTimeout.with { $0.seconds = 10 }
        })
        _ = try await placed(stack, "ex-partial")
        stack.gatewayBus.publish(Volta_V1_Fill.with { $0.fillID = "f1"; $0.orderID = "ex-partial"; $0.quantity = 1; $0.priceMicros = 1_000_000 })
        #expect(await eventually(stack.harness) { await stack.report("partial")?.filledQuantity == 1 })
        await stack.harness.pass(.seconds(30))
        #expect(stack.gateway.cancelled.isEmpty)
        #expect(await stack.report("partial")?.stage == .stageWorking)
    }
}
