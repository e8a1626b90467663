import Bus
import DashboardService
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Logging
import Messages
import RecorderService
import RiskService
import ServiceLifecycle
import Synchronization
import TestSupport

/// The dashboard in front of a real recorder on a seeded database, on one in-memory bus with a
/// wall clock, with stand-ins for risk and execution that answer like them and note what they
/// were asked; the HTTP server listens on 127.0.0.1 at a free port.
final class DashboardHarness: @unchecked Sendable {
    static let token = "test-token-0123456789"
    let hub: InMemoryHub
    let pool: DatabasePool
    let dashboard: DashboardService
    let recorder: RecorderService
    let client: Bus
    let riskAsked = Collector<Volta_V1_RiskRequest>()
    let executionAsked = Collector<Volta_V1_OrderIntent>()
    let triggers = Collector<Volta_V1_StrategyTrigger>()
    /// The stand-in strategy host's one timer: the put seller's next routine.
    static let nextRoutineNs: Int64 = 1_796_738_460_000_000_000
    /// The real risk service on this book instead of the stand-in (the confirm flow's tests).
    let riskBook: RiskBook?
    /// Without the stand-in strategy host: the test runs real ones.
    let strategyStandIn: Bool
    var base = ""
    var run: Task<Void, any Error>?
    var group: ServiceGroup?

    init(token: String = DashboardHarness.token, openReads: Bool = false, alerts: AlertCenter.Settings = .init(),
         riskBook: RiskBook? = nil, strategyStandIn: Bool = true, clock: any BusClock = WallClock()) throws {
        hub = InMemoryHub(clock: clock)
        self.riskBook = riskBook
        self.strategyStandIn = strategyStandIn
        pool = try RecorderDatabase.open(path: NSTemporaryDirectory() + "volta-dashboard-\(UUID().uuidString).sqlite")
        var recorderSettings = RecorderService.Settings()
        recorderSettings.snapshotPeriod = .milliseconds(100)
        recorderSettings.snapshotStreams = []
        recorder = RecorderService(bus: Self.connect(hub, "recorder"), pool: pool, settings: recorderSettings, logger: Logger(label: "recorder"))
        var settings = DashboardService.Settings()
        settings.port = 0
        settings.token = token
        settings.openReads = openReads
        settings.alerts = alerts
        dashboard = DashboardService(bus: Self.connect(hub, "dashboard"), settings: settings, logger: Logger(label: "dashboard"))
        client = Self.connect(hub, "seed")
    }

    func connect(_ instance: String) -> Bus { Self.connect(hub, instance) }

    static func connect(_ hub: InMemoryHub, _ instance: String) -> Bus {
        Bus(identity: ServiceIdentity(service: instance, instance: instance, epoch: 1), transport: hub.connect(instance: instance))
    }

