import Bus
import BusDaemon
import BusZeroMQ
import Logging
import Synchronization

/// One way of running a test's processes on a bus. The same test body runs over each kind,
/// as Hummingbird runs one test over its router and its live server.
public protocol BusHarness: Sendable {
    /// A new simulated process on this bus.
    func connect(_ instance: String, service: String) throws -> Bus
    /// Lets `duration` pass: advances a manual clock in small steps, or sleeps for real.
    func pass(_ duration: Duration) async
    /// Waits until subscriptions made so far reach publishers (ZeroMQ's slow joiner).
    func settle() async
    func shutdown()
}

public enum HarnessKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case memory
    case zeromq

    public func make() throws -> any BusHarness {
        switch self {
        case .memory: InMemoryHarness()
        case .zeromq: try ZeroMQHarness()
        }
    }

    public var description: String { rawValue }
}

/// Every process on one ``InMemoryHub`` with a ``ManualClock``.
public final class InMemoryHarness: BusHarness {
    public let clock = ManualClock()
    public let hub: InMemoryHub

    public init() {
        hub = InMemoryHub(clock: clock)
    }

    public func connect(_ instance: String, service: String = "test") throws -> Bus {
        Bus(identity: ServiceIdentity(service: service, instance: instance, epoch: UInt64(clock.now())),
            transport: hub.connect(instance: instance))
    }

    public func pass(_ duration: Duration) async {
        let steps = 20
        for _ in 0..<steps {
            clock.advance(by: duration / steps)
            await yieldToOthers()
        }
    }

    public func settle() async { await yieldToOthers() }

    public func shutdown() {}

    /// Gives tasks woken on other executor threads a chance to run.
    private func yieldToOthers() async {
        for _ in 0..<20 { await Task.yield() }
        try? await Task.sleep(for: .milliseconds(1))
    }
}

/// A real ``BusDaemon`` on 127.0.0.1 ports chosen at bind time, and ZeroMQ transports to it.
public final class ZeroMQHarness: BusHarness {
    public let daemon: BusDaemon
    public let endpoints: BusEndpoints
    public let options: BusSocketOptions
    private let context = ZMQContext()

    /// - Parameter security: the daemon's CURVE server keys and allowlist, for a locked bus.
    public init(heartbeatMilliseconds: Int32 = 200, security: BusSecurity? = nil) throws {
        let options = BusSocketOptions.testing(heartbeatMilliseconds: heartbeatMilliseconds)
        self.options = options
        var daemonOptions = options
        daemonOptions.security = security
        let any = BusEndpoints(publish: "tcp://127.0.0.1:*", subscribe: "tcp://127.0.0.1:*", broker: "tcp://127.0.0.1:*")
        daemon = try BusDaemon(configuration: .init(
            bind: any, socketOptions: daemonOptions,
            routing: .init(workerExpiry: .milliseconds(Int(heartbeatMilliseconds) * 3), startupGrace: .zero)),
            logger: Logger(label: "test.bus"))
        endpoints = try daemon.start()
    }

    public func connect(_ instance: String, service: String = "test") throws -> Bus {
        try connect(instance, service: service, security: nil)
    }

    /// A client with CURVE keys (or none), for a locked bus; with its own heartbeat period, for
    /// a process configured apart from the daemon.
    public func connect(_ instance: String, service: String, security: BusSecurity?, heartbeatMilliseconds: Int32? = nil) throws -> Bus {
        let statistics = BusStatistics()
        let logger = Logger(label: "test.\(instance)")
        var options = options
        options.security = security
        if let heartbeatMilliseconds { options.brokerHeartbeatMilliseconds = heartbeatMilliseconds }
        let transport = try ZeroMQTransport(endpoints: endpoints, instance: instance, options: options, context: context,
                                            statistics: statistics, logger: logger)
        return Bus(identity: ServiceIdentity(service: service, instance: instance, epoch: UInt64(WallClock().now())),
                   transport: transport, logger: logger, statistics: statistics)
    }

    public func pass(_ duration: Duration) async {
        try? await Task.sleep(for: duration)
    }

    public func settle() async {
        try? await Task.sleep(for: .milliseconds(300))
    }

    public func shutdown() { daemon.stop() }
}

/// Collects what an AsyncSequence yields, in a task, for a test to inspect.
public actor Collector<Element: Sendable> {
    public private(set) var items: [Element] = []
    public init() {}
    public func append(_ item: Element) { items.append(item) }
    public var count: Int { items.count }
}

/// A count shared between tasks and threads without an actor hop (a subscriber counting
/// messages, the load it is measured under).
public final class Counter: Sendable {
    public let value = Atomic<Int>(0)
    public init() {}
}

/// Polls `condition` until it holds or `timeout` of real time passes, letting harness time
/// pass between polls.
public func eventually(_ harness: any BusHarness, timeout: Duration = .seconds(10), step: Duration = .milliseconds(20),
                       _ condition: @Sendable () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        await harness.pass(step)
    }
    return await condition()
}

/// A task that did not finish within a test's real-time limit.
public struct HarnessTimeout: Error, CustomStringConvertible {
    public let description: String
}

/// The value of `task`, letting harness time pass until it finishes. Awaiting `task.value`
/// after a fixed `pass` can wait forever: on a loaded machine a sleeper may register on the
/// manual clock only after the last advance, and nobody advances it again (a CI run hung here
/// for 78 minutes). After `timeout` of real time this cancels the task and throws instead.
public func valuePassing<T: Sendable>(_ harness: any BusHarness, _ task: Task<T, any Error>,
                                      timeout: Duration = .seconds(30)) async throws -> T {
    let done = Counter()
    let watcher = Task {
        _ = await task.result
        done.value.store(1, ordering: .releasing)
    }
    guard await eventually(harness, timeout: timeout, { done.value.load(ordering: .acquiring) == 1 }) else {
        task.cancel()
        watcher.cancel()
        throw HarnessTimeout(description: "a task did not finish within \(timeout) of real time")
    }
    return try await task.value
}
