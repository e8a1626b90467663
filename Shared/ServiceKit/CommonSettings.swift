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

    /// A CURVE key setting: empty (no CURVE) or a key, read as Z85 whichever form it was given in.
    static func curveKey(_ key: String, accepted: String, help: String, secret: Bool = false) -> Setting<String> {
        Setting(key, default: "", accepted: accepted, help: help, secret: secret) { text in
            let t = text.trimmingWhitespace()
            return t.isEmpty ? "" : CurveKeyPair.normalized(t)
        }
    }
    public static let curveServerKey = curveKey(
        "bus.curve.server_key", accepted: "empty (no CURVE) or the bus's public key: 64 hex digits or 40 Z85 characters",
        help: "The bus daemon's CURVE public key; set it (with bus.curve.secret_key) to join a locked bus.")
    public static let curveSecretKey = curveKey(
        "bus.curve.secret_key", accepted: "empty (no CURVE) or a CURVE secret key: 64 hex digits or 40 Z85 characters",
        help: "This process's CURVE secret key (ops/keys makes one per service). On the bus daemon, the server's.", secret: true)
    public static let curveAllow = Setting<Set<String>>(
        "bus.curve.allow", default: [], accepted: "public keys (64 hex digits or 40 Z85 characters) separated by commas",
        help: "The bus daemon only: the client public keys it admits when CURVE is on; every other key is refused.",
        parse: { text in
            var keys: Set<String> = []
            for part in text.trimmingWhitespace().split(separator: ",") {
                guard let key = CurveKeyPair.normalized(String(part).trimmingWhitespace()) else { return nil }
                keys.insert(key)
            }
            return keys
        }, format: { $0.sorted().joined(separator: ",") })

    public static let clockOffsetSeconds = Setting<Double>.number(
        "clock.offset_s", default: 0, in: -1e10...1e10, help:
            "The bus clock runs this many seconds from the wall clock: for a whole stack against twsim started at a scenario's "
            + "time (twsim --clock-offset-s with the same value), such as minutes before an expiry's close. 0 live.")

    public static let all: [any AnySetting] = [
        busEndpoint, publishHWM, subscribeHWM, busHeartbeatMilliseconds, busLiveness, logLevel,
        heartbeatMilliseconds, metricsMilliseconds, curveServerKey, curveSecretKey, curveAllow, clockOffsetSeconds,
    ]

    /// The top-level sections these keys live in.
    public static let sections: Set<String> = ["bus", "log", "heartbeat", "metrics", "clock"]

    /// The bus clock the settings ask for: the wall clock, shifted when `clock.offset_s` is set.
    public static func clock(_ c: ConfigurationLayers) throws -> any BusClock {
        let offset = try c.value(clockOffsetSeconds)
        return offset == 0 ? WallClock() : ShiftedClock(offsetNs: Int64((offset * 1e9).rounded()))
    }

    /// The socket options the settings describe; `server` for the bus daemon's own sockets.
    public static func socketOptions(_ config: ConfigurationLayers, server: Bool = false) throws -> BusSocketOptions {
        var options = BusSocketOptions()
        options.publishHWM = Int32(try config.value(publishHWM))
        options.subscribeHWM = Int32(try config.value(subscribeHWM))
        let heartbeat = Int32(try config.value(busHeartbeatMilliseconds))
        let liveness = Int32(try config.value(busLiveness))
        options.brokerHeartbeatMilliseconds = heartbeat
        options.brokerLiveness = liveness
        options.security = try security(config, server: server)
        return options
    }

    /// CURVE from the three keys: nil when none is set. A half-configured lock is a configuration
    /// error naming the missing key, never a silent fall back to an open bus.
    static func security(_ config: ConfigurationLayers, server: Bool) throws -> BusSecurity? {
        let serverKey = try config.value(curveServerKey)
        let secret = try config.value(curveSecretKey)
        let allow = try config.value(curveAllow)
        guard !(serverKey.isEmpty && secret.isEmpty && allow.isEmpty) else { return nil }
        func missing(_ key: String, _ why: String) -> ConfigurationError {
            ConfigurationError(key: key, value: "", origin: "the other bus.curve keys", accepted: why)
        }
        guard !secret.isEmpty else { throw missing(curveSecretKey.key, "a secret key, since bus.curve is configured") }
        let own = try CurveKeyPair(secretKey: secret)
        if server {
            guard !allow.isEmpty else { throw missing(curveAllow.key, "at least one client key: an empty allowlist admits nobody") }
            if !serverKey.isEmpty, serverKey != own.publicKey {
                throw ConfigurationError(key: curveServerKey.key, value: serverKey, origin: "configuration",
                                         accepted: "the public key of bus.curve.secret_key (\(own.publicKey))")
            }
            // The daemon's own process is also a client (heartbeats, metrics) and holds the key.
            return .server(own: own, allowedClients: allow.union([own.publicKey]))
        }
        // The daemon's client side: its allowlist says it is the bus, so the server key is its own.
        if serverKey.isEmpty, !allow.isEmpty { return .client(own: own, serverPublicKey: own.publicKey) }
        guard !serverKey.isEmpty else {
            throw missing(curveServerKey.key, "the bus's public key, since this process has a CURVE secret key")
        }
        return .client(own: own, serverPublicKey: serverKey)
    }
}
