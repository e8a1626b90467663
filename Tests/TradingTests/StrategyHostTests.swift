import Bus
import Logging
import Messages
import StopsStrategy
import StrategyKit
import StrategyService
import Synchronization
import TestSupport
import Testing
import TimedBracketStrategy

/// The generic host with a plug-in that is not the stop manager: the example that opens a
/// bracketed position on a timer trades through the same host, risk check and execution as
/// the stops (execution and its scripted gateway from ExecutionSafetyTests), in-process on the
/// manual clock.
@Suite("Strategy host", .serialized)
struct StrategyHostTests {
    typealias Stack = ExecutionSafetyTests.Stack

    static func quote(strike: Int64, bid: Double, ask: Double, expiry: String = "2026-02-02") -> Volta_V1_OptionQuote {
        Volta_V1_OptionQuote.with {
            $0.contract = testOption(.call, strike: strike, expiry: expiry).option
            $0.bid = bid
            $0.ask = ask
        }
    }

    @Test func theTimedBracketPluginEntersOnItsTimerAndItsExitsFollowTheFill() async throws {
        let stack = try Stack()
        defer { stack.stop() }
        var settings = TimedBracket.Settings()
        settings.periodNs = 60_000_000_000
        settings.targetDays = 30
        let host = StrategyHost(bus: try stack.harness.connect("strategy-1", service: "strategy"),
                                strategies: [TimedBracket(settings: settings)], logger: Logger(label: "strategy"),
                                resubmitPeriod: .milliseconds(500))
        let running = Task { try? await host.run() }
        defer { running.cancel() }
        let market = try stack.harness.connect("marketdata", service: "md")
        let states = Collector<Volta_V1_StrategyState>()
        let watching = Task { for await s in market.subscribe(Volta_V1_StrategyState.self, prefix: "strategy.state.timed-bracket.") { await states.append(s.message) } }
        defer { watching.cancel() }
        await stack.harness.pass(.milliseconds(200))  // the host asks marketdata for a snapshot, finds none, follows live
        market.publish(Volta_V1_UnderlyingQuote.with { $0.symbol = "SPY"; $0.bid = 599.9; $0.ask = 600.1; $0.last = 600 })
        for q in [Self.quote(strike: 590, bid: 14, ask: 14.2), Self.quote(strike: 600, bid: 8.1, ask: 8.3),
                  Self.quote(strike: 600, bid: 5, ask: 5.2, expiry: "2026-01-16")] { market.publish(q) }
        await stack.harness.settle()

        // The next minute boundary of bus time: the entry, at the ask of the 30-day at-the-money call.
        stack.harness.clock.advance(by: .seconds(61))
        try await stack.waitFor("the entry at the gateway") { !stack.gateway.orders.withLock { $0.isEmpty } }
        let entry = try #require(stack.gateway.orders.withLock { $0.first })
        #expect(entry.legs[0].instrument.option.strikeMicros == 600_000_000 && entry.legs[0].instrument.option.expiry == "2026-02-02")
        #expect(entry.orderType == .limit && entry.limitPriceMicros == 8_300_000 && entry.legs[0].side == .buy)
        #expect(stack.gateway.riskChecks.withLock { $0 } == [entry.intentID])

        // It fills at 8.20: take profit at 1.5 × = 12.30, stop at 0.5 × = 4.10, in one OCA group.
        stack.gatewayBus.publish(Volta_V1_OrderStatus.with {
            $0.orderID = entry.orderID; $0.state = .filled; $0.filledQuantity = 1; $0.avgFillPriceMicros = 8_200_000
        })
        try await stack.waitFor("the two exits") { stack.gateway.orders.withLock { $0.count } == 3 }
        let exits = stack.gateway.orders.withLock { Array($0.dropFirst()) }
        #expect(Set(exits.map(\.ocaGroup)) == ["oca-\(entry.intentID)"])
        #expect(exits.contains { $0.orderType == .limit && $0.limitPriceMicros == 12_300_000 && $0.legs[0].side == .sell })
        #expect(exits.contains { $0.orderType == .stop && $0.stopPriceMicros == 4_100_000 && $0.legs[0].side == .sell })

        // The take profit fills: the plug-in's state says the position closed, and the next
        // period opens another (max_open 1 allowed it only once the first was over).
        let takeProfit = try #require(exits.first { $0.orderType == .limit })
        stack.gatewayBus.publish(Volta_V1_OrderStatus.with {
            $0.orderID = takeProfit.orderID; $0.state = .filled; $0.filledQuantity = 1; $0.avgFillPriceMicros = 12_300_000
        })
        #expect(await eventually(stack.harness) { await states.items.contains { $0.status == "closed" && $0.summary.hasPrefix("take_profit filled") } })
        stack.harness.clock.advance(by: .seconds(60))
        try await stack.waitFor("a second entry") { stack.gateway.orders.withLock { $0.count } == 4 }
    }

