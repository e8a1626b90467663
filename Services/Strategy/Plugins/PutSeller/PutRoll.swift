import Foundation
import Messages
import StrategyKit

/// ThetaGang's roll of a short put (its `roll_when` rules and defaults): when a put is rolled,
/// to which put, and at what credit. Pure: the put seller asks it once a session per short put.
public struct PutRoll: Sendable, Equatable {
    /// Roll once this share of the premium is captured (ThetaGang's `roll_when.pnl`).
    public var pnl = 0.90
    /// …or at this many days to expiry or fewer, with P&L at least `minPnl` (`roll_when.dte`, `min_pnl`).
    public var dte = 15
    public var minPnl = 0.0
    /// In-the-money puts are rolled only when this is on (`roll_when.puts.itm`)…
    public var itm = false
    /// …and always, whatever the P&L and DTE, with this (`roll_when.puts.always_when_itm`).
    public var alwaysWhenITM = false
    /// Only for a net credit of at least `minCredit` a share (`credit_only`, `minimum_credit`).
    public var creditOnly = true
    public var minCredit = 0.05
    /// Buy the put back when no roll qualifies (`close_if_unable_to_roll`).
    public var closeIfUnable = false
    public init() {}

    public enum Decision: Equatable {
        case hold(String)
        case roll(String)
    }

    /// The share of the premium captured: (sale − mark) / sale.
    public static func capturedShare(sale: Double, mark: Double) -> Double {
        sale > 0 ? (sale - mark) / sale : 0
    }

    /// Whether a short put struck at `strike`, `days` from expiry, with `captured` of its premium
    /// kept, is rolled with the underlying at `spot` (ThetaGang's `put_can_be_rolled`: a put is in
    /// the money once its strike is at or above the price).
    public func decide(strike: Double, spot: Double, days: Int, captured: Double) -> Decision {
        let inTheMoney = strike >= spot
        let share = String(format: "%.0f%%", captured * 100)
        if inTheMoney && alwaysWhenITM { return .roll("in the money (strike \(strike) ≥ \(spot)): always rolled") }
        if inTheMoney && !itm { return .hold("in the money (strike \(strike) ≥ \(spot)): in-the-money puts are not rolled") }
        if days <= dte && captured >= minPnl { return .roll("\(days) days to expiry ≤ \(dte) with \(share) of the premium kept") }
        if captured >= pnl { return .roll("\(share) of the premium kept ≥ \(String(format: "%.0f%%", pnl * 100))") }
        return .hold("\(share) of the premium kept, \(days) days to expiry: no roll yet")
    }

    /// The put to roll into: chosen as a new sale would be, among later expiries, struck at most
    /// the old strike plus the net credit (and not above the old strike while it is in the money),
    /// bringing at least `minCredit` when credit only. The credit is mid(new) − mid(old).
    func target(from old: Volta_V1_OptionQuote, spot: Double, chain: [Volta_V1_OptionQuote],
                       selection: PutSelection) -> (quote: Volta_V1_OptionQuote, credit: Double)? {
        let oldMid = Self.mid(old), oldStrike = Double(old.contract.strikeMicros) / 1e6
        let cap = { (credit: Double) in oldStrike >= spot ? oldStrike : oldStrike + credit }
        let eligible = chain.filter { q in
            guard q.contract.expiry > old.contract.expiry, q.contract.right == .put, q.contract.underlying == old.contract.underlying else { return false }
            let credit = Self.mid(q) - oldMid
            return Double(q.contract.strikeMicros) / 1e6 <= cap(credit) + 1e-9 && (!creditOnly || credit >= minCredit - 1e-9)
        }
        return selection.choose(eligible).map { ($0, Self.mid($0) - oldMid) }
    }

    static func mid(_ q: Volta_V1_OptionQuote) -> Double { (q.bid + q.ask) / 2 }

    /// A net credit as a sold combo's limit: on the cent, rounded down, toward a fill.
    public static func netLimitMicros(_ credit: Double) -> Int64 {
        let cents = (credit * 100).rounded(.down)
        return Int64(cents) * 10_000
    }
}
