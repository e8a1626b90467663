import Messages

/// The background quote stream of `bench e2e`: SPY's chain replayed in bursts, each option's bid
/// a cent higher on every other pass (a real change marketdata and the pricer must take in), SPY
/// itself at the level the bench sets, and the index and the VIX every hundredth burst.
struct E2ELoad {
    let spy: Volta_V1_UnderlyingQuote
    let options: [Volta_V1_OptionQuote]
    let indexes: [Volta_V1_QuoteBatch]
    var cursor = 0
    var bursts = 0

    init(templates: [Volta_V1_QuoteBatch]) throws {
        guard let chain = templates.first(where: { $0.underlying == "SPY" }), let spy = chain.underlyings.first,
              !chain.options.isEmpty else { throw BenchError("the simulated market quotes no SPY chain") }
        self.spy = spy
        options = chain.options
        indexes = templates.filter { $0.underlying != "SPY" }
    }

    /// SPY's mid when the bench started.
    var baseline: Double { (spy.bid + spy.ask) / 2 }

    /// SPY at `level` with the template's spread.
    func underlying(at level: Double, time: Int64) -> Volta_V1_QuoteBatch {
        var q = spy
        let half = (spy.ask - spy.bid) / 2
        q.bid = level - half
        q.ask = level + half
        q.last = level
        var b = Volta_V1_QuoteBatch()
        b.underlying = "SPY"
        b.underlyings = [q]
        b.marketTimeNs = time
        return b
    }

    /// The next burst of `size` quote updates: SPY at `level` and the next `size - 1` options.
    mutating func next(size: Int, level: Double, time: Int64) -> [Volta_V1_QuoteBatch] {
        var b = underlying(at: level, time: time)
        for _ in 0..<max(0, size - 1) {
            var o = options[cursor % options.count]
            if (cursor / options.count) % 2 == 1, o.bid + 0.01 < o.ask { o.bid += 0.01 }
            b.options.append(o)
            cursor += 1
        }
        bursts += 1
        guard bursts % 100 == 1 else { return [b] }
        return [b] + indexes.map { var i = $0; i.marketTimeNs = time; return i }
    }

    /// The call nearest the money in the longest expiry: over 30 days out, so its stop is sized
    /// with the plain multiplier.
    var stoppedOption: Volta_V1_Instrument {
        let expiry = options.map(\.contract.expiry).max()!
        let calls = options.filter { $0.contract.expiry == expiry && $0.contract.right == .call }
        let atm = calls.min { abs(Double($0.contract.strikeMicros) / 1e6 - baseline) < abs(Double($1.contract.strikeMicros) / 1e6 - baseline) }!
        var i = Volta_V1_Instrument()
        i.symbol = "SPY"
        i.option = atm.contract
        return i
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
