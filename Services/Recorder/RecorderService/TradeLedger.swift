/// A trade as the seeds mean it: one position in one instrument, from the fill that opens it to
/// the fill that makes it flat. Plain values, so the rules are tested without a database.
public struct Trade: Sendable, Equatable {
    public var id: Int64?
    public var account: String
    public var instrument: String
    public var underlying: String
    public var strategy: String
    public var multiplier: Int64
    /// Signed: negative for a short.
    public var quantity: Int64
    public var entryPrice: Double
    public var entryNs: Int64
    public var entryOrderID: String
    public var exitQuantity: Int64 = 0
    public var exitPrice: Double?
    public var exitNs: Int64?
    public var exitOrderID: String?
    public var exitReason: String?
    public var expectedExitPrice: Double?
    /// Per unit of price against the expected exit price: positive is worse for us.
    public var slippage: Double?
    /// Net of every commission of the trade.
    public var realizedPnl: Double = 0
    public var commissions: Double = 0
    public var status = "OPEN"
}

/// One execution, with what execution knew of the order behind it.
public struct TradeFill: Sendable {
    public var account: String
    public var instrument: String
    public var underlying: String
    public var multiplier: Int64
    /// Positive for a buy, negative for a sell.
    public var quantity: Int64
    public var price: Double
    public var commission: Double
    public var timeNs: Int64
    public var orderID: String
    /// The intent's strategy and reason ("stop_loss", "take_profit", …), when execution placed it.
    public var strategy: String?
    public var intentReason: String?
    public var expectedPrice: Double?

    public init(account: String, instrument: String, underlying: String, multiplier: Int64, quantity: Int64, price: Double,
                commission: Double, timeNs: Int64, orderID: String, strategy: String? = nil, intentReason: String? = nil,
                expectedPrice: Double? = nil) {
        self.account = account
        self.instrument = instrument
        self.underlying = underlying
        self.multiplier = multiplier
        self.quantity = quantity
        self.price = price
        self.commission = commission
        self.timeNs = timeNs
        self.orderID = orderID
        self.strategy = strategy
        self.intentReason = intentReason
        self.expectedPrice = expectedPrice
    }
}

public enum TradeLedger {
    /// The trade rows a fill changes: the open trade it adds to or reduces, and a new trade when
    /// it opens a position (or turns one over: the rest of the fill opens the other side).
    public static func apply(_ fill: TradeFill, to open: Trade?) -> [Trade] {
        guard fill.quantity != 0 else { return open.map { [$0] } ?? [] }
        guard var trade = open, trade.status == "OPEN" else { return [opening(fill, quantity: fill.quantity, commission: fill.commission)] }
        if (trade.quantity > 0) == (fill.quantity > 0) {
            // Adds to the position: the entry price becomes the average.
            let total = trade.quantity + fill.quantity
            trade.entryPrice = (trade.entryPrice * Double(trade.quantity) + fill.price * Double(fill.quantity)) / Double(total)
            trade.quantity = total
            trade.commissions += fill.commission
            trade.realizedPnl -= fill.commission
            return [trade]
        }
        let remaining = abs(trade.quantity) - trade.exitQuantity
        let closing = min(remaining, abs(fill.quantity))
        let share = Double(closing) / Double(abs(fill.quantity))
        let direction = trade.quantity > 0 ? 1.0 : -1.0
        let exitValue = (trade.exitPrice ?? 0) * Double(trade.exitQuantity) + fill.price * Double(closing)
        trade.exitQuantity += closing
        trade.exitPrice = exitValue / Double(trade.exitQuantity)
        trade.realizedPnl += (fill.price - trade.entryPrice) * Double(closing) * Double(trade.multiplier) * direction - fill.commission * share
        trade.commissions += fill.commission * share
        trade.exitNs = fill.timeNs
        trade.exitOrderID = fill.orderID
        if let expected = fill.expectedPrice, expected > 0 {
            trade.expectedExitPrice = expected
            trade.slippage = (expected - trade.exitPrice!) * direction
        }
        guard trade.exitQuantity == abs(trade.quantity) else { return [trade] }
        trade.status = "CLOSED"
        trade.exitReason = exitReason(fill, shortPosition: trade.quantity < 0)
        let rest = abs(fill.quantity) - closing
        guard rest > 0 else { return [trade] }
        return [trade, opening(fill, quantity: fill.quantity > 0 ? rest : -rest, commission: fill.commission * (1 - share))]
    }

    static func opening(_ fill: TradeFill, quantity: Int64, commission: Double) -> Trade {
        var t = Trade(account: fill.account, instrument: fill.instrument, underlying: fill.underlying,
                      strategy: fill.strategy.flatMap { $0.isEmpty ? nil : $0 } ?? "external", multiplier: max(1, fill.multiplier),
                      quantity: quantity, entryPrice: fill.price, entryNs: fill.timeNs, entryOrderID: fill.orderID)
        t.commissions = commission
        t.realizedPnl = -commission
        return t
    }

    /// TAKE_PROFIT, STOP_LOSS, MANUAL, EXPIRED_WORTHLESS, ASSIGNED, or EXERCISED (a long option
    /// exercised at expiry, which the seed's list lacks).
    public static func exitReason(_ fill: TradeFill, shortPosition: Bool) -> String {
        switch fill.orderID {
        case "expiry": return "EXPIRED_WORTHLESS"
        case "exercise": return shortPosition ? "ASSIGNED" : "EXERCISED"
        default:
            switch fill.intentReason {
            case "stop_loss": return "STOP_LOSS"
            case "take_profit": return "TAKE_PROFIT"
            default: return "MANUAL"
            }
        }
    }
}
