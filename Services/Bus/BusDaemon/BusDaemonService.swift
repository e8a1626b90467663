import Bus
import BusZeroMQ
import Logging
import ServiceLifecycle

/// Runs a ``BusDaemon`` as a lifecycle `Service`: bind on start, unbind on graceful shutdown.
public struct BusDaemonService: Service {
    public let daemon: BusDaemon

    public init(daemon: BusDaemon) {
        self.daemon = daemon
    }

    public func run() async throws {
        try daemon.start()
        try? await gracefulShutdown()
        daemon.stop()
    }
}
