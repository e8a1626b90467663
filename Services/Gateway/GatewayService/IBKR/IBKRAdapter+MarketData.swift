import Bus
import Foundation
import Market
import Messages
import TWS

/// Market data lines that follow need (``MarketDataPlan``): planned again when a position, a
/// working order or a consumer's interest changes, and every 30 s (`replan`: a lease lapses, the window
/// follows the price), one plan at a time; lines no longer needed are cancelled before new ones
/// are asked, so TWS never counts both.
extension IBKRAdapter {
    /// How long an instrument TWS refused a line (101, 354) waits before it is asked again.
    static let refusalRetry = Duration.seconds(300)

    /// What needs a line changed: planned at the lines loop's next turn (within 250 ms).
    func linesDue() { linesDirty.store(true, ordering: .relaxed) }

    /// One connection's lines: the first plan once its positions are read (or 3 s on), then when
    /// due and every `replan`.
    func keepLines() async {
        let connected = clock.now()
        var next = Int64.min
        while !Task.isCancelled {
            let now = clock.now()
            let ready = book.withLock(\.positionsComplete) || now - connected >= 3_000_000_000
            let fresh = ready && linesStale.exchange(false, ordering: .relaxed)
            if ready && (fresh || linesDirty.exchange(false, ordering: .relaxed) || now >= next) {
                await planLines(fresh: fresh)
                next = clock.now() + config.replan.nanoseconds
            }
            do { try await clock.sleep(for: .milliseconds(250)) } catch { return }
        }
    }

    /// What needs a line now, by need: positions and working orders, then the configured
    /// underlyings and those consumers asked for, then the window near the money of each
    /// configured underlying and each one whose options were asked for. The underlyings are
    /// placed first, so the window is chosen around a price.
    /// `fresh`: every line is cancelled and asked again.
    func planLines(fresh: Bool = false) async {
        let now = clock.now()
        let held = book.withLock { b in
            b.positions.values.filter { $0.quantity != 0 }.map(\.instrument).sorted { $0.displayName < $1.displayName } + b.workingInstruments
        }.flatMap(Self.needs)
        let (asked, windows) = quotes.withLock { q in
            q.refused = q.refused.filter { now - $0.value < Self.refusalRetry.nanoseconds }
            let wanted = q.interestsHolding(at: now)
            let underlyings = Set(config.symbols).union(wanted.underlyings).union(wanted.optionUnderlyings)
            let windows = Set(config.expiries > 0 ? config.symbols : []).union(wanted.optionUnderlyings)
            return (underlyings.sorted().map { s in Volta_V1_Instrument.with { $0.symbol = s } } + wanted.instruments, windows.sorted())
        }
        var needs: [(Volta_V1_Instrument, MarketDataPlan.Need)] = held.map { ($0, .held) } + asked.map { ($0, .asked) }
        if windows.contains(where: { symbol in quotes.withLock { $0.spot(symbol) } == nil }) { await apply(needs, releasing: false) }
        for symbol in windows {
            do {
                needs += try await window(symbol).map { ($0, .window) }
            } catch {
                let first = quotes.withLock { $0.windowsFailed.insert(symbol).inserted }
                logger.log(level: first ? .warning : .debug, "no option chain streamed", metadata: ["underlying": "\(symbol)", "error": "\(error)"])
            }
        }
        await apply(needs, releasing: true, fresh: fresh)
    }

