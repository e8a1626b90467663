/// What a strategy may ask of its host while it handles an event. Time is the bus clock's, so
/// the same strategy runs live and over history.
public struct StrategyContext: Sendable {
    /// Bus time, ns since the epoch.
    public let now: Int64
    /// This worker's instance name.
    public let worker: String
    /// The exchange calendar (NYSE): sessions, holidays, early closes.
    public let calendar: any ExchangeCalendar
    private let owner: @Sendable (String) -> Bool

    public init(now: Int64, worker: String, calendar: any ExchangeCalendar, owns: @escaping @Sendable (String) -> Bool) {
        self.now = now
        self.worker = worker
        self.calendar = calendar
        self.owner = owns
    }

    /// Whether this worker owns `key` now: its actions on that key will be performed here.
    public func owns(_ key: String) -> Bool { owner(key) }
}

/// "Is the market open, when is the next session": what a strategy needs of a calendar.
public protocol ExchangeCalendar: Sendable {
    /// Whether the regular session is open at `ns`.
    func isOpen(at ns: Int64) -> Bool
    /// The open and close (ns) of the session in progress at `ns`, or of the next one.
    func session(atOrAfter ns: Int64) -> (open: Int64, close: Int64)
    /// Whether a session's close is a real close (the book goes quiet, nothing fills until the
    /// open): what a strategy's "no entry within N minutes of the close" keeps clear of. A market
    /// open around the clock has only a change of date there.
    var closes: Bool { get }
}

extension ExchangeCalendar {
    public var closes: Bool { true }
}
