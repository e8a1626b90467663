import Bus
import Foundation
import Market
import Messages
import TWS

/// Which instruments hold market data lines: what was streamed before a reconnect, the
/// configured underlyings, every position and its underlying, then each underlying's nearest
/// expiries and the strikes around its price, until the line cap.
extension IBKRAdapter {
    func subscribeMarketData() async throws {
        let before = quotes.withLock(\.wanted)
        let positions = book.withLock { $0.positions.values.filter { $0.quantity != 0 }.map(\.instrument) }
        let underlyings = config.symbols.map { s in Volta_V1_Instrument.with { $0.symbol = s } }
        for instrument in before + underlyings + positions.flatMap(Self.needs) { try await subscribe(instrument) }
        for symbol in config.symbols where config.expiries > 0 {
            do {
                for option in try await window(symbol) { try await subscribe(option) }
            } catch {
                logger.warning("no option chain streamed", metadata: ["underlying": "\(symbol)", "error": "\(error)"])
            }
        }
    }

    /// What a position needs streamed: its contract and, for an option, its underlying, whose
    /// price its stop is sized and triggered from (a position on an underlying outside
    /// `gateway.ibkr.symbols` would otherwise wait for a price forever).
    static func needs(_ position: Volta_V1_Instrument) -> [Volta_V1_Instrument] {
        guard position.hasOption else { return [position] }
        let underlying = position.option.underlying.isEmpty ? position.symbol : position.option.underlying
        return [Volta_V1_Instrument.with { $0.symbol = underlying }, position]
    }

    /// One market data line, unless the instrument has one or the cap is reached. An option is
    /// looked up first (once, then cached), so its quotes carry IB's contract id. An instrument
    /// left without a line by the cap is counted and logged as an error: it gets no quotes.
    func subscribe(_ instrument: Volta_V1_Instrument) async throws {
        var instrument = instrument
        if instrument.hasOption && instrument.option.brokerID == 0 && !quotes.withLock({ $0.isSubscribed(instrument) }) {
            instrument = try await contract(instrument).instrument
        }
        let reqId: Int?? = quotes.withLock { q in
            guard !q.isSubscribed(instrument) else { return .some(nil) }
            guard q.lines.count < config.maxLines else {
                q.unquoted.insert(instrument.displayName)
                return nil
            }
            let id = nextRequestId()
            q.add(id, instrument)
            return id
        }
        guard let reqId else {
            linesExhausted.increment()
            logger.error("no market data line left: this instrument gets no quotes", metadata: [
                "instrument": "\(instrument.displayName)", "max_lines": "\(config.maxLines)"])
            return
        }
        guard let reqId else { return }
        let ticks = instrument.hasOption ? "100,101,106" : ""
        try await send(TWSRequestMarketData(reqId: reqId, contract: TWSConversions.contract(instrument), genericTicks: ticks))
    }

    /// The options nearest the money in the nearest expiries, calls and puts.
    func window(_ symbol: String) async throws -> [Volta_V1_Instrument] {
        let chain = try await chain(underlying: symbol)
        try await waitFor(.seconds(5), "price for \(symbol)") { self.quotes.withLock { $0.spot(symbol) } != nil }
        guard let spot = quotes.withLock({ $0.spot(symbol) }) else { return [] }
        let today = NewYorkTime.local(clock.now()).date.description
        let expiries = chain.expiries.filter { $0.expiry >= today }.prefix(config.expiries)
        return expiries.flatMap { e -> [Volta_V1_Instrument] in
            let below = e.strikeMicros.filter { Money.value($0) <= spot }.suffix(config.strikesEachSide)
            let above = e.strikeMicros.filter { Money.value($0) > spot }.prefix(config.strikesEachSide)
            return (below + above).flatMap { strike in
                [Volta_V1_Right.call, .put].map { ChainSnapshotWindow.option(symbol, expiry: e, strike: strike, right: $0, multiplier: chain.multiplier) }
            }
        }
    }

    public func marketDataLines() -> (used: Int, max: Int, unquoted: [String])? {
        quotes.withLock { q in (q.lines.count, config.maxLines, q.unquoted.sorted()) }
    }

    /// TWS refused a line (101: the account's allowance is smaller than `max_lines`, or other
    /// clients hold lines; 354: no market data permission for it): it is freed and its
    /// instrument counted and named as without quotes. With delayed data asked for, TWS sends
    /// 10167 and the delayed ticks instead, and the line stands.
    func lineRefused(_ e: TWSError) {
        guard let instrument = quotes.withLock({ $0.refuse(e.reqId) }) else { return }
        linesExhausted.increment()
        logger.error("TWS refused a market data line: this instrument gets no quotes", metadata: [
            "instrument": "\(instrument.displayName)", "code": "\(e.code)", "message": "\(e.message)"])
    }

    public func currentQuotes() async -> [Volta_V1_QuoteBatch] {
        quotes.withLock { $0.current(time: clock.now()) }
    }
}