    /// Two workers, one key: only the owner's actions run; once the owner is gone the other
    /// resubmits the pending intent under the same id, and execution places nothing new.
    @Test func onlyTheOwnerActsAndAHandoverResubmitsTheSameIntent() async throws {
        let stack = try Stack()
        defer { stack.stop() }
        var settings = TimedBracket.Settings()
        settings.periodNs = 60_000_000_000
        settings.marketHoursOnly = false
        let buses = try ["strategy-a", "strategy-b"].map { try stack.harness.connect($0, service: "strategy") }
        let hosts = buses.map { StrategyHost(bus: $0, strategies: [TimedBracket(settings: settings)], logger: Logger(label: "s"),
                                             resubmitPeriod: .milliseconds(500)) }
        let running = hosts.map { h in Task { try? await h.run() } }
        defer { for r in running { r.cancel() } }
        // Each worker hears the other heartbeating once a second of bus time, until it is stopped.
        let alive = Mutex(Set(buses.map(\.identity.instance)))
        func beat() {
            for b in buses where alive.withLock({ $0.contains(b.identity.instance) }) {
                b.publish(Volta_V1_Heartbeat.with {
                    $0.source.service = "strategy"; $0.source.instance = b.identity.instance; $0.state = .running; $0.intervalMs = 1_000
                })
            }
        }
        func advance(seconds: Int) async {
            for _ in 0..<seconds {
                beat()
                await stack.harness.settle()
                stack.harness.clock.advance(by: .seconds(1))
                await stack.harness.settle()
            }
        }
        let market = try stack.harness.connect("marketdata", service: "md")
        let intents = Collector<(id: String, worker: String)>()
        let watching = Task { for await i in market.subscribe(Volta_V1_OrderIntent.self, prefix: "strategy.intent.") {
            await intents.append((i.message.intentID, i.header.instance))
        } }
        defer { watching.cancel() }
        beat()
        await stack.harness.pass(.milliseconds(200))
        market.publish(Volta_V1_UnderlyingQuote.with { $0.symbol = "SPY"; $0.bid = 599.9; $0.ask = 600.1 })
        market.publish(Self.quote(strike: 600, bid: 8.1, ask: 8.3))
        await advance(seconds: 61)
        try await stack.waitFor("the entry") { !stack.gateway.orders.withLock { $0.isEmpty } }
        await advance(seconds: 2)   // resubmits: the owner's only, the same id
        #expect(stack.gateway.orders.withLock { $0.count } == 1)
        let first = await intents.items
        #expect(first.count == 1, "published once, by the owner: \(first)")
        let owner = try #require(first.first)

        // The owner stops; once its heartbeats are stale the other takes SPY over and resubmits
        // the entry it had noted: the same id, so execution places nothing new.
        let index = try #require(buses.firstIndex { $0.identity.instance == owner.worker })
        running[index].cancel()
        alive.withLock { _ = $0.remove(owner.worker) }
        for _ in 0..<20 where await !intents.items.contains(where: { $0.worker != owner.worker }) { await advance(seconds: 1) }
        let taken = await intents.items.filter { $0.worker != owner.worker }
        #expect(taken.map(\.id) == [owner.id])
        #expect(stack.gateway.orders.withLock { $0.count } == 1)
        #expect(owner.id.hasPrefix("timed-bracket-timed-bracket-SPY-"))
    }

    /// An operator's "run now" through the host's service: an unknown strategy and a closed
    /// market are refused saying why; forced, the routine runs (an entry reaches the gateway);
    /// the schedule lists the timers the strategies set.
    @Test func runNowIsRefusedWhenClosedUnlessForcedAndTheScheduleListsTheTimers() async throws {
        let stack = try Stack()
        defer { stack.stop() }
        var settings = TimedBracket.Settings()
        settings.periodNs = 7 * 86_400_000_000_000
        settings.targetDays = 30
        let host = StrategyHost(bus: try stack.harness.connect("strategy-1", service: "strategy"),
                                strategies: [TimedBracket(settings: settings)], logger: Logger(label: "strategy"),
                                resubmitPeriod: .milliseconds(500))
        let running = Task { try? await host.run() }
        defer { running.cancel() }
        let calendar = NYSEExchangeCalendar()
        let clock = stack.harness.clock
        if calendar.isOpen(at: clock.now()) { clock.advance(by: .nanoseconds(calendar.session(atOrAfter: clock.now()).close - clock.now() + 60_000_000_000)) }
        let market = try stack.harness.connect("marketdata", service: "md")
        await stack.harness.pass(.milliseconds(200))
        market.publish(Volta_V1_UnderlyingQuote.with { $0.symbol = "SPY"; $0.bid = 599.9; $0.ask = 600.1; $0.last = 600 })
        market.publish(Self.quote(strike: 600, bid: 8.1, ask: 8.3))
        await stack.harness.settle()

        func ask(_ name: String, force: Bool) async throws -> Volta_V1_StrategyReply {
            var request = Volta_V1_StrategyRequest()
            request.trigger = .with { $0.strategy = name; $0.force = force; $0.requestedBy = "test" }
            return try await market.request(service: Topics.Service.strategy, request, as: Volta_V1_StrategyReply.self, timeout: .seconds(5))
        }
        #expect(try await ask("nope", force: false).outcome == "unknown_strategy")
        let closed = try await ask("timed-bracket", force: false)
        #expect(closed.outcome == "market_closed" && closed.detail.contains("force"))
        await stack.harness.settle()
        #expect(stack.gateway.orders.withLock { $0.isEmpty })
        #expect(try await ask("timed-bracket", force: true).outcome == "triggered")
        try await stack.waitFor("the entry run now at the gateway") { !stack.gateway.orders.withLock { $0.isEmpty } }
        #expect(stack.gateway.orders.withLock { $0.count } == 1)

        var schedule = Volta_V1_StrategyRequest()
        schedule.schedule = true
        let timers = try await market.request(service: Topics.Service.strategy, schedule, as: Volta_V1_StrategyReply.self, timeout: .seconds(5)).timers
        #expect(timers.contains { $0.strategy == "timed-bracket" && $0.timerID == "entry" && $0.atNs > clock.now() }, "\(timers)")
    }

