import Bus
import Foundation
import Messages
import TestSupport
import Testing

/// A client on the bus of a stack that runs the stops flow: it opens positions through
/// execution and watches stops, intents, orders and positions. The stack itself is started by a
/// subclass: as child processes (``StopsStack``) or as compose containers (``ComposeStack``).
class StopsWatcher: @unchecked Sendable {
    /// The settings the flow runs with, per service ("common": every one), as `--set` flags or
    /// one config file.
    static let settings: [String: [String: String]] = [
        "common": ["heartbeat.interval_ms": "200", "bus.heartbeat_ms": "200"],
        "gateway": ["gateway.tick_ms": "100", "gateway.account_ms": "500"],
        "marketdata": ["marketdata.history_days": "30", "marketdata.betas": "SPY=1"],
        "execution": ["execution.reprice_ms": "1000", "execution.max_reprices": "3", "execution.after_max_reprices": "marketable",
                      "execution.allowed_slippage": "0.2", "execution.spread_participation": "1"],
        "strategy": ["strategy.stops.min_trail": "0.02", "strategy.resubmit_ms": "500"],
    ]

    let bus: Bus
    let statuses = Collector<Volta_V1_OrderStatus>()
    let reports = Collector<Volta_V1_IntentExecution>()
    let intents = Collector<(intent: Volta_V1_OrderIntent, source: String)>()
    let stopStates = Collector<Volta_V1_StopState>()
    let positions = Collector<Volta_V1_Position>()
    /// The instance that published each stop state, in order.
    let stopSources = Collector<String>()
    private var tasks: [Task<Void, Never>] = []
    var opened: [Volta_V1_Instrument] = []

    init(bus: Bus) {
        self.bus = bus
        let (statuses, reports, intents, stopStates, positions, stopSources) = (self.statuses, self.reports, self.intents, self.stopStates, self.positions, self.stopSources)
        tasks = [
            Task { for await s in bus.subscribe(Volta_V1_OrderStatus.self, prefix: "exec.status.") { await statuses.append(s.message) } },
            Task { for await r in bus.subscribe(Volta_V1_IntentExecution.self, prefix: "exec.intent.") { await reports.append(r.message) } },
            Task { for await i in bus.subscribe(Volta_V1_OrderIntent.self, prefix: "strategy.intent.") {
                await intents.append((i.message, i.header.instance))
            } },
            Task { for await s in bus.subscribe(Volta_V1_StrategyState.self, prefix: Topics.strategyStates("stops") + ".") {
                // The stop manager's own state is the payload of its strategy state.
                guard var stop = try? Volta_V1_StopState(serializedBytes: s.message.payload) else { continue }
                stop.worker = s.message.worker
                await stopStates.append(stop)
                await stopSources.append(s.header.instance)
            } },
            Task { for await p in bus.subscribe(Volta_V1_Position.self, prefix: "acct.position.") { await positions.append(p.message) } },
        ]
    }

    func stopWatching() {
        for t in tasks { t.cancel() }
        bus.shutdown()
    }

    // MARK: Opening

    /// Buys two near-the-money calls, sells one put 3% out of the money and buys one put at the
    /// money, in an expiry over 30 days out, through execution (risk-checked, market orders).
    func openPositions() async throws {
        var spy = 0.0
        try await until(timeout: .seconds(30)) {
            guard let s = try? await fetchSnapshot(self.bus, stream: Topics.Service.marketdata, prefix: "md.quote.SPY"),
                  let e = s.entries.first, let q = try? Volta_V1_UnderlyingQuote(serializedBytes: e.payload) else { return false }
            spy = (q.bid + q.ask) / 2
            return spy > 0
        }
        var chainRequest = Volta_V1_GatewayRequest()
        chainRequest.chainUnderlying = "SPY"
        let chain = try await bus.request(service: Topics.Service.gateway, chainRequest, as: Volta_V1_GatewayReply.self).chain
        let today = ISO8601DateFormatter().string(from: Date(timeIntervalSinceNow: 40 * 86_400)).prefix(10)
        let expiry = try #require(chain.expiries.first { $0.expiry > today })
        func strike(_ level: Double) -> Int64 { expiry.strikeMicros.min { abs(Double($0) / 1e6 - level) < abs(Double($1) / 1e6 - level) }! }
        func option(_ right: Volta_V1_Right, _ strikeMicros: Int64) -> Volta_V1_Instrument {
            var i = Volta_V1_Instrument()
            i.symbol = "SPY"
            i.option.underlying = "SPY"
            i.option.expiry = expiry.expiry
            i.option.strikeMicros = strikeMicros
            i.option.right = right
            i.option.multiplier = 100
            return i
        }
        let plan: [(Volta_V1_Instrument, Volta_V1_Side, Int64)] = [
            (option(.call, strike(spy)), .buy, 2), (option(.put, strike(spy * 0.97)), .sell, 1), (option(.put, strike(spy)), .buy, 1),
        ]
        // Pricer and stats must be up before the stops can be sized and priced.
        try await until(timeout: .seconds(30)) { await self.pricerKnows(plan[0].0) }
        try await until(timeout: .seconds(30)) {
            var state = Volta_V1_RiskRequest()
            state.state = true
            return ((try? await self.bus.request(service: Topics.Service.risk, state, as: Volta_V1_RiskReply.self))?.state.netLiquidation ?? 0) > 0
        }
        for (n, (instrument, side, quantity)) in plan.enumerated() {
            let intent = marketIntent(id: "open-\(n)", strategy: "test", instrument, side, quantity: quantity, account: "SIM1")
            var request = Volta_V1_ExecutionRequest()
            request.submit = intent
            _ = try await bus.request(service: Topics.Service.execution, request, as: Volta_V1_ExecutionReply.self, timeout: .seconds(3), retries: 5)
        }
        opened = plan.map(\.0)
        try await until(timeout: .seconds(30)) {
            let done = await self.reports.items.filter { $0.intentID.hasPrefix("open-") && $0.orderState == .filled }
            return Set(done.map(\.intentID)).count == plan.count
        }
        // Every position has an armed stop before the fall.
        try await until(timeout: .seconds(30)) {
            Set(await self.stopStates.items.filter { $0.status == "armed" && $0.stopLevel > 0 }.map(\.instrument.option.strikeMicros)).count >= 2
        }
    }

