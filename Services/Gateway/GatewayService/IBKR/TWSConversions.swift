import Bus
import Foundation
import Market
import Messages
import TWS

/// Between Volta's messages and TWS's, both ways: the `ibkr` adapter turns orders into
/// placeOrder and replies into statuses and fills; twsim does the reverse. One file holds both
/// directions so that a round trip is the identity, and a test can say so.
public enum TWSConversions {
    /// Symbols that are indexes at IB (secType IND on CBOE), not stocks.
    public static let indexSymbols: Set<String> = ["SPX", "NDX", "RUT", "VIX", "XSP", "DJX", "OEX"]

    /// A count from the wire (sizes, quantities), whole and within Int64 even when TWS, or a
    /// broken peer, sends something absurd: 1e300 must not trap the gateway.
    public static func count(_ value: Double) -> Int64 {
        guard value.isFinite else { return 0 }
        return Int64(max(-1e15, min(1e15, value)).rounded(.towardZero))
    }

    /// A price from the wire as micros, clamped the same way.
    public static func micros(_ value: Double) -> Int64 {
        guard value.isFinite else { return 0 }
        return Money.micros(max(-1e12, min(1e12, value)))
    }

    // MARK: Instruments

    /// An instrument's contract multiplier: an option's (100 when unset), 1 for the underlying.
    public static func multiplier(of i: Volta_V1_Instrument) -> Int32 {
        i.hasOption ? (i.option.multiplier == 0 ? 100 : i.option.multiplier) : 1
    }

    /// Volta's `YYYY-MM-DD` as IB writes dates: `YYYYMMDD`.
    public static func ibDate(_ iso: String) -> String { iso.replacingOccurrences(of: "-", with: "") }

    public static func contract(_ instrument: Volta_V1_Instrument) -> TWSContract {
        guard instrument.hasOption else {
            let isIndex = indexSymbols.contains(instrument.symbol)
            return TWSContract(symbol: instrument.symbol, secType: isIndex ? "IND" : "STK", exchange: isIndex ? "CBOE" : "SMART")
        }
        let o = instrument.option
        return TWSContract(conId: Int(o.brokerID), symbol: o.underlying.isEmpty ? instrument.symbol : o.underlying, secType: "OPT",
                           lastTradeDate: ibDate(o.expiry),
                           strike: Money.value(o.strikeMicros), right: o.right == .call ? "C" : o.right == .put ? "P" : "",
                           multiplier: String(multiplier(of: instrument)), tradingClass: o.tradingClass)
    }

    /// The instrument a contract names.
    /// - Throws: `BadRequest` for a security type Volta does not trade or an option it cannot read.
    public static func instrument(_ c: TWSContract) throws -> Volta_V1_Instrument {
        var i = Volta_V1_Instrument()
        i.symbol = c.symbol
        switch c.secType {
        case "STK", "IND": return i
        case "OPT":
            var o = Volta_V1_OptionContract()
            o.underlying = c.symbol
            guard let expiry = isoDate(c.lastTradeDate) else { throw BadRequest("option expiry '\(c.lastTradeDate)' is not YYYYMMDD") }
            o.expiry = expiry
            guard c.strike > 0, c.strike < 1e7 else { throw BadRequest("option strike \(c.strike) is not a strike") }
            o.strikeMicros = Money.micros(c.strike)
            switch c.right {
            case "C", "CALL": o.right = .call
            case "P", "PUT": o.right = .put
            default: throw BadRequest("option right '\(c.right)' is not C or P")
            }
            o.multiplier = Int32(c.multiplier) ?? 100
            o.brokerID = Int64(c.conId)
            o.exchange = c.exchange
            o.tradingClass = c.tradingClass
            i.option = o
            return i
        default: throw BadRequest("security type '\(c.secType)' is not traded by Volta (STK, IND, OPT and BAG are)")
        }
    }

    /// `20261218` (or `20261218 16:00 US/Eastern`) as `2026-12-18`.
    public static func isoDate(_ ib: String) -> String? {
        let digits = ib.prefix(8)
        guard digits.count == 8, digits.allSatisfy(\.isNumber) else { return nil }
        return "\(digits.prefix(4))-\(digits.dropFirst(4).prefix(2))-\(digits.suffix(2))"
    }

    // MARK: Orders

