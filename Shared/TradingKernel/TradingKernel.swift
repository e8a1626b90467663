import Bus
import ExecutionService
import GatewayService
import Logging
import Market
import MarketdataService
import Messages
import PricerService
import RiskService
import ServiceLifecycle
import StrategyKit
import StrategyService
import ServiceKit
import Synchronization
import Trading

/// The trading kernel: the strategy host, risk, execution, the pricer, marketdata and the
/// simulated venue, the same service code the executables run, composed in one process on the
/// in-memory hub with a manual clock and one serial scheduler. Driving it means: run every job
/// until nothing is left to do, advance the clock to the next deadline anyone sleeps on, repeat.
/// Nothing runs behind the scheduler's back (services start their background work with
/// ``TaskPlacement/spawn(_:)``), so the same configuration, strategies and seed give the same
/// event log, byte for byte. It is the backtester's engine; the separate processes stay the default
/// deployment.
public final class TradingKernel: Sendable {
    public struct Configuration: Sendable {
        /// The simulated market and account (its seed makes the run repeatable).
        public var scenario = Scenario()
        /// Bus time at the start, ns since the epoch: 2026-01-02 14:30 UTC (09:30 in New York) by default.
        public var start: Int64 = 1_767_364_200_000_000_000
        /// The venue's step: quotes and fills advance this often.
        public var tick = Duration.milliseconds(250)
        public var limits = RiskLimits()
        /// Risk's whole book from a config (`RiskSettings.book`); nil: `limits` with the defaults.
        public var riskBook: RiskBook?
        public var execution = ExecutionPolicy()
        public var marketdata = MarketdataService.Settings()
        /// The pricer; its chain refresh waits for the order path (``SerialScheduler/whenIdle(_:)``).
        public var pricer = PricerConfiguration()
        public var resubmit = Duration.seconds(1)
        /// The services' log level (their logs do not enter the event log).
        public var logLevel = Logger.Level.warning
        /// What the gateway trades through, given the simulated venue: the venue itself by
        /// default; a test wraps it to drop the broker connection and bring it back.
        public var venue: (@Sendable (SimAdapter) -> any BrokerAdapter)?
        /// The topics the event log keeps (prefixes; "" keeps every frame). A backtest keeps
        /// execution's and drains them as it goes: years of quotes would not fit in memory.
        public var logPrefixes = [""]
        /// Every sleep wakes at a multiple of this (0: exact): a backtest over bars sets the bar.
        public var clockQuantum = Duration.zero
        /// How often risk publishes its state.
        public var riskStatePeriod = Duration.seconds(1)
        /// How often the venue publishes the account's values (bus time).
        public var accountInterval = Duration.seconds(5)
        public init() {}
    }

    public let clock: ManualClock
    public let hub: InMemoryHub
    public let scheduler = SerialScheduler()
    /// The simulated venue: a backtest reads the account and the market from it between steps.
    public let venue: SimAdapter
    let logPrefixes: [String]
    let services: [(name: String, service: any Service)]
    let driver: Bus
    let recorder: Bus
    let log = Locked<[RawFrame]>([])
    let root = Mutex<Task<Void, Never>?>(nil)
    let logger: Logger

