import ArgumentParser
import Bus
import Foundation
import GatewayService
import Market
import Messages
import StopsStrategy
import Trading
import TradingKernel

/// `bench kernel`: market events per second through the trading kernel (the venue, marketdata,
/// the pricer, risk, execution and the stop manager on 20 positions, in one process on the serial
/// scheduler), against the bare simulation producing the same quotes with no services, measured
/// in the same run. SPY with 4 expiries × 31 strikes, SPX and the VIX beside it, a step a second.
struct KernelBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kernel", abstract: "Market events per second through the trading kernel.")

    @Option(help: "Simulated seconds measured (after a warm-up of 10 and the positions' opening).") var seconds = 300
    @Option(help: "Repetitions; medians are reported.") var repeats = 3

    static func scenario() -> Scenario {
        var s = Scenario()
        s.market.seed = 17
        s.market.underlyings.removeAll { $0.symbol != "SPY" }
        s.market.listing.weeklies = 1
        s.market.listing.monthlies = 3
        s.market.listing.strikesEachSide = 15
        s.account = SimAccount(id: "SIM1", cashMicros: 10_000_000 * 1_000_000)
        return s
    }

    func run() async throws {
        warnIfDebugBuild()
        var ours: [Double] = [], bare: [Double] = [], events = 0, messages = 0
        for _ in 0..<repeats {
            let k = try kernelRun()
            ours.append(k.rate)
            events = k.events
            messages = k.messages
            bare.append(try simulationRun())
        }
        print(Result(name: "kernel_market_events", value: median(ours), unit: "events/s", reference: median(bare),
                     referenceName: "the bare simulation producing the same quotes, no services",
                     extra: ["simulated_s": "\(seconds)", "events": "\(events)", "bus_messages": "\(messages)", "positions": "20",
                             "runs": "\(repeats)", "spread": "\(Int(ours.min() ?? 0))-\(Int(ours.max() ?? 0))"]).json)
    }

    /// Quote updates per wall second through the kernel, and how many.
    func kernelRun() throws -> (rate: Double, events: Int, messages: Int) {
        var c = TradingKernel.Configuration()
        c.scenario = Self.scenario()
        c.tick = .seconds(1)
        c.marketdata.historyDays = 30
        c.marketdata.betas = ["SPY": 1]
        c.logLevel = .error
        var profile = StopProfile.paper
        profile.minTrail = 0.02
        let kernel = try TradingKernel(c, strategies: [StopManager(book: StopBook(profile: profile, instance: "stops", worker: "strategy"))])
        kernel.start()
        kernel.run(for: .seconds(10))
        kernel.perform { bus in await Self.openTwentyPositions(bus) }
        kernel.run(for: .seconds(10))
        let before = kernel.eventLog.count
        let t0 = monotonicSeconds()
        kernel.run(for: .seconds(seconds))
        let wall = monotonicSeconds() - t0
        let log = kernel.eventLog
        kernel.stop()
        let quotes = log[before...].filter { $0.topic.hasPrefix(Topics.Prefix.quoteBatches) }.reduce(0) { n, frame in
            guard let e = try? Volta_V1_Envelope(serializedBytes: frame.envelope),
                  let b = try? Volta_V1_QuoteBatch(serializedBytes: e.payload) else { return n }
            return n + b.underlyings.count + b.options.count
        }
        return (Double(quotes) / wall, quotes, log.count - before)
    }

    /// The same market stepped by itself: quote updates per wall second.
    func simulationRun() throws -> Double {
        let clock = ManualClock()
        let venue = try SimAdapter(scenario: Self.scenario(), tick: .seconds(1), clock: clock)
        let start = clock.now()
        for s in 1...20 { _ = venue.advance(wallNow: start + Int64(s) * 1_000_000_000) }
        var quotes = 0
        let t0 = monotonicSeconds()
        for s in 21...(20 + seconds) {
            for case .quotes(let b) in venue.advance(wallNow: start + Int64(s) * 1_000_000_000) { quotes += b.underlyings.count + b.options.count }
        }
        return Double(quotes) / (monotonicSeconds() - t0)
    }

    /// Ten calls and ten puts around the money, bought and sold alternately, at market.
    static func openTwentyPositions(_ bus: Bus) async {
        do {
            let chain = try await bus.request(service: Topics.Service.gateway, Volta_V1_GatewayRequest.with { $0.chainUnderlying = "SPY" },
                                              as: Volta_V1_GatewayReply.self).chain
            guard let expiry = chain.expiries.last else { return }
            let strikes = expiry.strikeMicros.sorted()
            let middle = strikes.count / 2
            for n in 0..<20 {
                let strike = strikes[max(0, min(strikes.count - 1, middle - 5 + n / 2))]
                var i = Volta_V1_Instrument()
                i.symbol = "SPY"
                i.option.underlying = "SPY"
                i.option.expiry = expiry.expiry
                i.option.strikeMicros = strike
                i.option.right = n % 2 == 0 ? .call : .put
                i.option.multiplier = 100
                let intent = Volta_V1_OrderIntent.with {
                    $0.intentID = "bench-open-\(n)"
                    $0.strategy = "bench"
                    $0.purpose = .open
                    $0.legs = [Volta_V1_Leg.with { $0.instrument = i; $0.side = n % 4 < 2 ? .buy : .sell; $0.ratio = 1 }]
                    $0.quantity = 1
                    $0.orderType = .market
                    $0.account = "SIM1"
                }
                _ = try await bus.request(service: Topics.Service.execution, Volta_V1_ExecutionRequest.with { $0.submit = intent },
                                          as: Volta_V1_ExecutionReply.self)
            }
        } catch {
            FileHandle.standardError.write(Data("bench kernel: opening the positions failed: \(error)\n".utf8))
        }
    }
}
