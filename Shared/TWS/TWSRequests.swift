/// Requests, client to TWS. Field orders follow the official client and ib_async; the constant
/// second field of most is the request's own version, which TWS reads and Volta ignores.

/// startApi (71): sent once the server's version is known.
public struct TWSStartAPI: TWSMessage {
    public static let id = 71
    public var clientId = 0
    public var optionalCapabilities = ""
    public init() {}
    public init(clientId: Int) { self.clientId = clientId }
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("2")
        try c.int(&clientId)
        try c.string(&optionalCapabilities)
    }
}

/// reqMktData (1). Generic ticks: 100 option volume, 101 open interest, 104 historical and
/// 106 implied volatility.
public struct TWSRequestMarketData: TWSMessage {
    public static let id = 1
    public var reqId = 0
    public var contract = TWSContract()
    public var genericTicks = ""
    public var snapshot = false
    public var regulatorySnapshot = false
    public var options = ""
    public init() {}
    public init(reqId: Int, contract: TWSContract, genericTicks: String = "") {
        self.reqId = reqId
        self.contract = contract
        self.genericTicks = genericTicks
    }
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("11")
        try c.int(&reqId)
        try contract.code(&c)
        try contract.codeShortLegs(&c)
        try Self.codeDeltaNeutralContract(&c)
        try c.string(&genericTicks)
        try c.bool(&snapshot)
        try c.bool(&regulatorySnapshot)
        try c.string(&options)
    }
}

/// A request that is its id, its version and one request id: cancelMktData (2),
/// cancelHistoricalData (25), contractDetailsEnd (52), execDetailsEnd (55), tickSnapshotEnd (57).
public protocol TWSRequestIdMessage: TWSMessage {
    var reqId: Int { get set }
    static var messageVersion: String { get }
}

extension TWSRequestIdMessage {
    public init(reqId: Int) {
        self.init()
        self.reqId = reqId
    }
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed(Self.messageVersion)
        try c.int(&reqId)
    }
}

public struct TWSCancelMarketData: TWSRequestIdMessage {
    public static let id = 2
    public static let messageVersion = "2"
    public var reqId = 0
    public init() {}
}

public struct TWSCancelHistoricalData: TWSRequestIdMessage {
    public static let id = 25
    public static let messageVersion = "1"
    public var reqId = 0
    public init() {}
}

/// A request with no body but its version: reqOpenOrders (5), reqAllOpenOrders (16),
/// reqGlobalCancel (58), reqPositions (61), cancelPositions (64), reqCurrentTime (49).
public protocol TWSBareMessage: TWSMessage {}

extension TWSBareMessage {
    public mutating func code(_ c: inout some FieldCoder) throws { try c.fixed("1") }
}

public struct TWSRequestOpenOrders: TWSBareMessage { public static let id = 5; public init() {} }
public struct TWSRequestAllOpenOrders: TWSBareMessage { public static let id = 16; public init() {} }
public struct TWSRequestGlobalCancel: TWSBareMessage { public static let id = 58; public init() {} }
public struct TWSRequestPositions: TWSBareMessage { public static let id = 61; public init() {} }
public struct TWSCancelPositions: TWSBareMessage { public static let id = 64; public init() {} }
public struct TWSRequestCurrentTime: TWSBareMessage { public static let id = 49; public init() {} }

/// cancelOrder (4).
public struct TWSCancelOrder: TWSMessage {
    public static let id = 4
    public var orderId = 0
    public var manualCancelTime = ""
    public init() {}
    public init(orderId: Int) { self.orderId = orderId }
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("1")
        try c.int(&orderId)
        if c.version >= 169 { try c.string(&manualCancelTime) }
    }
}

/// reqAccountUpdates (6): account values, portfolio and the update time, until unsubscribed.
public struct TWSRequestAccountUpdates: TWSMessage {
    public static let id = 6
    public var subscribe = true
    public var account = ""
    public init() {}
    public init(subscribe: Bool, account: String) {
        self.subscribe = subscribe
        self.account = account
    }
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("2")
        try c.bool(&subscribe)
        try c.string(&account)
    }
}

/// reqExecutions (7): today's executions matching a filter (empty fields match everything).
public struct TWSRequestExecutions: TWSMessage {
    public static let id = 7
    public var reqId = 0
    public var clientId = 0
    public var account = ""
    public var time = ""
    public var symbol = ""
    public var secType = ""
    public var exchange = ""
    public var side = ""
    public init() {}
    public init(reqId: Int) { self.reqId = reqId }
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("3")
        try c.int(&reqId)
        try c.int(&clientId)
        for field in [\Self.account, \.time, \.symbol, \.secType, \.exchange, \.side] as [WritableKeyPath<Self, String>] {
            try c.string(&self[keyPath: field])
        }
    }
}

