import Bus
import ExecutionService
import Foundation
import Logging
import Market
import MarketdataService
import Messages
import RiskService
import ServiceKit
import StrategyKit
import StrategyPlugins
import StrategyService
import TradingKernel

/// A backtest resolved from its config: the market (the scenario, moved to the first session and
/// given the bar, the cash and the fill model), the kernel's configuration and the strategies, each
/// built by the settings the live services use.
public struct BacktestPlan: Sendable {
    /// A stretch of time run bar by bar: a session, or a span given by its start and length.
    public struct Segment: Sendable {
        public var label: String
        public var open: Int64
        public var close: Int64
    }

    /// The NYSE sessions run (empty for a span).
    public var sessions: [NYSECalendar.Session]
    /// What the runner steps through: the sessions, or the one span.
    public var segments: [Segment]
    public var step: Duration
    public var kernel: TradingKernel.Configuration
    public var strategies: [any Strategy]
    /// The underlying buy and hold is measured on (the first the strategies trade: SPY by default).
    public var benchmark: String
    /// What the report's first screen says the market is.
    public var marketDescription: String
    public var seed: UInt64

    /// Every key a backtest's config may hold.
    public static var settings: [any AnySetting] {
        BacktestSettings.all + HostSettings.all + StrategyPlugins.all.flatMap(\.settings) + RiskSettings.all + ExecutionSettings.all
            + marketdataSettings
    }

    /// The `marketdata.*` keys a backtest takes from its config as live marketdata does: when a
    /// quote counts as stale (a strategy skips stale quotes), and the configured betas. The rest
    /// is the backtest's to set (the index is the scenario's, the history a fixed month, the
    /// age check at least three bars).
    static let marketdataSettings: [any AnySetting] = [MarketdataSettings.staleAfterMilliseconds, MarketdataSettings.betas]