    /// Brings the lines to the plan: releases what it leaves out (when `releasing`), asks what it
    /// adds, and names what is held or asked for but left without a line.
    func apply(_ needs: [(Volta_V1_Instrument, MarketDataPlan.Need)], releasing: Bool, fresh: Bool = false) async {
        let (plan, released) = quotes.withLock { q in
            let plan = MarketDataPlan(needs, refused: Set(q.refused.keys), capacity: config.maxLines - (q.lines.count - q.lineOf.count),
                                      reserve: config.snapshotLines)
            guard releasing else { return (plan, [(Int, Volta_V1_Instrument)]()) }
            let keep = fresh ? [] : Set(plan.streamed.map(\.displayName))
            let released = q.streamedLines.filter { !keep.contains($0.value.displayName) }.sorted { $0.key < $1.key }
            for (id, _) in released { _ = q.release(id) }
            return (plan, released)
        }
        for (reqId, instrument) in released {
            var cancel = TWSCancelMarketData()
            cancel.reqId = reqId
            do { try await send(cancel) } catch {
                logger.warning("a market data line's cancel was not sent", metadata: ["instrument": "\(instrument.displayName)", "error": "\(error)"])
            }
        }
        if !released.isEmpty { logger.info("market data lines released", metadata: ["count": "\(released.count)", "first": "\(released[0].1.displayName)"]) }
        for instrument in plan.streamed where !quotes.withLock({ $0.isSubscribed(instrument) }) {
            do { try await subscribe(instrument) } catch {
                logger.warning("market data could not be asked for", metadata: ["instrument": "\(instrument.displayName)", "error": "\(error)"])
            }
        }
        if releasing { noteLeft(plan.left) }
    }

    /// Names what the plan left without a line: each newly left one is counted and logged as an
    /// error (it gets no quotes), and all of them, with the refused, go out with the connection.
    func noteLeft(_ left: [String]) {
        let fresh = quotes.withLock { q in
            let before = q.unquoted
            q.unquoted = Set(left).union(q.refused.keys)
            return left.filter { !before.contains($0) }
        }
        guard !fresh.isEmpty else { return }
        linesExhausted.increment(by: fresh.count)
        logger.error("no market data line left: these instruments get no quotes", metadata: [
            "instruments": "\(fresh.prefix(5).joined(separator: ", "))", "count": "\(fresh.count)", "max_lines": "\(config.maxLines)"])
    }

    /// What a position needs streamed: its contract and, for an option, its underlying, whose
    /// price its stop is sized and triggered from (a position on an underlying outside
    /// `gateway.ibkr.symbols` would otherwise wait for a price forever).
    static func needs(_ position: Volta_V1_Instrument) -> [Volta_V1_Instrument] {
        guard position.hasOption else { return [position] }
        let underlying = position.option.underlying.isEmpty ? position.symbol : position.option.underlying
        return [Volta_V1_Instrument.with { $0.symbol = underlying }, position]
    }

    /// One market data line, unless the instrument has one or every line is taken (what the
    /// plan left out is named by ``noteLeft(_:)``). An option is looked up first (once, then
    /// cached), so its quotes carry IB's contract id.
    func subscribe(_ instrument: Volta_V1_Instrument) async throws {
        var instrument = instrument
        if instrument.hasOption && instrument.option.brokerID == 0 && !quotes.withLock({ $0.isSubscribed(instrument) }) {
            instrument = try await contract(instrument).instrument
        }
        let reqId: Int? = quotes.withLock { q in
            guard !q.isSubscribed(instrument), q.lines.count < config.maxLines else { return nil }
            let id = nextRequestId()
            q.add(id, instrument)
            return id
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
        guard let instrument = quotes.withLock({ $0.refuse(e.reqId, now: clock.now()) }) else { return }
        linesExhausted.increment()
        logger.error("TWS refused a market data line: this instrument gets no quotes", metadata: [
            "instrument": "\(instrument.displayName)", "code": "\(e.code)", "message": "\(e.message)"])
    }

    public func want(_ interest: Volta_V1_MarketDataInterest) {
        let changed = quotes.withLock { q in
            let before = q.interests[interest.owner]
            q.interests[interest.owner] = interest
            return before?.underlyings != interest.underlyings || before?.optionUnderlyings != interest.optionUnderlyings
                || before?.instruments != interest.instruments
        }
        if changed { linesDue() }
    }

    public func currentQuotes() async -> [Volta_V1_QuoteBatch] {
        quotes.withLock { $0.current(time: clock.now()) }
    }
}