    func pricerKnows(_ i: Volta_V1_Instrument) async -> Bool {
        var r = Volta_V1_PricerRequest()
        r.priceAt.contract = i.option
        do {
            return try await bus.request(service: Topics.Service.pricer, r, as: Volta_V1_PricerReply.self, timeout: .seconds(1), retries: 0)
                .priceAt.greeks.theo > 0
        } catch {
            print("pricer: \(error) for \(i.option)")
            return false
        }
    }

    // MARK: Watching

    func intentSources() async -> Set<String> { Set(await intents.items.map(\.source)) }
    /// The workers that sent intents made at or after `ns` (bus time: the wall clock, live).
    func intentSources(createdAfter ns: Int64) async -> Set<String> {
        Set(await intents.items.filter { $0.intent.createdNs >= ns }.map(\.source))
    }

    func stopOrderIDs() async -> Set<String> {
        Set(await statuses.items.map(\.orderID).filter { $0.hasPrefix("ex-stop-") })
    }

    func exits() async -> [Volta_V1_IntentExecution] {
        var last: [String: Volta_V1_IntentExecution] = [:]
        for r in await reports.items where r.intentID.hasPrefix("stop-") { last[r.intentID] = r }
        return last.keys.sorted().map { last[$0]! }
    }

    /// Both stops the fall crosses (the long calls, the short put) end filled; the long put,
    /// whose stop sits above the low, never fires.
    func waitForExits() async throws {
        do {
            try await until(timeout: .seconds(90)) {
                let done = await self.exits().filter { $0.stage == .stageDone && $0.orderState == .filled }
                return done.count >= 2
            }
        } catch {
            for e in await exits() { print("exit: \(e.intentID) \(e.stage) \(e.orderState) filled \(e.filledQuantity) limit \(e.limitPriceMicros) reprices \(e.reprices) \(e.reason)") }
            throw error
        }
        let exits = await exits()
        #expect(exits.count == 2, "\(exits.map(\.intentID))")
        for e in exits {
            #expect(e.filledQuantity == e.quantity)
            #expect(e.realizedPnlMicros != 0, "no P&L recorded for \(e.intentID)")
            #expect(e.instrument.contains(" C ") || e.instrument.contains(" P "))
        }
        let longPut = opened[2].option
        #expect(!exits.contains { $0.intentID.contains("P\(longPut.strikeMicros)-c") && $0.intentID.contains("-q1-") })
        // The positions are flat.
        try await until(timeout: .seconds(10)) {
            let latest = Dictionary(await self.positions.items.map { (Topics.position(account: $0.account, instrument: $0.instrument), $0.quantity) },
                                    uniquingKeysWith: { $1 })
            return self.opened.prefix(2).allSatisfy { latest[Topics.position(account: "SIM1", instrument: $0)] == 0 }
        }
    }

    /// One broker order per fired stop, and no fill beyond its quantity.
    func checkOneOrderPerStop() async throws {
        try await Task.sleep(for: .seconds(1))
        let exits = await exits()
        let orders = await stopOrderIDs()
        #expect(orders == Set(exits.map { "ex-" + $0.intentID }), "orders \(orders.sorted()) for intents \(exits.map(\.intentID))")
        let intentIDs = Set(await intents.items.map(\.intent.intentID))
        #expect(intentIDs == Set(exits.map(\.intentID)))
        for e in exits { #expect(e.filledQuantity <= e.quantity) }
    }
}
