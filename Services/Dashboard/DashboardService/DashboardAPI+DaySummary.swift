import Bus
import Foundation
import HTTPTypes
import Hummingbird
import Market
import Messages

/// The end-of-day summary: made after each session's close (`dashboard.day_summary_after_close_min`),
/// or when an operator asks; published for the recorder to keep, and sent to every alert sink.
extension DashboardAPI {
    /// Every session's summary, some minutes after its close (bus time, so a backtest's clock
    /// or a simulated session works the same).
    func endOfDayLoop(afterClose: Duration) async {
        while !Task.isCancelled {
            let day = DaySummary.Day.next(after: bus.clock.now())
            let due = day.closeNs + Int64(afterClose.nanoseconds)
            do { try await bus.clock.sleep(for: .nanoseconds(max(0, due - bus.clock.now()))) } catch { return }
            do { _ = try await publishDaySummary(day) } catch {
                alerts.raise(OperatorAlert(kind: "summary", level: .warning, text: "the end-of-day summary of \(day.date) could not be made: \(error)",
                                           timeNs: bus.clock.now()))
            }
        }
    }

    /// Makes the summary of `day`, publishes it (the recorder keeps it) and sends it to the sinks.
    func publishDaySummary(_ day: DaySummary.Day) async throws -> Volta_V1_DaySummary {
        let date = day.date.description
        async let trades = query("day_trades", ["date": date], limit: 10_000)
        async let accounts = query("pnl", [:])
        async let positions = query("open_positions", [:], limit: 10_000)
        let summary = DaySummary(day: day, trades: try await trades.jsonRows, accounts: try await accounts.jsonRows,
                                 positions: try await positions.jsonRows, risk: watch.risk, alerts: alerts.recent)
        let now = bus.clock.now()
        let message = Volta_V1_DaySummary.with {
            $0.date = date
            $0.madeNs = now
            $0.text = summary.text
            $0.json = summary.json.text
        }
        guard bus.publish(message) else { throw Invalid(message: "the summary could not be published (bus full)", status: .serviceUnavailable) }
        alerts.raise(OperatorAlert(kind: "summary", level: .info, text: summary.text, timeNs: now))
        return message
    }

    /// `GET /api/summary/day[?date=YYYY-MM-DD]`: the latest summaries the recorder keeps (30), or one day's.
    func daySummaries(_ r: Request) async throws -> JSONValue {
        let p = try parameters(r, allowed: ["date"])
        let rows = try await query("day_summaries", p, limit: 30).jsonRows
        return .object([("summaries", .array(rows.map(Self.summaryJSON)))])
    }

    /// `POST /api/summary/day {"date"?: "YYYY-MM-DD"}`: the summary of that session (default: the
    /// last one closed), now.
    func makeDaySummary(_ r: Request) async throws -> JSONValue {
        let data = try await body(r)
        var day = DaySummary.Day.last(atOrBefore: bus.clock.now())
        if !data.isEmpty {
            guard let body = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw Invalid(message: "the body must be a JSON object") }
            if let text = body["date"] {
                // Years far from now are refused before any arithmetic: nanoseconds since 1970
                // overflow before 1678 (a fuzzed 1637-03-06 crashed the dashboard).
                guard let text = text as? String, let date = CivilDate(text), SupportedYears.range.contains(date.components.year),
                      let session = NYSECalendar().session(on: date) else {
                    throw Invalid(message: "date must be an NYSE session like 2026-12-07")
                }
                day = DaySummary.Day(session)
                guard day.closeNs <= bus.clock.now() else { throw Invalid(message: "the session of \(text) has not closed yet", status: .conflict) }
            }
        }
        let m = try await publishDaySummary(day)
        return Self.summaryJSON(.object([("date", .string(m.date)), ("made_ns", .integer(m.madeNs)), ("text", .string(m.text)),
                                         ("json", .string(m.json))]))
    }

    /// A kept summary with its structured part as JSON, not as a string of it.
    static func summaryJSON(_ row: JSONValue) -> JSONValue {
        let detail = row["json"]?.string.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }.map(JSONValue.init(any:)) ?? .null
        return .object([("date", row["date"] ?? .null), ("made_ns", row["made_ns"] ?? .null), ("text", row["text"] ?? .null), ("summary", detail)])
    }
}