    /// The stop manager as a plug-in, fed events with no bus: a crossing submits a closing
    /// intent whose cancel condition is the recovery through the stop, expecting the theo at
    /// the level that was asked ahead.
    /// Each worker tells the gateway what its strategies need quoted (the stops' index and VIX,
    /// the timed bracket's SPY with its options) and renews it within its lease, on bus time.
    @Test func theHostTellsTheGatewayWhatItsStrategiesNeedQuotedAndRenewsIt() async throws {
        let stack = try Stack()
        defer { stack.stop() }
        var settings = TimedBracket.Settings()
        settings.periodNs = 7 * 86_400_000_000_000
        let host = StrategyHost(bus: try stack.harness.connect("strategy-1", service: "strategy"),
                                strategies: [StopManager(book: StopBook(profile: .paper, instance: "stops", worker: "strategy-1")),
                                             TimedBracket(settings: settings)], logger: Logger(label: "strategy"))
        let gateway = try stack.harness.connect("gw-watch", service: "gw-watch")
        let told = Collector<Volta_V1_MarketDataInterest>()
        let watching = Task { for await m in gateway.subscribe(Volta_V1_MarketDataInterest.self, prefix: Topics.Prefix.marketDataInterests) { await told.append(m.message) } }
        defer { watching.cancel() }
        await stack.harness.pass(.milliseconds(100))
        let running = Task { try? await host.run() }
        defer { running.cancel() }
        #expect(await eventually(stack.harness) { await told.items.count == 1 })
        let first = try #require(await told.items.first)
        #expect(first.owner == "strategy/strategy-1" && first.underlyings == ["SPX", "SPY", "VIX"] && first.optionUnderlyings == ["SPY"])
        #expect(first.leaseNs > 2 * 30_000_000_000, "renewed well within its lease")
        stack.harness.clock.advance(by: .seconds(31))
        #expect(await eventually(stack.harness) { await told.items.count == 2 })
    }

    @Test func theStopManagerFiresAClosingIntentWithAGenericCancelCondition() throws {
        let now: Int64 = 1_795_186_800_000_000_000
        var stops = StopManager(book: StopBook(profile: .paper, instance: "stops", worker: "w1"))
        let context = StrategyContext(now: now, worker: "w1", calendar: NYSEExchangeCalendar()) { _ in true }
        for s in [Volta_V1_UnderlyingStats.with { $0.symbol = "SPX"; $0.vix = 22; $0.beta = 1 },
                  Volta_V1_UnderlyingStats.with { $0.symbol = "SPY"; $0.beta = 1 }] { _ = stops.handle(.stats(s), context) }
        _ = stops.handle(.underlyingQuote(Volta_V1_UnderlyingQuote.with { $0.symbol = "SPY"; $0.last = 600 }), context)
        let armed = stops.handle(.position(Volta_V1_Position.with {
            $0.account = "SIM1"; $0.instrument = testOption(.call); $0.quantity = 2; $0.avgCostMicros = 5_000_000
        }), context)
        guard case let .askTheo(id, _, level, owner)? = armed.first(where: { if case .askTheo = $0 { true } else { false } }) else {
            Issue.record("no theo asked for the armed stop: \(armed)"); return
        }
        #expect(owner == "SPY" && level < 600)
        _ = stops.handle(.theo(id: id, theo: 2.5), context)
        let fired = stops.handle(.underlyingQuote(Volta_V1_UnderlyingQuote.with { $0.symbol = "SPY"; $0.last = level - 0.01 }), context)
        let intent = try #require(fired.compactMap { if case let .submit(i, _) = $0 { i } else { nil } }.first)
        #expect(intent.strategy == "stops" && intent.purpose == .close && intent.reason == "stop_loss" && intent.legs[0].side == .sell)
        #expect(intent.expectedPriceMicros == 2_500_000)
        #expect(intent.cancelIf.underlying == "SPY" && intent.cancelIf.level == level && intent.cancelIf.above)
        #expect(fired.contains { if case .alert(.warning, _, "SPY") = $0 { true } else { false } })
        #expect(fired.contains { if case let .publish(s) = $0 { s.status == "triggered" && s.payloadType == "volta.v1.StopState" } else { false } })
    }
}
