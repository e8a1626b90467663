import Foundation
import ServiceKit

/// The `dashboard.*` keys.
public enum DashboardSettings {
    public static let host = Setting<String>.text(
        "dashboard.host", default: "127.0.0.1", accepted: "an IP address or host name",
        help: "Where the HTTP server listens. Off loopback, reads need the token too unless dashboard.open_reads is set.")
    public static let port = Setting<Int>.integer(
        "dashboard.port", default: 8080, in: 0...65_535, help: "The HTTP port (0: any free port, logged at start).")
    public static let token = Setting<String>.text(
        "dashboard.token", default: "", accepted: "a token of at least 16 characters, or empty", help:
            "Bearer token for the write endpoints (trade trigger, kill switch). Empty: writes are refused.",
        secret: true, isValid: { $0.isEmpty || $0.count >= 16 })
    public static let openReads = Setting<Bool>.flag(
        "dashboard.open_reads", default: false, help: "Serve reads without the token to clients off 127.0.0.1 as well.")
    public static let queryTimeoutMilliseconds = Setting<Int>.integer(
        "dashboard.query_ms", default: 2_000, in: 100...60_000, help: "How long a request to the recorder, risk or execution may take.")

    public static let webhookURL = Setting<String>.text(
        "dashboard.alerts.webhook_url", default: "", accepted: "an http:// or https:// URL, or empty", help:
            "Where alerts are POSTed as Slack's JSON ({\"text\": ...}); empty: the log and the page only.",
        secret: true, isValid: { $0.isEmpty || (($0.hasPrefix("http://") || $0.hasPrefix("https://")) && URL(string: $0)?.host != nil) })
    public static let webhookLevel = Setting<String>.choice(
        "dashboard.alerts.webhook_level", default: "info", of: ["info", "warning", "critical"],
        help: "The least level sent to the webhook (fills are info; rejections, risk limits at 80% warning; the kill switch critical).")

    public static let daySummary = Setting<Bool>.flag(
        "dashboard.day_summary", default: true, help: "Make the end-of-day summary after each NYSE session's close and send it to the alert sinks.")
    public static let daySummaryAfterCloseMinutes = Setting<Int>.integer(
        "dashboard.day_summary_after_close_min", default: 5, in: 0...720, help: "How long after the close the summary is made (bus time).")

    public static let volatilityIndex = Setting<String>.text(
        "dashboard.volatility_index", default: "VIX", accepted: "a symbol", help:
            "The volatility index the market panel shows first (the stop manager's VIX).", isValid: { !$0.isEmpty && $0.count <= 32 })

    public static let all: [any AnySetting] = [host, port, token, openReads, queryTimeoutMilliseconds, webhookURL, webhookLevel,
                                               daySummary, daySummaryAfterCloseMinutes, volatilityIndex]
}