/// reqIds (8): asks for the next valid order id.
public struct TWSRequestIds: TWSMessage {
    public static let id = 8
    public var count = 1
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("1")
        try c.int(&count)
    }
}

/// reqContractDetails (9).
public struct TWSRequestContractDetails: TWSMessage {
    public static let id = 9
    public var reqId = 0
    public var contract = TWSContract()
    public var includeExpired = false
    public init() {}
    public init(reqId: Int, contract: TWSContract) {
        self.reqId = reqId
        self.contract = contract
    }
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("8")
        try c.int(&reqId)
        try contract.code(&c)
        try c.bool(&includeExpired)
        try c.fixed("")                         // secIdType
        try c.fixed("")                         // secId
        if c.version >= 176 { try c.fixed("") } // issuerId
    }
}

/// reqAutoOpenOrders (15): client 0 only; Volta accepts and ignores it.
public struct TWSRequestAutoOpenOrders: TWSMessage {
    public static let id = 15
    public var autoBind = false
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("1")
        try c.bool(&autoBind)
    }
}

/// reqHistoricalData (20): bars, ending now when `endDateTime` is empty.
public struct TWSRequestHistoricalData: TWSMessage {
    public static let id = 20
    public var reqId = 0
    public var contract = TWSContract()
    public var includeExpired = false
    public var endDateTime = ""
    /// `1 day`, `1 hour`, …
    public var barSize = "1 day"
    /// `30 D`, `1 Y`, …
    public var duration = "1 M"
    public var useRTH = true
    public var whatToShow = "TRADES"
    public var formatDate = 1
    public var keepUpToDate = false
    public var chartOptions = ""
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.int(&reqId)
        try contract.code(&c)
        try c.bool(&includeExpired)
        try c.string(&endDateTime)
        try c.string(&barSize)
        try c.string(&duration)
        try c.bool(&useRTH)
        try c.string(&whatToShow)
        try c.int(&formatDate)
        try contract.codeShortLegs(&c)
        try c.bool(&keepUpToDate)
        try c.string(&chartOptions)
    }
}

/// reqMarketDataType (59): 1 live, 2 frozen, 3 delayed, 4 delayed frozen.
public struct TWSRequestMarketDataType: TWSMessage {
    public static let id = 59
    public var type = 1
    public init() {}
    public init(type: Int) { self.type = type }
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("1")
        try c.int(&type)
    }
}

/// reqAccountUpdatesMulti (76).
public struct TWSRequestAccountUpdatesMulti: TWSMessage {
    public static let id = 76
    public var reqId = 0
    public var account = ""
    public var modelCode = ""
    public var ledgerAndNLV = false
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("1")
        try c.int(&reqId)
        try c.string(&account)
        try c.string(&modelCode)
        try c.bool(&ledgerAndNLV)
    }
}

/// reqSecDefOptParams (78): the expiries and strikes of an underlying's options. No version field.
public struct TWSRequestOptionParameters: TWSMessage {
    public static let id = 78
    public var reqId = 0
    public var underlyingSymbol = ""
    public var futFopExchange = ""
    public var underlyingSecType = "STK"
    public var underlyingConId = 0
    public init() {}
    public init(reqId: Int, symbol: String, secType: String = "STK", conId: Int) {
        self.reqId = reqId
        self.underlyingSymbol = symbol
        self.underlyingSecType = secType
        self.underlyingConId = conId
    }
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.int(&reqId)
        try c.string(&underlyingSymbol)
        try c.string(&futFopExchange)
        try c.string(&underlyingSecType)
        try c.int(&underlyingConId)
    }
}

/// reqCompletedOrders (99).
public struct TWSRequestCompletedOrders: TWSMessage {
    public static let id = 99
    public var apiOnly = false
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws { try c.bool(&apiOnly) }
}

extension TWSMessageTable {
    /// Every request Volta's TWS server understands.
    public static let requests = TWSMessageTable([
        TWSStartAPI.self, TWSRequestMarketData.self, TWSCancelMarketData.self, TWSPlaceOrder.self, TWSCancelOrder.self,
        TWSRequestOpenOrders.self, TWSRequestAccountUpdates.self, TWSRequestExecutions.self, TWSRequestIds.self,
        TWSRequestContractDetails.self, TWSRequestAutoOpenOrders.self, TWSRequestAllOpenOrders.self,
        TWSRequestHistoricalData.self, TWSCancelHistoricalData.self, TWSRequestCurrentTime.self,
        TWSRequestGlobalCancel.self, TWSRequestMarketDataType.self, TWSRequestPositions.self, TWSCancelPositions.self,
        TWSRequestAccountUpdatesMulti.self, TWSRequestOptionParameters.self, TWSRequestCompletedOrders.self,
    ])
}