    public init(_ configuration: Configuration, strategies: [any Strategy]) throws {
        let clock = ManualClock(start: configuration.start, quantum: configuration.clockQuantum)
        let hub = InMemoryHub(clock: clock)
        self.clock = clock
        self.hub = hub
        var logger = Logger(label: "kernel")
        logger.logLevel = configuration.logLevel
        self.logger = logger
        func bus(_ service: String) -> Bus {
            Bus(identity: ServiceIdentity(service: service, instance: service, epoch: UInt64(clock.now())),
                transport: hub.connect(instance: service), logger: logger)
        }
        func log(_ name: String) -> Logger {
            var l = Logger(label: "kernel.\(name)")
            l.logLevel = configuration.logLevel
            return l
        }
        let venue = try SimAdapter(scenario: configuration.scenario, tick: configuration.tick,
                                   accountInterval: configuration.accountInterval, clock: clock)
        self.venue = venue
        logPrefixes = configuration.logPrefixes
        services = [
            ("gateway", GatewayService(bus: bus(Topics.Service.gateway), adapter: configuration.venue?(venue) ?? venue, logger: log("gateway"))),
            ("marketdata", MarketdataService(bus: bus(Topics.Service.marketdata), settings: configuration.marketdata, logger: log("marketdata"))),
            ("pricer", PricerService(bus: bus(Topics.Service.pricer), configuration: configuration.pricer, logger: log("pricer"))),
            ("risk", RiskService(bus: bus(Topics.Service.risk), book: configuration.riskBook ?? RiskBook(limits: configuration.limits), logger: log("risk"),
                                  statePeriod: configuration.riskStatePeriod)),
            ("execution", ExecutionService(bus: bus(Topics.Service.execution), policy: configuration.execution, logger: log("execution"))),
            ("strategy", StrategyHost(bus: bus(Topics.Service.strategy), strategies: strategies, logger: log("strategy"),
                                      resubmitPeriod: configuration.resubmit)),
        ]
        driver = bus("kernel")
        recorder = bus("kernel-log")
    }

    /// Starts every service (and the event log) on the scheduler, and runs until idle.
    public func start() {
        let (services, recorder, log, logger) = (self.services, self.recorder, self.log, self.logger)
        let task = onScheduler { [logPrefixes] in
            await withDiscardingTaskGroup { group in
                for prefix in logPrefixes {
                    group.addTask {
                        for await frames in recorder.transport.subscribe(prefix: prefix, bufferLimit: Int.max) {
                            // The bytes only: the log is kept, the messages need not be.
                            log.withLock { $0.append(contentsOf: frames.lazy.map { RawFrame(topic: $0.topic, envelope: $0.envelope) }) }
                        }
                    }
                }
                for (name, service) in services {
                    group.addTask {
                        do { try await service.run() } catch {
                            logger.error("a kernel service ended with an error", metadata: ["service": "\(name)", "error": "\(error)"])
                        }
                    }
                }
            }
        }
        root.withLock { $0 = task }
    }

    /// Runs `duration` of bus time: every job until idle, then the clock to the next deadline
    /// (at most the end), and again, until the end.
    /// - Returns: how many jobs ran (a backtest's measure of work).
    @discardableResult
    public func run(for duration: Duration) -> Int {
        let end = clock.now() + duration.nanoseconds
        var ran = scheduler.runUntilIdle()
        while let next = clock.nextDeadline, next <= end {
            clock.advance(by: .nanoseconds(max(0, next - clock.now())))
            ran += scheduler.runUntilIdle()
        }
        if end > clock.now() { clock.advance(by: .nanoseconds(end - clock.now())) }
        return ran + scheduler.runUntilIdle()
    }

    /// Runs `work` on the scheduler with a bus of its own (a test's or a backtest's client: its
    /// requests are answered as the kernel runs).
    public func perform(_ work: @escaping @Sendable (Bus) async -> Void) {
        let driver = self.driver
        onScheduler { await work(driver) }
    }

    /// Starts `work` as a task on the scheduler, with the placement every task it starts
    /// inherits, and runs until idle.
    @discardableResult
    func onScheduler(_ work: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        let scheduler = self.scheduler
        let task = Task(executorPreference: scheduler) {
            await TaskPlacement.$executor.withValue(scheduler) { await work() }
        }
        scheduler.runUntilIdle()
        return task
    }

    /// Every frame published on the hub so far, in order: topic and envelope bytes.
    public var eventLog: [RawFrame] { log.withLock { $0 } }

    /// The frames logged since the last drain, removed from the log.
    public func drainEventLog() -> [RawFrame] {
        log.withLock { l in defer { l.removeAll(keepingCapacity: true) }; return l }
    }

    /// Cancels every service and lets them wind down.
    public func stop() {
        root.withLock { $0?.cancel() }
        scheduler.runUntilIdle()
    }
}
