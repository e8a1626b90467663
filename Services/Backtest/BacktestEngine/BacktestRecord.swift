import Bus
import GatewayService
import Messages

/// One row of equity.csv: the account at a session's close.
public struct EquityPoint: Sendable, Equatable {
    public var date: String
    public var equity: Double
    public var cash: Double
    public var positionsValue: Double
    /// As a fraction of the running peak, ≤ 0.
    public var drawdown: Double
    /// The benchmark's close (buy and hold).
    public var benchmark: Double
}

/// What a backtest keeps of the kernel's traffic: execution's reports and the strategies' intents
/// (orders.csv), the fills (trades.csv, with the market at each entry read from the venue), and
/// the account at every close (equity.csv).
public struct BacktestRecord: Sendable {
    public private(set) var intents: [String: Volta_V1_OrderIntent] = [:]
    /// The latest report of every intent, and the order each intent's orders belong to.
    public private(set) var reports: [String: Volta_V1_IntentExecution] = [:]
    var causes: [String: FillCause] = [:]
    public private(set) var journal = TradeJournal()
    public private(set) var equity: [EquityPoint] = []
    public private(set) var frames = 0
    /// Frames that did not decode: counted, never silently dropped.
    public private(set) var malformed = 0
    var peak = 0.0

    public init() {}

    /// Takes the frames logged since the last call; `venue` is where the market stands now, one bar
    /// at most after each fill.
    public mutating func absorb(_ log: [RawFrame], venue: SimAdapter) {
        for frame in log {
            frames += 1
            guard let envelope = try? Volta_V1_Envelope(serializedBytes: frame.envelope) else { malformed += 1; continue }
            do {
                if frame.topic.hasPrefix(Topics.Prefix.strategyIntents) {
                    let intent = try Volta_V1_OrderIntent(serializedBytes: envelope.payload)
                    intents[intent.intentID] = intents[intent.intentID] ?? intent
                } else if frame.topic.hasPrefix(Topics.Prefix.intentExecutions) {
                    let report = try Volta_V1_IntentExecution(serializedBytes: envelope.payload)
                    reports[report.intentID] = report
                    if !report.orderID.isEmpty {
                        let reason = report.role.isEmpty ? report.intentReason : report.role
                        causes[report.orderID] = FillCause(strategy: report.strategy, reason: reason)
                    }
                } else if frame.topic.hasPrefix(Topics.Prefix.fills) {
                    let fill = try Volta_V1_Fill(serializedBytes: envelope.payload)
                    let market = fill.instrument.hasOption ? venue.optionMarket(fill.instrument) : nil
                    journal.book(fill, cause: causes[fill.orderID],
                                 market: market.map { ($0.underlyingPrice, $0.impliedVol, $0.delta) }
                                    ?? (venue.price(of: fill.instrument.symbol) ?? 0, 0, fill.instrument.hasOption ? 0 : 1))
                }
            } catch {
                malformed += 1
            }
        }
    }

    /// The account at a close.
    public mutating func close(_ date: String, ledger: VenueLedger, benchmark: Double) {
        let cash = Double(ledger.cashMicros) / 1e6
        peak = max(peak, ledger.netLiquidation)
        equity.append(EquityPoint(date: date, equity: ledger.netLiquidation, cash: cash, positionsValue: ledger.netLiquidation - cash,
                                  drawdown: peak > 0 ? ledger.netLiquidation / peak - 1 : 0, benchmark: benchmark))
    }
}
