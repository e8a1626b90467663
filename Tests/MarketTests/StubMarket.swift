@testable import Market

/// A market with exact touches, for the fill rules.
struct StubMarket: MarketView {
    var now: Int64 = 1_000_000_000_000
    var touches: [InstrumentKey: Touch] = [:]
    var prices: [String: Double] = [:]

    func touch(of instrument: InstrumentKey) -> Touch? { touches[instrument] }
    func price(of symbol: String) -> Double? { prices[symbol] }
    func isIndex(_ symbol: String) -> Bool { symbol == "SPX" }
    func kind(of symbol: String) -> UnderlyingParameters.Kind { symbol == "AAPL" ? .stock : .etf }

    static let spy = InstrumentKey.underlying("SPY")
    static let put = InstrumentKey.option(OptionKey("SPY 2026-12-18 P 550")!)
    static let call = InstrumentKey.option(OptionKey("SPY 2026-12-18 C 600")!)
    static let aaplCall = InstrumentKey.option(OptionKey("AAPL 2026-12-18 C 230")!)

    static func standard() -> StubMarket {
        var m = StubMarket()
        m.prices = ["SPY": 590, "AAPL": 228]
        m.touches[spy] = Touch(bid: 589.99, ask: 590.01, bidSize: 500, askSize: 300)
        m.touches[put] = Touch(bid: 4.10, ask: 4.30, bidSize: 20, askSize: 7)
        m.touches[call] = Touch(bid: 6.00, ask: 6.20, bidSize: 15, askSize: 12)
        m.touches[aaplCall] = Touch(bid: 5.10, ask: 5.30, bidSize: 10, askSize: 10)
        return m
    }

    mutating func advance(seconds: Double) { now += Int64(seconds * 1e9) }
}

extension SimBroker {
    static func rich() -> SimBroker { SimBroker(account: SimAccount(id: "T", cashMicros: 1_000_000_000_000)) }

    /// Steps the broker `steps` times, `seconds` apart.
    mutating func run(_ market: inout StubMarket, steps: Int, seconds: Double = 1) -> [SimEvent] {
        var events: [SimEvent] = []
        for _ in 0..<steps {
            market.advance(seconds: seconds)
            events += match(market: market, seconds: seconds)
        }
        return events
    }
}

extension [SimEvent] {
    var fills: [SimFill] { compactMap { if case .fill(let f) = $0 { f } else { nil } } }
}