    /// - Parameters:
    ///   - config: the JSON config file.
    ///   - from, to, seed: the command line's, over the config's.
    ///   - span: instead of sessions, one stretch from `start` (ns) for `seconds`, on the scenario's
    ///     own hours: the parity test's live run, replayed at the instant it ran.
    /// - Throws: ``ConfigurationError`` naming the key for anything bad in the config.
    public static func load(config: String, overrides: [String] = [], from: String?, to: String?, seed: UInt64?,
                            span: (start: Int64, seconds: Int)? = nil) async throws -> BacktestPlan {
        let layers = try await ConfigurationLayers(file: config, environment: ProcessInfo.processInfo.environment, overrides: overrides)
        try layers.validate(settings, sections: ["backtest", "strategy", "risk", "execution", "marketdata"])
        let hub = InMemoryHub(clock: ManualClock())
        let context = ServiceContext(bus: Bus(identity: ServiceIdentity(service: Topics.Service.strategy, instance: Topics.Service.strategy, epoch: 0),
                                              transport: hub.connect(instance: "plan"), logger: Logger(label: "backtest")),
                                     configuration: layers, logger: Logger(label: "backtest"))

        func date(_ setting: Setting<String>, _ flag: String?) throws -> CivilDate {
            let text = try flag ?? layers.value(setting)
            guard let d = CivilDate(text) else {
                throw ConfigurationError(key: setting.key, value: text, origin: flag == nil ? "file \(config)" : "the command line", accepted: setting.accepted)
            }
            return d
        }
        var sessions: [NYSECalendar.Session] = []
        if span == nil {
            let (first, last) = (try date(BacktestSettings.from, from), try date(BacktestSettings.to, to))
            sessions = NYSECalendar().sessions(from: first, through: last)
            guard !sessions.isEmpty else {
                throw ConfigurationError(key: BacktestSettings.to.key, value: "\(last)", origin: "the command line or file \(config)",
                                         accepted: "a date on or after backtest.from (\(first)) with an NYSE session between them")
            }
        }
        let segments = span.map { [Segment(label: "\(NewYorkTime.local($0.start).date)", open: $0.start, close: $0.start + Int64($0.seconds) * 1_000_000_000)] }
            ?? sessions.map { Segment(label: "\($0.date)", open: NewYorkTime.instant($0.date, minute: $0.openMinute),
                                      close: NewYorkTime.instant($0.date, minute: $0.closeMinute)) }
        let seed = try seed ?? UInt64(layers.value(BacktestSettings.seed))
        let stepSeconds = try layers.value(BacktestSettings.stepSeconds)
        var scenario = try loadScenario(try layers.value(BacktestSettings.scenario), relativeTo: config)
        // One bar before the first open: the venue's first step, at the open, publishes the whole
        // market before any strategy's first timer of the day.
        let start = segments[0].open - Int64(stepSeconds) * 1_000_000_000
        scenario.start = start
        scenario.speed = 1
        if span == nil { scenario.market.hours = .nyse }
        scenario.market.seed = seed
        scenario.market.stepSeconds = Double(stepSeconds)
        scenario.account.cashMicros = Money.micros(try layers.value(BacktestSettings.cash))
        scenario.fills.spreadFactor = try layers.value(BacktestSettings.fillSpreadFactor)
        scenario.fills.optionCommissionMicros = Money.micros(try layers.value(BacktestSettings.commissionPerContract))
        scenario.fills.minimumOptionCommissionMicros = Money.micros(try layers.value(BacktestSettings.minimumCommission))
        scenario.fills.earlyAssignment = try layers.value(BacktestSettings.earlyAssignment)
        try startReplayedUnderlyings(&scenario, at: segments[0].open)

        let step = Duration.seconds(stepSeconds)
        var k = TradingKernel.Configuration()
        k.scenario = scenario
        k.start = start
        k.tick = step
        k.clockQuantum = step
        k.riskStatePeriod = .seconds(3_600)
        k.accountInterval = .seconds(3_600)
        k.riskBook = try RiskSettings.book(context)
        k.execution = try ExecutionSettings.policy(context)
        k.resubmit = .milliseconds(try layers.value(HostSettings.resubmitMilliseconds))
        // A quote is fresh for a few bars at least (between two bars nothing moves, and that is
        // not stale), and never for less than live: a quiet option is not re-quoted for a while.
        k.marketdata.maxAgeNs = max(k.marketdata.maxAgeNs, Int64(stepSeconds) * 3_000_000_000)
        k.marketdata.staleAfterNs = max(Int64(try layers.value(MarketdataSettings.staleAfterMilliseconds)) * 1_000_000,
                                        Int64(stepSeconds) * 3_000_000_000)
        k.marketdata.betas = try layers.value(MarketdataSettings.betas)
        k.marketdata.index = scenario.market.index.symbol
        k.marketdata.historyDays = 30
        k.logPrefixes = [Topics.Prefix.execution, Topics.Prefix.strategyIntents]
        let strategies = try HostSettings.plugins(context, known: StrategyPlugins.all).map { try $0.make(context) }

        let replayed = scenario.replay.keys.sorted().map { "\($0) from \(scenario.replay[$0]!)" }.joined(separator: ", ")
        let description = replayed.isEmpty
            ? "the simulated market (scenario \(scenario.name), seed \(seed))"
            : "real daily bars (\(replayed)) bridged through each day's open, high, low and close (seed \(seed))"
        return BacktestPlan(sessions: sessions, segments: segments, step: step, kernel: k, strategies: strategies,
                            benchmark: scenario.market.underlyings.first { $0.symbol == "SPY" }?.symbol
                                ?? scenario.market.underlyings.first?.symbol ?? scenario.market.index.symbol,
                            marketDescription: description, seed: seed)
    }

    static func loadScenario(_ path: String, relativeTo config: String) throws -> Scenario {
        guard !path.isEmpty else { return Scenario() }
        let resolved = path.hasPrefix("/") ? path : ((config as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path)
        do { return try ScenarioLoader.load(resolved) } catch {
            throw ConfigurationError(key: BacktestSettings.scenario.key, value: path, origin: "file \(config)", accepted: "a scenario file (\(error))")
        }
    }

    /// A replayed underlying's `price` is its price at its file's first bar: at a later start it
    /// stands where the path has taken it since (SPY at a tenth of the S&P 500 stays a tenth).
    static func startReplayedUnderlyings(_ scenario: inout Scenario, at start: Int64) throws {
        let paths = try scenario.replayPaths()
        for i in scenario.market.underlyings.indices {
            guard let path = paths[scenario.market.underlyings[i].symbol] else { continue }
            let first = NewYorkTime.instant(path.firstDate, minute: NYSECalendar.regularOpen)
            scenario.market.underlyings[i].price *= exp(path.logPrice(at: start) - path.logPrice(at: first))
        }
    }
}
