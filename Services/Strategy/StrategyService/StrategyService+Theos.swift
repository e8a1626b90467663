import Bus
import Messages

/// The theo at each armed stop's level, asked before the market gets there: when a stop fires,
/// its exit intent goes out with a theo at most `theoMaxAge` old instead of waiting on a pricer
/// round trip. Execution re-reads the current theo on every reprice.
extension StrategyService {
    /// Keeps the theo at the level of every armed stop this worker owns at most `theoRefresh`
    /// old, and follows a tightened stop's level within a period (at most four asks a second
    /// per position, however fast the underlying trails); `publish` asks at once for a stop
    /// newly armed.
    func prefetchTheos() async {
        while !Task.isCancelled {
            do { try await bus.clock.sleep(for: .milliseconds(250)) } catch { return }
            let now = bus.clock.now()
            let (armed, held) = book.withLock { b in
                (b.stops.values.filter { $0.status == "armed" && $0.stopLevel > 0 }, Set(b.stops.values.map(Self.theoKey)))
            }
            stopTheos.withLock { $0 = $0.filter { held.contains($0.key) } }
            let mine = membership.owned(Array(Set(armed.map(\.instrument.option.underlying))), now: now)
            for s in armed where mine.contains(s.instrument.option.underlying) { await fetchTheo(s) }
        }
    }

    /// A theo for a stop that has none yet. A stop that tightens on every quote of a rising
    /// underlying is left to the loop, so the pricer is not asked once per quote.
    func theoForNewStop(_ s: Volta_V1_StopState) {
        guard stopTheos.withLock({ $0[Self.theoKey(s)] == nil }) else { return }
        Task { await fetchTheo(s) }
    }

    /// Asks for the theo at `s`'s level unless a fresh one for that level is kept or asked.
    func fetchTheo(_ s: Volta_V1_StopState) async {
        let key = Self.theoKey(s), now = bus.clock.now()
        if let known = stopTheos.withLock({ $0[key] }), known.level == s.stopLevel, now - known.askedNs < theoRefresh.nanoseconds { return }
        guard theoAsks.withLock({ $0.insert("\(key) \(s.stopLevel)").inserted }) else { return }
        defer { _ = theoAsks.withLock { $0.remove("\(key) \(s.stopLevel)") } }
        guard let theo = try? await theo(at: s, timeout: .seconds(1), retries: 0) else { return }
        stopTheos.withLock { $0[key] = (s.stopLevel, theo, now) }
    }

    static func theoKey(_ s: Volta_V1_StopState) -> String { "\(s.account) \(s.instrument.displayName)" }

    /// The pricer's theo of the stop's option with the underlying at the stop level.
    func theo(at s: Volta_V1_StopState, timeout: Duration, retries: Int) async throws -> Double {
        var ask = Volta_V1_PricerRequest()
        ask.priceAt.contract = s.instrument.option
        ask.priceAt.underlyingPrice = s.stopLevel
        let reply = try await bus.request(service: Topics.Service.pricer, ask, as: Volta_V1_PricerReply.self, timeout: timeout, retries: retries)
        let theo = reply.priceAt.greeks.theo
        guard theo.isFinite, theo > 0 else { throw BadRequest("no theo at the stop level for \(s.intentID)") }
        return theo
    }
}
