import Bus
import Messages

/// The operator's "flatten": close every position at smart limits.
extension ExecutionService {
    /// Cancels every working order, waits (at most `flattenCancelWait`) for the cancels to end,
    /// then submits one CLOSE intent per position the broker reports. A position whose order is
    /// still working after the wait is left alone and named in the log: closing it beside an exit
    /// that may still fill could flip it. The intent ids derive from `flatten_id` (or the request
    /// id), so the same flatten asked again answers the same closes instead of sending more.
    func flatten(_ f: Volta_V1_Flatten, requestID: String) async throws -> [Volta_V1_IntentExecution] {
        let prefix = "flatten-\(Topics.key(f.flattenID.isEmpty ? requestID : f.flattenID))-"
        let reason = f.reason.isEmpty ? "flatten" : f.reason
        let known = records.withLock { r in r.keys.filter { $0.hasPrefix(prefix) }.sorted().compactMap { r[$0] } }
        if !known.isEmpty { return known.map { $0.report(now: bus.clock.now()) } }

        logger.critical("flatten: cancelling every working order, then closing every position", metadata: ["reason": "\(reason)"])
        let cancelled = await cancelAll(reason: "flatten: \(reason)")
        let deadline = bus.clock.now() + flattenCancelWait.nanoseconds
        while workingInstruments().count > 0, bus.clock.now() < deadline {
            try await bus.clock.sleep(for: .milliseconds(100))
        }
        let account = try await gateway(retries: 1) { $0.accountSnapshot = true }.account
        let stillWorking = workingInstruments()
        var reports: [Volta_V1_IntentExecution] = []
        for p in account.positions where p.quantity != 0 {
            guard !stillWorking.contains(p.instrument.displayName) else {
                logger.error("flatten: a position with an order still working after the cancel was not closed; flatten again",
                             metadata: ["position": "\(p.instrument.displayName)", "account": "\(p.account)"])
                continue
            }
            reports.append(try submit(Self.closeIntent(p, id: prefix + Topics.key("\(p.account)-\(p.instrument.displayName)"),
                                                      reason: reason, now: bus.clock.now()), now: bus.clock.now()))
        }
        logger.notice("flatten submitted", metadata: ["orders_cancelled": "\(cancelled)", "closes": "\(reports.count)"])
        return reports
    }

    /// The instruments of every intent not yet ended.
    func workingInstruments() -> Set<String> {
        records.withLock { r in Set(r.values.filter { !$0.isDone }.flatMap { $0.intent?.legs.map(\.instrument.displayName) ?? [] }) }
    }

    /// The operator's close of one position; its intent reason is "flatten" whatever the
    /// operator gave (the reason is logged), so the record groups every flatten's closes.
    static func closeIntent(_ p: Volta_V1_Position, id: String, reason: String, now: Int64) -> Volta_V1_OrderIntent {
        .closing(p, id: id, strategy: "operator", instance: "flatten", reason: "flatten", now: now)
    }
}
