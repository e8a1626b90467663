import Bus
import BusZeroMQ
import Logging

/// The keys every Volta process reads. Each service adds its own under its name.
public enum CommonSettings {
    public static let busEndpoint = Setting<String>.text(
        "bus.endpoint", default: "tcp://127.0.0.1",
        accepted: "tcp://HOST, tcp://HOST:PORT, ipc://DIR, or PUB,SUB,BROKER endpoints",
        help: "Where the bus daemon listens (also VOLTA_BUS)."
    ) { (try? BusEndpoints.parse($0)) != nil }
    public static let publishHWM = Setting<Int>.integer(
        "bus.publish_hwm", default: 100_000, in: 1_000...10_000_000, help: "Messages queued per peer before a publish is dropped and counted.")
    public static let subscribeHWM = Setting<Int>.integer(
        "bus.subscribe_hwm", default: 100_000, in: 1_000...10_000_000, help: "Messages queued per subscriber socket.")
    public static let busHeartbeatMilliseconds = Setting<Int>.integer(
        "bus.heartbeat_ms", default: 1_000, in: 50...60_000, help: "Heartbeat period between broker and workers.")
    public static let busLiveness = Setting<Int>.integer(
        "bus.liveness", default: 3, in: 2...20, help: "Missed heartbeats before a broker or worker counts as dead.")
    public static let logLevel = Setting<String>.choice(
        "log.level", default: "info", of: Logger.Level.allCases.map(\.rawValue), help: "Least severe level logged.")
    public static let heartbeatMilliseconds = Setting<Int>.integer(
        "heartbeat.interval_ms", default: 1_000, in: 100...60_000, help: "Period of this process's heartbeat on sys.heartbeat.")
    public static let metricsMilliseconds = Setting<Int>.integer(
        "metrics.interval_ms", default: 10_000, in: 500...600_000, help: "Period of this process's metrics on sys.metrics.")

    public static let all: [any AnySetting] = [
        busEndpoint, publishHWM, subscribeHWM, busHeartbeatMilliseconds, busLiveness, logLevel,
        heartbeatMilliseconds, metricsMilliseconds,
    ]

    /// The top-level sections these keys live in.
    public static let sections: Set<String> = ["bus", "log", "heartbeat", "metrics"]

    /// The socket options the settings describe.
    public static func socketOptions(_ config: ConfigurationLayers) throws -> BusSocketOptions {
        var options = BusSocketOptions()
        options.publishHWM = Int32(try config.value(publishHWM))
        options.subscribeHWM = Int32(try config.value(subscribeHWM))
        let heartbeat = Int32(try config.value(busHeartbeatMilliseconds))
        let liveness = Int32(try config.value(busLiveness))
        options.brokerHeartbeatMilliseconds = heartbeat
        options.brokerLiveness = liveness
        return options
    }
}
