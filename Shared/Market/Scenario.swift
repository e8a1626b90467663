import Foundation

/// A scenario: the starting account and positions, the market's parameters and a script of
/// events. Every end-to-end test and demo is one (ops/scenarios/*.yaml; the format is in
/// docs/market.md).
public struct Scenario: Sendable {
    public var name = "default"
    public var market = MarketParameters()
    /// The simulated start (ns since 1970); nil starts at the wall clock's now.
    public var start: Int64?
    /// Simulated seconds per wall second.
    public var speed = 1.0
    /// The simulated broker's delay from an order's placement to its working, in simulated time.
    public var latencyMs = 50.0
    public var account = SimAccount(id: "SIM", cashMicros: 1_000_000 * 1_000_000)
    /// Where crossing orders trade and what they cost.
    public var fills = FillModel()
    public var events: [MarketEvent] = []
    /// How twsim behaves as TWS where TWS is less kind than a simulator (the `tws:` section).
    public var tws = TWSBehaviour()
    /// Symbol → CSV of daily bars, relative to the scenario's folder.
    public var replay: [String: String] = [:]
    /// The folder relative paths are read from.
    public var folder = "."

    public init() {}

    /// The market the gateway simulates with no scenario file (the default stack's): the default
    /// market, with far strikes on the monthlies so a 90-day 15-delta put is listed, and as liquid
    /// inside the spread as SPY's options are (an order at the mid fills in 8 s on average, not
    /// 60: the put seller's Adaptive sale at the mid fills in the stack's first minute).
    public static var live: Scenario {
        var s = Scenario()
        s.market.listing.farStrikesEachSide = 8
        s.fills.insideFillRate = 0.5
        return s
    }


    /// The replay paths, loaded and checked.
    public func replayPaths() throws -> [String: ReplayPath] {
        try replay.mapValues { file in
            let path = file.hasPrefix("/") ? file : "\(folder)/\(file)"
            return ReplayPath(bars: try DailyBars.load(path), seed: market.seed)
        }
    }

    /// The simulation a run starts from; with replay, the start defaults to the first bar's open.
    public func simulation(now: Int64) throws -> MarketSimulation {
        let paths = try replayPaths()
        var market = market
        if !paths.isEmpty { market.hours = .nyse }
        let first = paths.values.map(\.firstDate).min().map { NewYorkTime.instant($0, minute: NYSECalendar.regularOpen) }
        return MarketSimulation(parameters: market, start: start ?? first ?? now, events: events, replay: paths)
    }
}

/// The simulated broker's fill price and commissions (a backtest's config sets them).
public struct FillModel: Sendable, Equatable {
    /// A crossing order trades at mid ± k × half the spread: 1 is the touch.
    public var spreadFactor = 1.0
    /// ``SimBroker/insideFillRate``: how liquid the market is inside the spread.
    public var insideFillRate = 1.0 / 15
    public var optionCommissionMicros: Int64 = 650_000
    public var minimumOptionCommissionMicros: Int64 = 1_000_000
    /// Short American options assigned early by LEAN's rule (`SimBroker.assignEarly`).
    public var earlyAssignment = false

    public init() {}

    /// Applies the model to a broker.
    public func configure(_ broker: inout SimBroker) {
        broker.spreadFactor = spreadFactor
        broker.insideFillRate = insideFillRate
        broker.optionCommissionMicros = optionCommissionMicros
        broker.minimumOptionCommissionMicros = minimumOptionCommissionMicros
        broker.earlyAssignment = earlyAssignment
    }
}

/// TWS's limits as twsim enforces them, each a switch a test can turn to ask for the hard case.
public struct TWSBehaviour: Sendable, Equatable {
    /// Streaming market data lines a client may hold (IB's allowance: 100 by default); the next
    /// request is refused with error 101, "max number of tickers has been reached".
    public var maxMarketDataLines = 100
    /// Symbols the account has no market data permission for (their options too): a live
    /// request is refused with error 354; with delayed data asked for, TWS says 10167 and sends
    /// the delayed ticks.
    public var noPermission: Set<String> = []
    /// Requests a client may send in any one second (TWS's is 50); one more is error 100 and the
    /// connection is closed. 0 (the default): no limit. Off unless asked for, since twsim counts
    /// on arrival in a process that shares the machine: on a loaded one its own reads bunch.
    public var maxMessagesPerSecond = 0
    /// TWS's historical data pacing, across its clients: an identical request within 15 s, or a
    /// 61st within ten minutes, is error 162 ("pacing violation"). Off unless asked for.
    public var historicalPacing = false
    /// Times IB's market data farm goes down behind the socket (2103: no ticks, the
    /// subscriptions stand) and comes back (2104), in seconds from twsim's start.
    public var farmOutages: [FarmOutage] = []
    public init() {}
}

/// A market data farm outage: `afterSeconds` from twsim's start, for `seconds`.
public struct FarmOutage: Sendable, Equatable {
    public var afterSeconds: Double
    public var seconds: Double
    public init(afterSeconds: Double, seconds: Double) {
        self.afterSeconds = afterSeconds
        self.seconds = seconds
    }
}