    /// The TWS order for a Volta order. `orderRef` carries Volta's id, so TWS gives it back with
    /// every open order and execution, across reconnects.
    /// - Throws: `BadRequest` for an order TWS would not take as Volta means it.
    public static func twsOrder(_ o: Volta_V1_Order, orderId: Int, parentId: Int, account: String) throws -> (TWSContract, TWSOrder) {
        guard !o.legs.isEmpty else { throw BadRequest("order \(o.orderID) has no legs") }
        guard o.quantity > 0 else { throw BadRequest("order \(o.orderID) quantity must be positive") }
        var order = TWSOrder()
        order.orderId = orderId
        order.orderRef = o.orderID
        order.totalQuantity = Double(o.quantity)
        order.account = o.account.isEmpty ? account : o.account
        order.parentId = parentId
        order.ocaGroup = o.ocaGroup
        if !o.ocaGroup.isEmpty { order.ocaType = 1 }
        order.tif = switch o.tif { case .gtc: "GTC"; case .ioc: "IOC"; default: "DAY" }
        let contract: TWSContract
        if o.legs.count == 1 {
            contract = Self.contract(o.legs[0].instrument)
            order.action = try action(o.legs[0].side)
        } else {
            // The combo goes in its direction, the first leg's side, each leg's action relative
            // to it, and its limit is the net in that direction: a sold spread is a SELL of the
            // BAG at its credit, as a trader enters it in TWS.
            var bag = TWSContract(symbol: o.legs[0].instrument.symbol, secType: "BAG")
            let direction = o.legs[0].side
            bag.comboLegs = try o.legs.map { leg in
                guard leg.instrument.option.brokerID != 0 || !leg.instrument.hasOption else {
                    throw BadRequest("combo leg \(leg.instrument.symbol) has no contract id")
                }
                _ = try action(leg.side)
                return TWSComboLeg(conId: Int(leg.instrument.hasOption ? leg.instrument.option.brokerID : 0),
                                   ratio: Int(max(leg.ratio, 1)), action: leg.side == direction ? "BUY" : "SELL")
            }
            contract = bag
            order.action = try action(direction)
        }
        let limit = Money.value(o.limitPriceMicros), stop = Money.value(o.stopPriceMicros)
        switch o.orderType {
        case .market: order.orderType = "MKT"
        case .limit: order.orderType = "LMT"; order.lmtPrice = limit
        case .stop: order.orderType = "STP"; order.auxPrice = stop
        case .stopLimit: order.orderType = "STP LMT"; order.lmtPrice = limit; order.auxPrice = stop
        case .trailingStop:
            order.orderType = "TRAIL"
            if o.trailPercent > 0 { order.trailingPercent = o.trailPercent } else { order.auxPrice = Money.value(o.trailAmountMicros) }
            if o.stopPriceMicros > 0 { order.trailStopPrice = stop }
        default: throw BadRequest("order \(o.orderID) has no order type")
        }
        switch o.algo {
        case "": break
        case "adaptive":
            order.algoStrategy = "Adaptive"
            let priority = o.algoPriority.isEmpty ? "Normal" : o.algoPriority.prefix(1).uppercased() + o.algoPriority.dropFirst()
            order.algoParams = [TWSTagValue(tag: "adaptivePriority", value: priority)]
        default: throw BadRequest("algo '\(o.algo)' is unknown (IB's 'adaptive' is supported)")
        }
        return (contract, order)
    }

    static func action(_ side: Volta_V1_Side) throws -> String {
        switch side {
        case .buy: "BUY"
        case .sell: "SELL"
        default: throw BadRequest("a leg has no side")
        }
    }