    func start() async throws {
        let risk = connect("risk"), execution = connect("execution"), strategy = connect("strategy")
        let (riskAsked, executionAsked, triggers) = (self.riskAsked, self.executionAsked, self.triggers)
        let killSwitch = Mutex("ACTIVE")
        var tasks: [Task<Void, Never>] = []
        if strategyStandIn {
            tasks.append(
            Task {
                // A strategy host running the put seller, with the market closed.
                await strategy.serve(service: Topics.Service.strategy, Volta_V1_StrategyRequest.self) { request, _ in
                    var reply = Volta_V1_StrategyReply()
                    switch request.kind {
                    case .trigger(let t) where t.strategy != "putseller": reply.outcome = "unknown_strategy"; reply.detail = "'\(t.strategy)' is not enabled here"
                    case .trigger(let t) where !t.force: reply.outcome = "market_closed"; reply.detail = "the market is closed; force runs it anyway"
                    case .trigger(let t): await triggers.append(t); reply.outcome = "triggered"
                    default: reply.timers = [.with { $0.strategy = "putseller"; $0.timerID = "routine-SPY"; $0.atNs = Self.nextRoutineNs }]
                    }
                    return reply
                }
            })
        }
        if riskBook == nil {
            tasks.append(Task {
                await risk.serve(service: Topics.Service.risk, Volta_V1_RiskRequest.self) { request, _ in
                    await riskAsked.append(request)
                    if case .setKillSwitch(let s) = request.op { killSwitch.withLock { $0 = s } }
                    if case .emergencyStop = request.op { killSwitch.withLock { $0 = "HALTED" } }
                    var reply = Volta_V1_RiskReply()
                    reply.state.killSwitch = killSwitch.withLock { $0 }
                    reply.state.mode = "auto"
                    return reply
                }
            })
        }
        tasks.append(
            Task {
                await execution.serve(service: Topics.Service.execution, Volta_V1_ExecutionRequest.self) { request, _ in
                    var reply = Volta_V1_ExecutionReply()
                    if case .submit(let intent) = request.op {
                        await executionAsked.append(intent)
                        var e = Volta_V1_IntentExecution()
                        e.intentID = intent.intentID
                        e.stage = .stageAwaitingRisk
                        reply.executions = [e]
                    }
                    return reply
                }
            })
        var services: [any Service] = [recorder, dashboard, StandIns(tasks: tasks)]
        if let riskBook {
            services.append(RiskService(bus: risk, book: riskBook, logger: Logger(label: "risk"), statePeriod: .milliseconds(100)))
        }
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [], logger: Logger(label: "test"))
        self.group = group
        run = Task { try await group.run() }
        base = "http://127.0.0.1:\(await dashboard.boundPort())"
    }

    func stop() async {
        await group?.triggerGracefulShutdown()
        _ = await run?.result
    }

    // MARK: HTTP

    struct Reply {
        let status: Int
        let body: Data
        let headers: [String: String]
        var json: Any? { try? JSONSerialization.jsonObject(with: body) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
        var error: String { object["error"] as? String ?? "" }
    }

    func get(_ path: String, token: String? = nil) async throws -> Reply {
        try await send(URLRequest(url: URL(string: base + path)!), token: token)
    }

    func post(_ path: String, _ body: String, token: String? = DashboardHarness.token) async throws -> Reply {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        return try await send(request, token: token)
    }

    /// URLSession on Linux can leave an exchange unanswered past its own timeout: a loaded
    /// `ops/test.sh` hung here for 11 and 14 minutes, and the suite's time limit cannot cancel it.
    /// Each attempt gets a hard deadline; a read that misses it is sent again (twice at most), a
    /// write is not (it may have reached the dashboard) and fails the test with the reason.
    func send(_ request: URLRequest, token: String?) async throws -> Reply {
        var request = request
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        request.timeoutInterval = 10
        let attempts = request.httpMethod == "POST" ? 1 : 3
        var outcome: (Data, URLResponse)?
        for attempt in 1...attempts where outcome == nil {
            do {
                outcome = try await Deadline.within(.seconds(15)) { [request] in try await URLSession.shared.data(for: request) }
            } catch is Deadline.Missed where attempt < attempts {
                continue
            }
        }
        let (data, response) = outcome!
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
        return Reply(status: http.statusCode, body: data, headers: headers)
    }
}

/// Stand-in services, run and stopped with the group.
struct StandIns: Service {
    let tasks: [Task<Void, Never>]
    func run() async throws {
        try? await gracefulShutdown()
        for t in tasks { t.cancel() }
    }
}


/// An event stream's bytes as they arrive, for the SSE test.
final class LinesReader: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()
    private var session: URLSession!
    private var task: URLSessionDataTask!

    init(_ request: URLRequest) {
        super.init()
        session = URLSession(configuration: .default, delegate: self, delegateQueue: nil)
        task = session.dataTask(with: request)
        task.resume()
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.withLock { buffer.append(data) }
    }

    var text: String { get async { lock.withLock { String(decoding: buffer, as: UTF8.self) } } }

    func cancel() {
        task.cancel()
        session.invalidateAndCancel()
    }
}


/// Work that must end by a deadline even if it ignores cancellation: past it the caller gets
/// `Missed` and the work is abandoned (cancelled, and left to finish or not on its own).
enum Deadline {
    struct Missed: Error, CustomStringConvertible {
        let after: Duration
        var description: String { "no answer within \(after)" }
    }

    final class Once: Sendable {
        let done = Mutex(false)
        func claim() -> Bool { done.withLock { d in defer { d = true }; return !d } }
    }

    static func within<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let once = Once()
            let task = Task {
                do {
                    let value = try await work()
                    if once.claim() { continuation.resume(returning: value) }
                } catch {
                    if once.claim() { continuation.resume(throwing: error) }
                }
            }
            Task {
                try? await Task.sleep(for: limit)
                if once.claim() {
                    task.cancel()
                    continuation.resume(throwing: Missed(after: limit))
                }
            }
        }
    }
}
