import ServiceKit

/// The `marketdata.*` keys.
public enum MarketdataSettings {
    public static let maxAgeMilliseconds = Setting<Int>.integer(
        "marketdata.max_age_ms", default: 5_000, in: 0...3_600_000,
        help: "A quote burst older than this on arrival is refused as stale (0 turns the check off).")
    public static let staleAfterMilliseconds = Setting<Int>.integer(
        "marketdata.stale_after_ms", default: 30_000, in: 100...86_400_000,
        help: "A quote that has not updated for this long is republished flagged stale.")
    public static let chainSnapshotMilliseconds = Setting<Int>.integer(
        "marketdata.chain_snapshot_ms", default: 10_000, in: 100...3_600_000,
        help: "How often each underlying's whole chain is published on md.chain.<underlying>.")
    public static let indexSymbol = Setting<String>.text(
        "marketdata.index", default: "SPX", accepted: "a symbol", help: "The index betas are measured against.")
    public static let betas = Setting<[String: Double]>.symbolMap(
        "marketdata.betas", range: -5...10, example: "TSLA=1.8,GLD=0.1",
        help: "Configured betas; symbols not listed use the beta estimated from history.")
    public static let historyDays = Setting<Int>.integer(
        "marketdata.history_days", default: 60, in: 0...1000,
        help: "Daily bars asked of the gateway per underlying at start (0: live bars only).")

    public static let all: [any AnySetting] = [maxAgeMilliseconds, staleAfterMilliseconds, chainSnapshotMilliseconds,
                                               indexSymbol, betas, historyDays]
}