    /// The Volta order a placeOrder asks for; `instrumentOf` finds a combo leg's instrument by its id.
    public static func voltaOrder(_ contract: TWSContract, _ o: TWSOrder, orderID: String, parentOrderID: String,
                                  instrumentOf: (Int) throws -> Volta_V1_Instrument) throws -> Volta_V1_Order {
        var m = Volta_V1_Order()
        m.orderID = orderID
        m.parentOrderID = parentOrderID
        m.account = o.account
        m.ocaGroup = o.ocaGroup
        guard o.totalQuantity > 0, o.totalQuantity == o.totalQuantity.rounded(), o.totalQuantity < 1e9 else {
            throw BadRequest("order quantity \(o.totalQuantity) is not a positive whole number")
        }
        m.quantity = Int64(o.totalQuantity)
        let buy: Bool
        switch o.action {
        case "BUY": buy = true
        case "SELL", "SSHORT": buy = false
        default: throw BadRequest("order action '\(o.action)' is not BUY or SELL")
        }
        if contract.isCombo {
            m.legs = try contract.comboLegs.map { leg in
                var l = Volta_V1_Leg()
                l.instrument = try instrumentOf(leg.conId)
                guard (1...1_000).contains(leg.ratio) else { throw BadRequest("combo leg ratio \(leg.ratio) is not 1…1000") }
                l.ratio = Int32(leg.ratio)
                l.side = (leg.action == "BUY") == buy ? .buy : .sell
                return l
            }
        } else {
            var l = Volta_V1_Leg()
            l.instrument = try instrument(contract)
            l.ratio = 1
            l.side = buy ? .buy : .sell
            m.legs = [l]
        }
        m.tif = switch o.tif {
        case "", "DAY": .day
        case "GTC": .gtc
        case "IOC": .ioc
        default: throw BadRequest("time in force '\(o.tif)' is not DAY, GTC or IOC")
        }
        func price(_ value: Double?, _ name: String) throws -> Int64 {
            guard let value else { throw BadRequest("\(name) is unset") }
            guard value.isFinite, abs(value) < 1e9, contract.isCombo || value > 0 else { throw BadRequest("\(name) \(value) is not a price") }
            return Money.micros(value)
        }
        switch o.orderType {
        case "MKT": m.orderType = .market
        case "LMT": m.orderType = .limit; m.limitPriceMicros = try price(o.lmtPrice, "lmtPrice")
        case "STP": m.orderType = .stop; m.stopPriceMicros = try price(o.auxPrice, "auxPrice")
        case "STP LMT":
            m.orderType = .stopLimit
            m.limitPriceMicros = try price(o.lmtPrice, "lmtPrice")
            m.stopPriceMicros = try price(o.auxPrice, "auxPrice")
        case "TRAIL":
            m.orderType = .trailingStop
            if let percent = o.trailingPercent { m.trailPercent = percent } else { m.trailAmountMicros = try price(o.auxPrice, "auxPrice") }
            if let stop = o.trailStopPrice { m.stopPriceMicros = try price(stop, "trailStopPrice") }
        default: throw BadRequest("order type '\(o.orderType)' is not supported (MKT, LMT, STP, STP LMT, TRAIL are)")
        }
        switch o.algoStrategy {
        case "": break
        case "Adaptive":
            m.algo = "adaptive"
            m.algoPriority = (o.algoParams.first { $0.tag == "adaptivePriority" }?.value ?? "Normal").lowercased()
        default: throw BadRequest("algo '\(o.algoStrategy)' is not supported (Adaptive is)")
        }
        return m
    }

    // MARK: Statuses and fills

    public static func twsStatus(_ state: Volta_V1_OrderState) -> String {
        switch state {
        case .pendingSubmit: "PreSubmitted"
        case .submitted, .partiallyFilled: "Submitted"
        case .filled: "Filled"
        case .pendingCancel: "PendingCancel"
        case .cancelled, .expired: "Cancelled"
        case .rejected: "Inactive"
        default: "PendingSubmit"
        }
    }

    public static func voltaState(_ status: String, filled: Double) -> Volta_V1_OrderState {
        switch status {
        case "PendingSubmit", "ApiPending", "PreSubmitted": .pendingSubmit
        case "Submitted": filled > 0 ? .partiallyFilled : .submitted
        case "Filled": .filled
        case "PendingCancel": .pendingCancel
        case "Cancelled", "ApiCancelled": .cancelled
        case "Inactive": .rejected
        default: .unspecified
        }
    }

    /// An execution's time: `yyyyMMdd HH:mm:ss ZONE`, `yyyyMMdd-HH:mm:ss` (UTC) or
    /// `yyyyMMdd  HH:mm:ss` (TWS's zone, New York for US accounts).
    public static func executionTime(_ text: String) -> Int64? {
        let parts = text.replacingOccurrences(of: "-", with: " ").split(separator: " ")
        guard parts.count >= 2 else { return nil }
        let zone = parts.count >= 3 ? TimeZone(identifier: String(parts[2])) : text.contains("-") ? TimeZone(identifier: "UTC") : nil
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone ?? TimeZone(identifier: "America/New_York")
        formatter.dateFormat = "yyyyMMdd HH:mm:ss"
        guard let date = formatter.date(from: "\(parts[0]) \(parts[1])"), (0..<9e9).contains(date.timeIntervalSince1970) else { return nil }
        return Int64(date.timeIntervalSince1970 * 1e9)
    }

    public static func executionTimeText(_ ns: Int64) -> String {
        TWSHandshake.utc(Date(timeIntervalSince1970: Double(ns) / 1e9)) + " UTC"
    }
}
