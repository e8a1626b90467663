import Market
import Messages
import TWS

/// Expiry, exercise and assignment as TWS reports them. TWS sends an exercise or an assignment
/// as executions of no API order (order id 0, no orderRef): the option's, then the delivered
/// shares'. An option that expires worthless sends no execution at all: its position just goes
/// to zero after the close. Volta books both as the simulated broker does (orderID "exercise",
/// and "expiry" at 0), so the recorder closes the trade with its reason and a strategy sees its
/// assignment; without this an expired option's trade stayed OPEN forever.
extension IBKRBook {
    /// How long a position gone to zero after its expiry waits for an exercise execution before
    /// it is booked as expired worthless.
    static let expiryPatienceNs: Int64 = 5_000_000_000

    /// The Volta order id of an execution that belongs to no API order: "exercise" for an option
    /// closed by the broker and for shares delivered with one (within a minute, same underlying);
    /// nil for anything else (a trade made in TWS by hand keeps its `tws-<permId>` id).
    mutating func settlementOrderID(_ m: TWSExecution, _ instrument: Volta_V1_Instrument?, now: Int64) -> String? {
        guard m.orderId <= 0, m.orderRef.isEmpty, voltaIdOf[m.orderId] == nil, let instrument else { return nil }
        if instrument.hasOption {
            exercisedAt[instrument.option.underlying] = now
            exercised.insert(instrument.displayName)
            expiring[instrument.displayName] = nil
            return "exercise"
        }
        if let at = exercisedAt[instrument.symbol], now - at <= 60_000_000_000 { return "exercise" }
        return nil
    }

    /// A position change: an option that went to zero at or after its expiry's close, with no
    /// exercise heard, waits to be booked as expired.
    mutating func noteSettlement(before: Volta_V1_Position?, after p: Volta_V1_Position, now: Int64) {
        guard p.instrument.hasOption, p.quantity == 0, let before, before.quantity != 0, !exercised.contains(p.instrument.displayName),
              let expiry = CivilDate(p.instrument.option.expiry) else { return }
        let local = NewYorkTime.local(now)
        guard local.date > expiry || (local.date == expiry && local.minute >= 16 * 60) else { return }
        if expiring[p.instrument.displayName] == nil { expiring[p.instrument.displayName] = (before, now) }
    }

    /// The expiries whose patience ran out, as fills at 0 closing the position. The fill id is
    /// the contract's and the expiry's, so a reconnect that reports it again books nothing twice.
    mutating func expiredWorthless(now: Int64) -> [BrokerEvent] {
        let due = expiring.filter { now - $0.value.since >= Self.expiryPatienceNs }
        var events: [BrokerEvent] = []
        for (key, entry) in due.sorted(by: { $0.key < $1.key }) {
            expiring[key] = nil
            let id = "EXP-\(key.replacingOccurrences(of: " ", with: "-"))"
            guard seenExecutions.insert(id).inserted else { continue }
            var f = Volta_V1_Fill()
            f.fillID = id
            f.orderID = "expiry"
            f.instrument = entry.position.instrument
            f.side = entry.position.quantity > 0 ? .sell : .buy
            f.quantity = abs(entry.position.quantity)
            f.priceMicros = 0
            f.timeNs = now
            f.account = entry.position.account.isEmpty ? account : entry.position.account
            events.append(.fill(f))
        }
        return events
    }
}
