import Bus
import Market
import Messages

/// The contracts a chain snapshot request names, read against the broker's chain definition: the
/// expiry (named, or the listed one nearest the target DTE within its window) and its strikes
/// within the bounds, for each right asked for. One reading for every adapter, so the simulated
/// market and IB answer the same request with the same contracts.
struct ChainSnapshotWindow {
    let expiry: Volta_V1_ExpiryStrikes
    let instruments: [Volta_V1_Instrument]

    init(_ r: Volta_V1_ChainSnapshotRequest, definition: Volta_V1_OptionChainDefinition, today: CivilDate) throws {
        let listed = definition.expiries.filter { !$0.strikeMicros.isEmpty }
        let chosen: Volta_V1_ExpiryStrikes?
        if !r.expiry.isEmpty {
            chosen = listed.first { $0.expiry == r.expiry }
            guard chosen != nil else { throw BadRequest("\(r.underlying) lists no expiry \(r.expiry)") }
        } else {
            guard r.minDte <= r.maxDte else { throw BadRequest("min_dte \(r.minDte) is after max_dte \(r.maxDte)") }
            let windowed = r.minDte == 0 && r.maxDte == 0
            let dated = listed.compactMap { e in CivilDate(e.expiry).map { (e, $0.dayNumber - today.dayNumber) } }
                .filter { $0.1 >= 0 && (windowed || (Int($0.1) >= r.minDte && Int($0.1) <= r.maxDte)) }
            chosen = dated.min { (abs($0.1 - Int(r.targetDte)), $0.1) < (abs($1.1 - Int(r.targetDte)), $1.1) }?.0
            guard chosen != nil else {
                throw BadRequest("\(r.underlying) lists no expiry \(r.minDte)–\(r.maxDte) days out")
            }
        }
        expiry = chosen!
        let strikes = expiry.strikeMicros.filter { k in
            (r.minStrikeMicros == 0 || k >= r.minStrikeMicros) && (r.maxStrikeMicros == 0 || k <= r.maxStrikeMicros)
        }
        let rights: [Volta_V1_Right] = r.right == .unspecified ? [.call, .put] : [r.right]
        instruments = strikes.flatMap { k in
            rights.map { Self.option(r.underlying, expiry: chosen!, strike: k, right: $0, multiplier: definition.multiplier) }
        }
    }

    /// A listed option as an instrument, on SMART with its trading class (IB's SPX and SPXW share
    /// a symbol; the class tells them apart).
    static func option(_ symbol: String, expiry: Volta_V1_ExpiryStrikes, strike: Int64, right: Volta_V1_Right,
                       multiplier: Int32) -> Volta_V1_Instrument {
        Volta_V1_Instrument.with {
            $0.symbol = symbol
            $0.option.underlying = symbol
            $0.option.expiry = expiry.expiry
            $0.option.strikeMicros = strike
            $0.option.right = right
            $0.option.multiplier = multiplier
            $0.option.tradingClass = expiry.tradingClass
            $0.option.exchange = "SMART"
        }
    }
}

extension BrokerAdapter {
    /// For a broker whose current quotes cover everything it lists (the simulated market): the
    /// window's quotes, from those. IB streams a few lines only and asks for the rest.
    public func chainSnapshot(_ request: Volta_V1_ChainSnapshotRequest, now: Int64) async throws -> Volta_V1_OptionChainSnapshot {
        let window = try ChainSnapshotWindow(request, definition: try await chain(underlying: request.underlying),
                                             today: NewYorkTime.local(now).date)
        let wanted = Set(window.instruments.map { Topics.optionQuote($0.option) })
        let batch = await currentQuotes().first { $0.underlying == request.underlying }
        var snapshot = Volta_V1_OptionChainSnapshot()
        snapshot.underlying = request.underlying
        snapshot.underlyingPrice = batch?.underlyings.first { $0.symbol == request.underlying }?.referencePrice ?? 0
        snapshot.quotes = (batch?.options ?? []).filter { wanted.contains(Topics.optionQuote($0.contract)) }
        snapshot.asOfNs = now
        return snapshot
    }
}
