import Foundation
import Bus
import Hummingbird
import Logging
import NIOCore
import ServiceKit
import ServiceLifecycle
import Synchronization

/// The web dashboard: the page, its JSON API and live events over HTTP (Hummingbird), from the
/// recorder's queries and what the bus says. The only Volta service with an HTTP dependency.
public final class DashboardService: Service, Sendable {
    public struct Settings: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
        public var token = ""
        public var openReads = false
        public var timeout = Duration.seconds(2)
        public var alerts = AlertCenter.Settings()
        public var market = MarketWatch.Settings()
        /// When each session's end-of-day summary is made; nil: not made unless asked.
        public var daySummaryAfterClose: Duration? = .seconds(300)
        public init() {}
    }

    let bus: Bus
    let settings: Settings
    let logger: Logger
    public let watch: BusWatch
    let events = EventFanout()
    let alerts: AlertCenter
    let market: MarketWatch
    /// The bound port once the server listens, and who waits for it until then.
    private let listening = Mutex<(port: Int?, waiters: [CheckedContinuation<Int, Never>])>((nil, []))

    public convenience init(context: ServiceContext) throws {
        var s = Settings()
        s.host = try context.value(DashboardSettings.host)
        s.port = try context.value(DashboardSettings.port)
        s.token = try context.value(DashboardSettings.token)
        s.openReads = try context.value(DashboardSettings.openReads)
        s.timeout = .milliseconds(try context.value(DashboardSettings.queryTimeoutMilliseconds))
        let url = try context.value(DashboardSettings.webhookURL)
        s.alerts.webhookURL = url.isEmpty ? nil : URL(string: url)
        s.alerts.webhookLevel = OperatorAlert.Level(name: try context.value(DashboardSettings.webhookLevel)) ?? .info
        s.market.volatilityIndex = try context.value(DashboardSettings.volatilityIndex)
        s.daySummaryAfterClose = try context.value(DashboardSettings.daySummary)
            ? .seconds(60 * (try context.value(DashboardSettings.daySummaryAfterCloseMinutes))) : nil
        self.init(bus: context.bus, settings: s, logger: context.logger)
    }

    public init(bus: Bus, settings: Settings = Settings(), logger: Logger) {
        self.bus = bus
        self.settings = settings
        self.logger = logger
        watch = BusWatch(bus: bus, events: events)
        market = MarketWatch(bus: bus, settings: settings.market, logger: logger)
        alerts = AlertCenter(bus: bus, events: events, watch: watch, market: market, settings: settings.alerts, logger: logger)
    }

    /// Every route: the API's, the page and the OpenAPI document.
    func routes() -> (router: Router<DashboardContext>, api: DashboardAPI) {
        let router = Router(context: DashboardContext.self)
        router.add(middleware: AccessMiddleware(token: settings.token, openReads: settings.openReads))
        let api = DashboardAPI(bus: bus, watch: watch, events: events, alerts: alerts, marketWatch: market, timeout: settings.timeout)
        api.register(on: router)
        DashboardPage.register(on: router)
        OpenAPIDocument.register(on: router)
        return (router, api)
    }

    public func run() async throws {
        let (router, api) = routes()
        if settings.token.isEmpty { logger.warning("no dashboard.token: the kill switch and the trade trigger are refused") }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "volta-dashboard"),
            onServerRunning: { [self] channel in
                let bound = channel.localAddress?.port ?? settings.port
                logger.info("dashboard listening", metadata: ["url": "http://\(settings.host):\(bound)/"])
                ready(bound)
            },
            logger: logger)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await app.run() }
            group.addTask { await cancelWhenGracefulShutdown { await self.watch.run() } }
            group.addTask { await cancelWhenGracefulShutdown { await self.alerts.run() } }
            group.addTask { await cancelWhenGracefulShutdown { await self.market.run() } }
            if let after = settings.daySummaryAfterClose {
                group.addTask { await cancelWhenGracefulShutdown { await api.endOfDayLoop(afterClose: after) } }
            }
            // Open event streams would hold the server's graceful shutdown open: end them.
            group.addTask {
                try? await gracefulShutdown()
                self.events.close()
            }
        }
    }

    /// The port the server listens on, once it does (for tests that ask for any free port).
    public func boundPort() async -> Int {
        await withCheckedContinuation { c in
            let port = listening.withLock { l -> Int? in
                if l.port == nil { l.waiters.append(c) }
                return l.port
            }
            if let port { c.resume(returning: port) }
        }
    }

    private func ready(_ bound: Int) {
        let waiters = listening.withLock { l in
            defer { l = (bound, []) }
            return l.waiters
        }
        for w in waiters { w.resume(returning: bound) }
    }
}
