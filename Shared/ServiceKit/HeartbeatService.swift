import Bus
import Foundation
import Messages
import ServiceLifecycle

/// Publishes this process's heartbeat on `sys.heartbeat.<service>.<instance>` every period,
/// and its state changes on `sys.status…`. Supervision restarts a process whose heartbeats stop;
/// the dashboard shows health from them.
///
/// Put it first in the service group: it then stops last, so a process is seen alive until its
/// other services have shut down.
public struct HeartbeatService: Service {
    let bus: Bus
    let interval: Duration
    let version: String
    let started: Int64
    /// The settings this process runs with, repeated in its status for watchers that start later.
    let facts: [String: String]
    let statusEvery: Int

    /// - Parameter statusEvery: the status (with `facts`) is published again every this many beats.
    public init(bus: Bus, interval: Duration, version: String = VoltaVersion.current, facts: [String: String] = [:], statusEvery: Int = 10) {
        self.bus = bus
        self.interval = interval
        self.version = version
        self.facts = facts
        self.statusEvery = max(1, statusEvery)
        started = bus.clock.now()
    }

    public func run() async throws {
        publishStatus(.running, "started")
        var beats = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            bus.publish(heartbeat(.running))
            beats += 1
            if beats % statusEvery == 0 { publishStatus(.running, "running") }
            try? await cancelWhenGracefulShutdown { try await bus.clock.sleep(for: interval) }
        }
        bus.publish(heartbeat(.stopping))
        publishStatus(.stopping, "shutting down")
    }

    func heartbeat(_ state: Volta_V1_ServiceState) -> Volta_V1_Heartbeat {
        var hb = Volta_V1_Heartbeat()
        hb.source = bus.identity.source
        hb.state = state
        hb.uptimeMs = (bus.clock.now() - started) / 1_000_000
        hb.intervalMs = UInt32(interval.nanoseconds / 1_000_000)
        hb.pid = UInt32(ProcessInfo.processInfo.processIdentifier)
        hb.version = version
        return hb
    }

    func publishStatus(_ state: Volta_V1_ServiceState, _ detail: String) {
        var status = Volta_V1_ServiceStatus()
        status.source = bus.identity.source
        status.state = state
        status.detail = detail
        status.facts = facts
        bus.publish(status)
    }
}

/// The version every process reports.
public enum VoltaVersion {
    public static let current = "0.1.0"
}
