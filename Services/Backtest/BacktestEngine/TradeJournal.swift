import Messages

/// One round trip: from a position's first fill to the fill that brings it back to zero.
public struct RoundTrip: Sendable, Equatable {
    public var id: Int
    public var strategy: String
    public var instrument: Volta_V1_Instrument
    /// Signed: negative for a short.
    public var quantity: Int64
    public var entryTime: Int64
    public var entryPrice: Double
    public var exitTime: Int64?
    public var exitPrice: Double?
    public var exitReason: String
    public var pnl: Double
    public var commission: Double
    public var underlyingAtEntry: Double
    public var ivAtEntry: Double
    public var deltaAtEntry: Double

    public var isOpen: Bool { exitTime == nil }
}

/// Why a fill was made, as far as the fill itself cannot say.
public struct FillCause: Sendable {
    public var strategy: String
    /// The strategy's reason for the intent (`stop_loss`, `take_profit`, …) or its bracket role.
    public var reason: String
    public init(strategy: String, reason: String) {
        self.strategy = strategy
        self.reason = reason
    }
}

/// Round trips from fills, one instrument at a time: a fill in the position's direction adds to
/// the entry (average price), one against it is an exit, one through zero closes the trip and opens
/// the next. Exercise, assignment and expiry come from the venue as fills of their own.
public struct TradeJournal: Sendable {
    struct Open: Sendable {
        var trip: RoundTrip
        var entryQuantity: Int64 = 0
        var entryNotional = 0.0
        var exitQuantity: Int64 = 0
        var exitNotional = 0.0
        var position: Int64 = 0
    }

    public private(set) var closed: [RoundTrip] = []
    var open: [String: Open] = [:]
    var seen: Set<String> = []
    var nextID = 1

    public init() {}

    /// Books a fill (a fill id seen before is ignored: the venue's stream may repeat one).
    /// - Parameters:
    ///   - cause: the intent behind the fill's order, or nil for the venue's own (expiry, exercise).
    ///   - market: the underlying, implied vol and delta when the fill opens a trip.
    public mutating func book(_ fill: Volta_V1_Fill, cause: FillCause?, market: (underlying: Double, iv: Double, delta: Double)?) {
        guard seen.insert(fill.fillID).inserted, fill.quantity > 0 else { return }
        let key = fill.instrument.displayName
        let signed = (fill.side == .buy ? 1 : -1) * fill.quantity
        let price = Double(fill.priceMicros) / 1e6
        let commission = Double(fill.commissionMicros) / 1e6
        guard var o = open[key], o.position != 0 else {
            open[key] = start(fill, signed, price, commission, cause, market)
            return
        }
        if (o.position > 0) == (signed > 0) {
            o.position += signed
            o.entryQuantity += abs(signed)
            o.entryNotional += Double(abs(signed)) * price
            o.trip.quantity = o.position
            o.trip.entryPrice = o.entryNotional / Double(o.entryQuantity)
            o.trip.commission += commission
            open[key] = o
            return
        }
        let wasShort = o.position < 0
        let closing = min(abs(o.position), abs(signed))
        let share = Double(closing) / Double(abs(signed))
        o.exitQuantity += closing
        o.exitNotional += Double(closing) * price
        o.trip.commission += commission * share
        o.position += (signed > 0 ? 1 : -1) * closing
        o.trip.exitReason = Self.reason(fill, cause: cause, short: wasShort)
        if o.position == 0 {
            closed.append(finish(o, at: fill.timeNs))
            open[key] = nil
        } else {
            open[key] = o
        }
        let rest = abs(signed) - closing
        if rest > 0 {
            open[key] = start(fill, (signed > 0 ? 1 : -1) * rest, price, commission * (1 - share), cause, market)
        }
    }

    /// Every trip: the closed ones, then the open ones marked at `mark` (exit_reason `open`).
    public func trips(mark: (Volta_V1_Instrument) -> Double?, now: Int64) -> [RoundTrip] {
        closed + open.keys.sorted().compactMap { key in
            guard let o = open[key], o.position != 0 else { return nil }
            var t = o.trip
            let m = mark(t.instrument) ?? t.entryPrice
            let sign = t.quantity > 0 ? 1.0 : -1.0
            let multiplier = Self.multiplier(t.instrument)
            let exited = Double(o.exitQuantity)
            let realized = exited > 0 ? (o.exitNotional / exited - t.entryPrice) * exited * sign * multiplier : 0
            t.pnl = realized + (m - t.entryPrice) * Double(abs(o.position)) * sign * multiplier - t.commission
            t.exitPrice = m
            t.exitReason = "open"
            return t
        }
    }

    mutating func start(_ fill: Volta_V1_Fill, _ signed: Int64, _ price: Double, _ commission: Double, _ cause: FillCause?,
                        _ market: (underlying: Double, iv: Double, delta: Double)?) -> Open {
        let trip = RoundTrip(id: nextID, strategy: cause?.strategy ?? (fill.orderID.isEmpty ? "venue" : fill.orderID),
                             instrument: fill.instrument, quantity: signed, entryTime: fill.timeNs, entryPrice: price, exitTime: nil,
                             exitPrice: nil, exitReason: "open", pnl: 0, commission: commission,
                             underlyingAtEntry: market?.underlying ?? 0, ivAtEntry: market?.iv ?? 0, deltaAtEntry: market?.delta ?? 0)
        nextID += 1
        return Open(trip: trip, entryQuantity: abs(signed), entryNotional: Double(abs(signed)) * price, position: signed)
    }

    func finish(_ o: Open, at time: Int64) -> RoundTrip {
        var t = o.trip
        let exit = o.exitNotional / Double(o.exitQuantity)
        t.exitTime = time
        t.exitPrice = exit
        t.quantity = (t.quantity > 0 ? 1 : -1) * o.entryQuantity
        t.pnl = (exit - t.entryPrice) * Double(o.exitQuantity) * (t.quantity > 0 ? 1 : -1) * Self.multiplier(t.instrument) - t.commission
        return t
    }

    /// The trade's exit reason: the venue's expiry and exercise by what they did to whom, a
    /// strategy's stop or take profit by name, a roll, anything else a close.
    static func reason(_ fill: Volta_V1_Fill, cause: FillCause?, short: Bool) -> String {
        switch fill.orderID {
        case "expiry": return "expired"
        case "exercise": return short ? "assigned" : "exercised"
        default: break
        }
        switch cause?.reason ?? "" {
        case let r where r.contains("stop"): return "stop_loss"
        case let r where r.contains("take_profit") || r.contains("profit"): return "take_profit"
        case let r where r.contains("roll"): return "rolled"
        default: return "closed"
        }
    }

    static func multiplier(_ i: Volta_V1_Instrument) -> Double {
        i.hasOption ? Double(i.option.multiplier > 0 ? i.option.multiplier : 100) : 1
    }
}
