import Foundation
import Messages
import StrategyKit

/// The choice of the put to sell: the expiry nearest the target DTE within its window, and in it
/// the put nearest the target delta within the tolerance that passes the filters (a minimum
/// premium, a maximum spread as a share of the mid, a minimum open interest where it is known).
struct PutSelection {
    let settings: PutSellerSettings.Values
    let now: Int64

    func dte(_ expiry: String) -> Int? { NewYorkDate.days(from: now, to: expiry) }

    /// The candidates: live puts in the DTE window passing the filters.
    func candidates(_ chain: [Volta_V1_OptionQuote]) -> [Volta_V1_OptionQuote] {
        chain.filter { q in
            guard q.contract.right == .put, !q.stale, q.bid > 0, q.ask >= q.bid, let d = dte(q.contract.expiry) else { return false }
            let mid = (q.bid + q.ask) / 2
            return settings.dteWindow.contains(d) && mid >= settings.minPremium && (q.ask - q.bid) / mid <= settings.maxSpreadFraction
                && (q.openInterest == 0 || q.openInterest >= settings.minOpenInterest)
        }
    }

    func choose(_ chain: [Volta_V1_OptionQuote]) -> Volta_V1_OptionQuote? {
        let live = candidates(chain)
        guard let expiry = live.compactMap({ q in dte(q.contract.expiry).map { (q.contract.expiry, abs($0 - settings.targetDTE)) } })
            .min(by: { ($0.1, $0.0) < ($1.1, $1.0) })?.0 else { return nil }
        return live.filter { $0.contract.expiry == expiry && abs(abs($0.greeks.delta) - settings.targetDelta) <= settings.deltaTolerance }
            .min { a, b in
                let da = abs(abs(a.greeks.delta) - settings.targetDelta), db = abs(abs(b.greeks.delta) - settings.targetDelta)
                return da != db ? da < db : a.contract.strikeMicros < b.contract.strikeMicros
            }
    }

    /// The numbers this put was chosen by, for the record (the recorder's signal).
    func record(_ q: Volta_V1_OptionQuote, spot: Double) -> Volta_V1_Selection {
        .with {
            $0.dte = Int32(dte(q.contract.expiry) ?? 0)
            $0.delta = q.greeks.delta
            $0.iv = q.greeks.iv
            $0.premium = PutRoll.mid(q)
            $0.underlyingPrice = spot
        }
    }

    /// Why nothing was chosen, for the state a trader reads.
    func whyNone(_ chain: [Volta_V1_OptionQuote]) -> String {
        let puts = chain.filter { $0.contract.right == .put }
        if puts.isEmpty { return "no put quoted" }
        let inWindow = puts.filter { dte($0.contract.expiry).map(settings.dteWindow.contains) ?? false }
        if inWindow.isEmpty {
            let listed = Set(puts.compactMap { dte($0.contract.expiry) }).sorted()
            return "no expiry within \(settings.dteWindow.lowerBound)–\(settings.dteWindow.upperBound) days (quoted: \(listed))"
        }
        if candidates(chain).isEmpty { return "no put in the window passes the premium, spread and open-interest filters" }
        return String(format: "no put within %.2f of delta %.2f", settings.deltaTolerance, settings.targetDelta)
    }

    /// The sale's limit: the mid, on the quote's price grid (0.05 when both sides sit on it, else
    /// 0.01), a half tick rounded down, toward a fill: an order off the tick is refused (IB's 110).
    static func saleLimitMicros(_ q: Volta_V1_OptionQuote) -> Int64 {
        let (bid, ask) = (Int64((q.bid * 1e6).rounded()), Int64((q.ask * 1e6).rounded()))
        let tick: Int64 = bid % 50_000 == 0 && ask % 50_000 == 0 ? 50_000 : 10_000
        let mid = (bid + ask) / 2
        let down = mid / tick * tick
        return mid - down > tick / 2 ? down + tick : down
    }
}
