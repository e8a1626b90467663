import ServiceKit
import Trading

/// The `execution.*` keys.
public enum ExecutionSettings {
    public static let participation = Setting<Double>.number(
        "execution.spread_participation", default: 0.5, in: 0...1,
        help: "How far into the spread the first exit limit goes from our side's touch (seed: 0.5 paper, 0.3 conservative, 0.7 aggressive).")
    public static let slippage = Setting<Double>.number(
        "execution.allowed_slippage", default: 0.03, in: 0...1, help: "How far under the theo (over, for a buy) a limit may go, as a fraction.")
    public static let maxReprices = Setting<Int>.integer(
        "execution.max_reprices", default: 5, in: 0...100, help: "Reprices before execution.after_max_reprices applies.")
    public static let repriceMilliseconds = Setting<Int>.integer(
        "execution.reprice_ms", default: 10_000, in: 50...3_600_000, help: "Time between reprices.")
    public static let afterMax = Setting<String>.choice(
        "execution.after_max_reprices", default: "leave", of: ["leave", "cancel", "marketable"],
        help: "After the last reprice: leave the order working, cancel it, or move it to the far touch.")
    public static let comboMaxSlippageTicks = Setting<Int>.integer(
        "execution.combo_max_slippage_ticks", default: 10, in: 0...1_000, help: "Walk-the-book for combos: ticks from the mid at most.")
    public static let riskRetryMilliseconds = Setting<Int>.integer(
        "execution.risk_retry_ms", default: 1_000, in: 10...60_000, help: "How often an intent waiting on risk (confirmation, window) is asked about again.")

    public static let placeRetryMaxMilliseconds = Setting<Int>.integer(
        "execution.place_retry_max_ms", default: 8_000, in: 500...300_000,
        help: "The longest wait between places retried while the gateway or its broker is unavailable (the backoff starts at 0.5 s and doubles).")

    public static let keepEndedHours = Setting<Int>.integer(
        "execution.keep_ended_hours", default: 24, in: 1...720,
        help: "How long an ended intent is remembered: a resubmit within it is answered as it ended, not checked and placed again.")

    public static let all: [any AnySetting] = [participation, slippage, maxReprices, repriceMilliseconds, afterMax,
                                               comboMaxSlippageTicks, riskRetryMilliseconds, placeRetryMaxMilliseconds, keepEndedHours]

    public static func policy(_ c: ServiceContext) throws -> ExecutionPolicy {
        ExecutionPolicy(limit: SmartLimit(participation: try c.value(participation), slippage: try c.value(slippage),
                                          maxReprices: try c.value(maxReprices)),
                        combo: ComboWalk(maxSlippageTicks: try c.value(comboMaxSlippageTicks)),
                        reprice: .milliseconds(try c.value(repriceMilliseconds)),
                        afterMax: ExecutionPolicy.AfterMax(rawValue: try c.value(afterMax)) ?? .leave,
                        riskRetry: .milliseconds(try c.value(riskRetryMilliseconds)),
                        keepEnded: .seconds(3_600 * (try c.value(keepEndedHours))),
                        placeRetryMax: .milliseconds(try c.value(placeRetryMaxMilliseconds)))
    }
}

public struct ExecutionPolicy: Sendable {
    public enum AfterMax: String, Sendable { case leave, cancel, marketable }
    public var limit: SmartLimit
    public var combo: ComboWalk
    public var reprice: Duration
    public var afterMax: AfterMax
    public var riskRetry: Duration
    /// How long an ended intent is remembered (see ``ExecutionRetention``).
    public var keepEnded: Duration
    /// The cap of the backoff between places retried while the broker is unavailable.
    public var placeRetryMax: Duration

    public init(limit: SmartLimit = SmartLimit(), combo: ComboWalk = ComboWalk(), reprice: Duration = .seconds(10),
                afterMax: AfterMax = .leave, riskRetry: Duration = .seconds(1), keepEnded: Duration = .seconds(86_400),
                placeRetryMax: Duration = .seconds(8)) {
        self.limit = limit
        self.combo = combo
        self.reprice = reprice
        self.afterMax = afterMax
        self.riskRetry = riskRetry
        self.keepEnded = keepEnded
        self.placeRetryMax = placeRetryMax
    }
}
