import ArgumentParser
import Bus
import Foundation
import Messages
import ServiceKit
import ServiceLifecycle
import Synchronization

/// `probe`: a smoke test of the bus for operators, and the fixture of the multi-process tests.
///
/// `probe serve` answers `ProbeIncrement` with a counter that every execution increments, a
/// deliberately non-idempotent service, so a request run twice is visible; it also publishes
/// `ProbeTick`s. `--exec-log FILE` appends one line per execution: `requestID value instance`.
@main
struct Probe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bus smoke-test service: a non-idempotent counter and a tick publisher.",
        subcommands: [Serve.self])
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the counter and publish ticks.")

    @OptionGroup var options: ServiceOptions
    @Option(help: "Service name to serve.") var service = Topics.Service.probe
    @Option(help: "Publish a ProbeTick every N ms (0: never).") var tickMs = 0
    @Option(help: "Delay each execution by N ms, to keep requests in flight.") var workMs = 0
    @Option(help: "Append one line per execution to this file.") var execLog: String?
    @Flag(help: "Declare the service idempotent (LRU routing instead of request-id affinity).") var idempotent = false

    func run() async throws {
        let service = self.service, tickMs = self.tickMs, workMs = self.workMs, execLog = self.execLog, idempotent = self.idempotent
        await ServiceMain.run(service: "probe", options: options) { context in
            [CounterService(bus: context.bus, service: service, idempotent: idempotent, workMs: workMs,
                            log: try execLog.map(ExecutionLog.init(path:))),
             TickService(bus: context.bus, every: tickMs)]
        }
    }
}

/// One line per execution, written before the reply leaves, so a test can count executions
/// even of a process it killed. O_APPEND: several workers may share the file.
final class ExecutionLog: Sendable {
    private let fd: Int32

    init(path: String) throws {
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission) }
    }

    deinit { close(fd) }

    func append(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}

struct CounterService: Service {
    let bus: Bus
    let service: String
    let idempotent: Bool
    let workMs: Int
    let log: ExecutionLog?
    let counter = Counter()

    final class Counter: Sendable {
        let value = Atomic<UInt64>(0)
        func next() -> UInt64 { value.wrappingAdd(1, ordering: .relaxed).newValue }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await bus.serve(service: service, Volta_V1_ProbeIncrement.self, options: ServeOptions(idempotent: idempotent)) { _, request in
                if workMs > 0 { try await bus.clock.sleep(for: .milliseconds(workMs)) }
                let value = counter.next()
                log?.append("\(request.requestID) \(value) \(bus.identity.instance)")
                var reply = Volta_V1_ProbeCount()
                reply.value = value
                reply.worker = bus.identity.instance
                reply.requestID = request.requestID
                return reply
            }
        }
    }
}

struct TickService: Service {
    let bus: Bus
    let every: Int

    func run() async throws {
        guard every > 0 else { return try await gracefulShutdown() }
        var n: UInt64 = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            n += 1
            var tick = Volta_V1_ProbeTick()
            tick.n = n
            tick.note = bus.identity.instance
            bus.publish(tick)
            try? await cancelWhenGracefulShutdown { try await bus.clock.sleep(for: .milliseconds(every)) }
        }
    }
}

