import Bus
import Foundation
import Hummingbird
import Market
import Messages

/// The market panel's reads: prices with their recent path (``MarketWatch``), and one expiry's
/// chain with its smile, asked of marketdata and the pricer when a page wants it (their
/// snapshots hold the latest of every quote and analytic; the dashboard follows no chain).
extension DashboardAPI {
    func market(_ r: Request) async throws -> JSONValue {
        _ = try parameters(r, allowed: [])
        return marketWatch.json()
    }

    func chain(_ r: Request) async throws -> JSONValue {
        let p = try parameters(r, allowed: ["underlying", "expiry"])
        guard let underlying = p["underlying"] else { throw Invalid(message: "the chain needs 'underlying', e.g. ?underlying=SPY") }
        guard underlying.count <= 32, underlying.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }) else {
            throw Invalid(message: "underlying must be a symbol of up to 32 letters, digits, '.', '-' or '_'")
        }
        if let e = p["expiry"], CivilDate(e) == nil { throw Invalid(message: "expiry must be a date YYYY-MM-DD, got '\(e)'") }

        let quotes = try await bus.snapshot(Volta_V1_OptionQuote.self, of: Topics.Service.marketdata,
                                            prefix: Topics.Prefix.optionQuotes(underlying: underlying), timeout: timeout, retries: 1)
        let expiries = Set(quotes.map(\.contract.expiry)).sorted()
        guard let expiry = p["expiry"] ?? OptionChainView.defaultExpiry(expiries, today: NewYorkTime.local(bus.clock.now()).date) else {
            throw Invalid(message: "marketdata has no option quotes for \(underlying)", status: .notFound)
        }
        guard expiries.contains(expiry) else {
            throw Invalid(message: "\(underlying) has no quoted expiry \(expiry); quoted: \(expiries.joined(separator: ", "))", status: .notFound)
        }
        var view = OptionChainView(underlying: underlying, expiry: expiry, expiries: expiries, quotes: quotes.filter { $0.contract.expiry == expiry },
                                   analytics: [], slice: nil,
                                   underlyingPrice: marketWatch.price(of: underlying) ?? quotes.first { $0.underlyingPrice > 0 }?.underlyingPrice)
        view.slice = marketWatch.surface(of: underlying)?.slices.first { $0.expiry == expiry }
        if view.slice == nil { view.notes.append("no fitted slice for \(expiry) heard from the pricer yet (it fits expiries with enough two-sided quotes)") }
        do {
            // The pricer computes a snapshot when asked; a busy one would hold the page, so it
            // gets a short while and the broker's greeks stand in.
            view.analytics = try await bus.snapshot(Volta_V1_OptionAnalytics.self, of: Topics.Service.pricer,
                                                    prefix: "\(Topics.optionAnalytics(underlying: underlying)).\(expiry).",
                                                    timeout: min(timeout, Self.pricerPatience), retries: 0)
        } catch {
            view.notes.append("the pricer's IVs did not come (\(error)): the broker's IVs and deltas are shown where it sends them")
        }
        return view.json
    }

    static let pricerPatience = Duration.milliseconds(1_500)
}
