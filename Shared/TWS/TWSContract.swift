/// A TWS contract. Requests carry twelve fields; each reply names it a little differently, so
/// the layouts below are the ones the messages use.
public struct TWSContract: Sendable, Equatable, Hashable {
    public var conId = 0
    public var symbol = ""
    public var secType = ""
    /// `YYYYMMDD` for options.
    public var lastTradeDate = ""
    public var strike = 0.0
    /// `C`, `P`, or empty.
    public var right = ""
    public var multiplier = ""
    public var exchange = ""
    public var primaryExchange = ""
    public var currency = ""
    public var localSymbol = ""
    public var tradingClass = ""
    public var comboLegs: [TWSComboLeg] = []

    public init() {}

    public init(conId: Int = 0, symbol: String, secType: String, lastTradeDate: String = "", strike: Double = 0,
                right: String = "", multiplier: String = "", exchange: String = "SMART", currency: String = "USD",
                tradingClass: String = "") {
        self.conId = conId
        self.symbol = symbol
        self.secType = secType
        self.lastTradeDate = lastTradeDate
        self.strike = strike
        self.right = right
        self.multiplier = multiplier
        self.exchange = exchange
        self.currency = currency
        self.tradingClass = tradingClass
    }

    public var isCombo: Bool { secType == "BAG" }

    /// The request form: conId through tradingClass, primaryExchange included.
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.int(&conId)
        try codeDescription(&c)
        try c.string(&exchange)
        try c.string(&primaryExchange)
        try codeTail(&c)
    }

    /// The form of openOrder, execDetails and position: no primaryExchange.
    public mutating func codeWithoutPrimary(_ c: inout some FieldCoder) throws {
        try c.int(&conId)
        try codeDescription(&c)
        try c.string(&exchange)
        try codeTail(&c)
    }

    /// The form of portfolioValue: primaryExchange where the others have exchange.
    public mutating func codeForPortfolio(_ c: inout some FieldCoder) throws {
        try c.int(&conId)
        try codeDescription(&c)
        try c.string(&primaryExchange)
        try codeTail(&c)
    }

    mutating func codeDescription(_ c: inout some FieldCoder) throws {
        try c.string(&symbol)
        try c.string(&secType)
        try c.string(&lastTradeDate)
        try c.double(&strike)
        try c.string(&right)
        try c.string(&multiplier)
    }

    mutating func codeTail(_ c: inout some FieldCoder) throws {
        try c.string(&currency)
        try c.string(&localSymbol)
        try c.string(&tradingClass)
    }

    /// The legs of a combo as market data and history requests send them: four fields each.
    public mutating func codeShortLegs(_ c: inout some FieldCoder) throws {
        guard isCombo else { return }
        try c.list(&comboLegs, make: TWSComboLeg.init) { c, leg in try leg.codeShort(&c) }
    }
}

/// One leg of a BAG contract.
public struct TWSComboLeg: Sendable, Equatable, Hashable {
    public var conId = 0
    public var ratio = 1
    /// `BUY` or `SELL`.
    public var action = ""
    public var exchange = "SMART"
    public var openClose = 0
    public var shortSaleSlot = 0
    public var designatedLocation = ""
    public var exemptCode = -1

    public init() {}

    public init(conId: Int, ratio: Int, action: String, exchange: String = "SMART") {
        self.conId = conId
        self.ratio = ratio
        self.action = action
        self.exchange = exchange
    }

    mutating func codeShort(_ c: inout some FieldCoder) throws {
        try c.int(&conId)
        try c.int(&ratio)
        try c.string(&action)
        try c.string(&exchange)
    }

    /// The form of placeOrder and openOrder: eight fields.
    public mutating func code(_ c: inout some FieldCoder) throws {
        try codeShort(&c)
        try c.int(&openClose)
        try c.int(&shortSaleSlot)
        try c.string(&designatedLocation)
        try c.int(&exemptCode)
    }
}
