import Foundation
import Messages
import Quant

/// An SVI slice fitted to one expiry's quotes, with what the operator needs to trust it.
struct FittedSlice: Sendable {
    var slice: SVISlice
    var expiry: String
    var forward: Double
    var quotes: Int
    var rmsError: Double
    var butterflyFree: Bool

    var message: Volta_V1_SVISliceParams {
        var m = Volta_V1_SVISliceParams()
        m.expiry = expiry
        m.timeYears = slice.time
        m.forward = forward
        (m.a, m.b, m.rho, m.m, m.sigma) = (slice.a, slice.b, slice.rho, slice.m, slice.sigma)
        m.quotes = Int32(quotes)
        m.rmsError = rmsError
        m.butterflyFree = butterflyFree
        return m
    }
}

enum SurfaceFit {
    /// Fits one expiry to the out-of-the-money side of each strike (puts below the forward, calls
    /// at and above it), where quotes are tight and carry the smile; in-the-money quotes add
    /// only the early-exercise premium and wide spreads. A strike whose OTM option has no IV
    /// falls back to the other side. `start` is the expiry's last fit: a refit then takes a few
    /// iterations.
    static func fit(_ options: [OptionState], expiry: String, forward F: Double, time T: Double, start: SVISlice?) throws -> FittedSlice {
        var best: [Double: (otm: Bool, quote: SVI.Quote, mid: Double?)] = [:]
        for o in options where o.bidIV != nil || o.askIV != nil {
            let otm = (o.kind == .put) == (o.strike < F)
            if let seen = best[o.strike], seen.otm || !otm { continue }
            best[o.strike] = (otm, SVI.Quote(logMoneyness: log(o.strike / F), bid: o.bidIV, ask: o.askIV), o.midIV)
        }
        let quotes = best.values.sorted { $0.quote.logMoneyness < $1.quote.logMoneyness }
        let slice = try SVI.fit(quotes.map(\.quote), time: T, start: start)
        let residuals = quotes.compactMap { q in q.mid.map { slice.impliedVolatility(q.quote.logMoneyness) - $0 } }
        let rms = residuals.isEmpty ? 0 : (residuals.map { $0 * $0 }.reduce(0, +) / Double(residuals.count)).squareRoot()
        return FittedSlice(slice: slice, expiry: expiry, forward: F, quotes: quotes.count, rmsError: rms,
                           butterflyFree: slice.butterflyCheck().minimum >= -1e-10)
    }

    /// The surface message of one underlying: its slices by expiry, and the calendar check (each
    /// slice's butterfly check was made when it was fitted).
    static func message(underlying: String, spot: Double, slices: [FittedSlice]) -> Volta_V1_VolSurface {
        var m = Volta_V1_VolSurface()
        m.underlying = underlying
        m.underlyingPrice = spot
        let ordered = slices.sorted { $0.slice.time < $1.slice.time }
        m.slices = ordered.map(\.message)
        m.calendarFree = true
        for s in ordered where !s.butterflyFree { m.arbitrage.append("butterfly: \(s.expiry)") }
        if let surface = try? VolatilitySurface(slices: ordered.map(\.slice)) {
            for c in surface.calendarArbitrage() {
                m.calendarFree = false
                let early = ordered.first { $0.slice.time == c.early }?.expiry ?? "?"
                let late = ordered.first { $0.slice.time == c.late }?.expiry ?? "?"
                m.arbitrage.append("calendar: \(late) below \(early) at k=\(String(format: "%.3f", c.k))")
            }
        }
        return m
    }
}
