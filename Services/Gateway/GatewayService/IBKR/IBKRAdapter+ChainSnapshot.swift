import Bus
import Market
import Messages
import TWS

/// One expiry's chain on request. IB allows few market data lines (100 by default), so the
/// adapter streams a window near the money; a contract outside it (the put seller's 90-day
/// 15-delta put) is quoted by snapshot: reqMktData with `snapshot` set, which TWS answers with
/// the ticks it has and tickSnapshotEnd within 11 s. A snapshot holds a line while it is open,
/// so they go out as many at a time as lines are free.
extension IBKRAdapter {
    static let snapshotPatience = Duration.seconds(12)

    public func chainSnapshot(_ request: Volta_V1_ChainSnapshotRequest, now: Int64) async throws -> Volta_V1_OptionChainSnapshot {
        let window = try ChainSnapshotWindow(request, definition: try await chain(underlying: request.underlying),
                                             today: NewYorkTime.local(now).date)
        var snapshot = Volta_V1_OptionChainSnapshot()
        snapshot.underlying = request.underlying
        var asked: [Volta_V1_Instrument] = []
        for instrument in window.instruments {
            if let q = quotes.withLock({ $0.streamed(instrument) }) { snapshot.quotes.append(q) } else { asked.append(instrument) }
        }
        var failures: [String] = []
        while !asked.isEmpty {
            let free = quotes.withLock { config.maxLines - $0.lines.count }
            guard free > 0 else {
                linesExhausted.increment()
                logger.error("no market data line free for a chain snapshot", metadata: [
                    "underlying": "\(request.underlying)", "max_lines": "\(config.maxLines)", "left": "\(asked.count)"])
                throw BadRequest("all \(config.maxLines) market data lines are in use: \(asked.count) contracts of \(window.expiry.expiry) not quoted")
            }
            let turn = Array(asked.prefix(free))
            asked.removeFirst(turn.count)
            let answers = await withTaskGroup(of: Result<Volta_V1_OptionQuote, any Error>.self) { group in
                for instrument in turn {
                    group.addTask {
                        do { return .success(try await self.snapshotQuote(instrument)) } catch { return .failure(error) }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            for answer in answers {
                switch answer {
                case .success(let q): snapshot.quotes.append(q)
                case .failure(let error): failures.append("\(error)")
                }
            }
        }
        if !failures.isEmpty {
            snapshotsFailed.increment(by: failures.count)
            logger.warning("chain snapshot incomplete", metadata: [
                "underlying": "\(request.underlying)", "expiry": "\(window.expiry.expiry)", "failed": "\(failures.count)",
                "first": "\(failures[0])"])
        }
        guard !snapshot.quotes.isEmpty || failures.isEmpty else {
            throw BrokerError.unavailable("no quote of \(request.underlying) \(window.expiry.expiry) came: \(failures[0])")
        }
        snapshot.quotes.sort { ($0.contract.strikeMicros, $0.contract.right.rawValue) < ($1.contract.strikeMicros, $1.contract.right.rawValue) }
        snapshot.underlyingPrice = quotes.withLock { $0.spot(request.underlying) } ?? 0
        snapshot.asOfNs = clock.now()
        return snapshot
    }

    /// One contract's snapshot: its ticks until tickSnapshotEnd. A snapshot that does not end is
    /// cancelled, so its line is not held.
    func snapshotQuote(_ instrument: Volta_V1_Instrument) async throws -> Volta_V1_OptionQuote {
        let reqId = nextRequestId()
        quotes.withLock { $0.addSnapshot(reqId, instrument) }
        var request = TWSRequestMarketData(reqId: reqId, contract: TWSConversions.contract(instrument), genericTicks: "")
        request.snapshot = true
        do {
            let sent = request
            _ = try await replies.collect(reqId, timeout: Self.snapshotPatience, isEnd: { $0 is TWSTickSnapshotEnd }) {
                try await self.send(sent)
            }
        } catch {
            _ = quotes.withLock { $0.endSnapshot(reqId) }
            var cancel = TWSCancelMarketData()
            cancel.reqId = reqId
            do { try await send(cancel) } catch {
                // The line is freed on this side either way; TWS ends a snapshot by itself.
                logger.info("a snapshot's cancel was not sent", metadata: ["reqId": "\(reqId)", "error": "\(error)"])
            }
            throw error
        }
        guard let q = quotes.withLock({ $0.endSnapshot(reqId) }) else { throw BrokerError.notConnected }
        return q
    }
}
