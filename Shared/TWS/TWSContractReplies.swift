/// Reference data, TWS to client.

/// contractDetails (10). Fields Volta does not keep (industry, trading hours, …) are read past.
public struct TWSContractDetails: TWSMessage {
    public static let id = 10
    public var reqId = 0
    public var contract = TWSContract()
    public var marketName = ""
    public var minTick = 0.0
    public var orderTypes = ""
    public var validExchanges = ""
    public var underlyingConId = 0
    public var longName = ""
    public var contractMonth = ""
    public var timeZoneId = ""
    public var tradingHours = ""
    public var liquidHours = ""
    public var underlyingSymbol = ""
    public var underlyingSecType = ""
    public var realExpirationDate = ""
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws {
        if c.version < 164 { try c.fixed("8") }
        try c.int(&reqId)
        try contract.codeDetailsName(&c)
        try c.string(&contract.exchange)
        try contract.codeDetailsTail(&c, marketName: &marketName)
        try c.int(&contract.conId)
        try c.double(&minTick)
        if c.version < 164 { try c.fixed("1") }    // mdSizeMultiplier
        try c.string(&contract.multiplier)
        try c.string(&orderTypes)
        try c.string(&validExchanges)
        try c.fixed("1")                           // priceMagnifier
        try c.int(&underlyingConId)
        try c.string(&longName)
        try c.string(&contract.primaryExchange)
        try c.string(&contractMonth)
        for _ in 0..<3 { try c.fixed("") }         // industry, category, subcategory
        try c.string(&timeZoneId)
        try c.string(&tradingHours)
        try c.string(&liquidHours)
        try c.fixed("")                            // evRule
        try c.fixed("")                            // evMultiplier
        var secIds: [TWSTagValue] = []
        try c.tagValues(&secIds)
        try c.fixed("")                            // aggGroup
        try c.string(&underlyingSymbol)
        try c.string(&underlyingSecType)
        try c.fixed("")                            // marketRuleIds
        try c.string(&realExpirationDate)
        try c.fixed("")                            // stockType
        if c.version >= 164 { for _ in 0..<3 { try c.fixed("1") } }  // minSize, sizeIncrement, suggestedSizeIncrement
    }
}

extension TWSContract {
    /// contractDetails names the contract without the multiplier (it comes later) and puts
    /// marketName between localSymbol and tradingClass.
    mutating func codeDetailsName(_ c: inout some FieldCoder) throws {
        try c.string(&symbol)
        try c.string(&secType)
        try c.string(&lastTradeDate)
        try c.double(&strike)
        try c.string(&right)
    }

    mutating func codeDetailsTail(_ c: inout some FieldCoder, marketName: inout String) throws {
        try c.string(&currency)
        try c.string(&localSymbol)
        try c.string(&marketName)
        try c.string(&tradingClass)
    }
}

public struct TWSContractDetailsEnd: TWSRequestIdMessage {
    public static let id = 52
    public static let messageVersion = "1"
    public var reqId = 0
    public init() {}
}

/// securityDefinitionOptionParameter (75): one exchange's expiries and strikes for an underlying.
public struct TWSOptionParameters: TWSMessage {
    public static let id = 75
    public var reqId = 0
    public var exchange = ""
    public var underlyingConId = 0
    public var tradingClass = ""
    public var multiplier = ""
    /// `YYYYMMDD`.
    public var expirations: [String] = []
    public var strikes: [Double] = []
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.int(&reqId)
        try c.string(&exchange)
        try c.int(&underlyingConId)
        try c.string(&tradingClass)
        try c.string(&multiplier)
        try c.list(&expirations, make: { "" }) { c, e in try c.string(&e) }
        try c.list(&strikes, make: { 0 }) { c, s in try c.double(&s) }
    }
}

/// securityDefinitionOptionParameterEnd (76). No version field.
public struct TWSOptionParametersEnd: TWSMessage {
    public static let id = 76
    public var reqId = 0
    public init() {}
    public init(reqId: Int) { self.reqId = reqId }
    public mutating func code(_ c: inout some FieldCoder) throws { try c.int(&reqId) }
}

/// historicalData (17): every bar of a request, then its start and end.
public struct TWSHistoricalData: TWSMessage {
    public static let id = 17
    public var reqId = 0
    public var start = ""
    public var end = ""
    public var bars: [TWSBar] = []
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.int(&reqId)
        try c.string(&start)
        try c.string(&end)
        try c.list(&bars, make: TWSBar.init) { c, bar in try bar.code(&c) }
    }
}

public struct TWSBar: Sendable, Equatable {
    /// `YYYYMMDD` for daily bars.
    public var date = ""
    public var open = 0.0
    public var high = 0.0
    public var low = 0.0
    public var close = 0.0
    public var volume = 0.0
    public var wap = 0.0
    public var count = 0
    public init() {}
    mutating func code(_ c: inout some FieldCoder) throws {
        try c.string(&date)
        for field in [\Self.open, \.high, \.low, \.close, \.volume, \.wap] as [WritableKeyPath<Self, Double>] {
            try c.double(&self[keyPath: field])
        }
        try c.int(&count)
    }
}

extension TWSMessageTable {
    /// Every message TWS sends that Volta reads.
    public static let replies = TWSMessageTable([
        TWSTickPrice.self, TWSTickSize.self, TWSOrderStatus.self, TWSError.self, TWSOpenOrder.self, TWSAccountValue.self,
        TWSPortfolioValue.self, TWSAccountUpdateTime.self, TWSNextValidId.self, TWSContractDetails.self,
        TWSExecution.self, TWSManagedAccounts.self, TWSHistoricalData.self, TWSTickOptionComputation.self,
        TWSTickGeneric.self, TWSTickString.self, TWSCurrentTime.self, TWSContractDetailsEnd.self, TWSOpenOrderEnd.self,
        TWSAccountDownloadEnd.self, TWSExecutionsEnd.self, TWSTickSnapshotEnd.self, TWSMarketDataType.self,
        TWSCommissionReport.self, TWSPosition.self, TWSPositionEnd.self, TWSAccountUpdateMulti.self,
        TWSAccountUpdateMultiEnd.self, TWSOptionParameters.self, TWSOptionParametersEnd.self, TWSCompletedOrdersEnd.self,
        TWSCompletedOrder.self,
    ])
}
