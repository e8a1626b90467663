/// Orders and executions, TWS to client.

/// orderStatus (3). No version field from server version 131 on.
public struct TWSOrderStatus: TWSMessage {
    public static let id = 3
    public var orderId = 0
    /// `PendingSubmit`, `PreSubmitted`, `Submitted`, `Filled`, `Cancelled`, `ApiCancelled`, `Inactive`, …
    public var status = ""
    public var filled = 0.0
    public var remaining = 0.0
    public var avgFillPrice = 0.0
    public var permId = 0
    public var parentId = 0
    public var lastFillPrice = 0.0
    public var clientId = 0
    public var whyHeld = ""
    public var marketCapPrice = 0.0
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.int(&orderId)
        try c.string(&status)
        try c.double(&filled)
        try c.double(&remaining)
        try c.double(&avgFillPrice)
        try c.int(&permId)
        try c.int(&parentId)
        try c.double(&lastFillPrice)
        try c.int(&clientId)
        try c.string(&whyHeld)
        try c.double(&marketCapPrice)
    }
}

/// error (4): a request's failure, or a notice with id −1 (farm status 2104, 2106, 2158…).
public struct TWSError: TWSMessage {
    public static let id = 4
    public var reqId = -1
    public var code = 0
    public var message = ""
    public var advancedOrderRejectJson = ""
    public init() {}
    public init(reqId: Int, code: Int, message: String) {
        self.reqId = reqId
        self.code = code
        self.message = message
    }
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("2")
        try c.int(&reqId)
        try c.int(&code)
        try c.string(&message)
        if c.version >= 166 { try c.string(&advancedOrderRejectJson) }
    }

    /// Notices, not failures: data farm connections (2103–2108, 2119, 2157, 2158), market data
    /// type switches (10167), an order's own warnings (399, 2109) and the like.
    public var isInformational: Bool {
        [399, 2100, 2107, 2109, 2137, 10167].contains(code) || (2103...2108).contains(code)
            || [2119, 2150, 2157, 2158].contains(code)
    }

    /// Connectivity between TWS and IB: lost (1100), restored with data lost (1101), restored
    /// with data kept (1102).
    public var isConnectivity: Bool { (1100...1102).contains(code) }
}

public struct TWSOpenOrderEnd: TWSBareMessage { public static let id = 53; public init() {} }

/// nextValidId (9).
public struct TWSNextValidId: TWSMessage {
    public static let id = 9
    public var orderId = 0
    public init() {}
    public init(orderId: Int) { self.orderId = orderId }
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("1")
        try c.int(&orderId)
    }
}

/// execDetails (11): one execution. Sent with reqId −1 as fills happen, and with the request's
/// id in answer to reqExecutions. No version field from 136 on.
public struct TWSExecution: TWSMessage {
    public static let id = 11
    public var reqId = -1
    public var orderId = 0
    public var contract = TWSContract()
    public var execId = ""
    /// `yyyyMMdd-HH:mm:ss` in UTC, or `yyyyMMdd  HH:mm:ss` in TWS's zone.
    public var time = ""
    public var account = ""
    public var exchange = ""
    /// `BOT` or `SLD`.
    public var side = ""
    public var shares = 0.0
    public var price = 0.0
    public var permId = 0
    public var clientId = 0
    public var liquidation = 0
    public var cumQty = 0.0
    public var avgPrice = 0.0
    public var orderRef = ""
    public var lastLiquidity = 0
    public var pendingPriceRevision = false
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.int(&reqId)
        try c.int(&orderId)
        try contract.codeWithoutPrimary(&c)
        try c.string(&execId)
        try c.string(&time)
        try c.string(&account)
        try c.string(&exchange)
        try c.string(&side)
        try c.double(&shares)
        try c.double(&price)
        try c.int(&permId)
        try c.int(&clientId)
        try c.int(&liquidation)
        try c.double(&cumQty)
        try c.double(&avgPrice)
        try c.string(&orderRef)
        try c.fixed("")                        // evRule
        try c.fixed("")                        // evMultiplier
        try c.fixed("")                        // modelCode
        try c.int(&lastLiquidity)
        if c.version >= 178 { try c.bool(&pendingPriceRevision) }
    }
}

public struct TWSExecutionsEnd: TWSRequestIdMessage {
    public static let id = 55
    public static let messageVersion = "1"
    public var reqId = 0
    public init() {}
}

/// commissionReport (59): the commission of one execution, by its id.
public struct TWSCommissionReport: TWSMessage {
    public static let id = 59
    public var execId = ""
    public var commission = 0.0
    public var currency = ""
    public var realizedPNL: Double?
    public var yield: Double?
    public var yieldRedemptionDate: Int?
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("1")
        try c.string(&execId)
        try c.double(&commission)
        try c.string(&currency)
        try c.double(&realizedPNL)
        try c.double(&yield)
        try c.int(&yieldRedemptionDate)
    }
}

/// completedOrdersEnd (102): the last answer to reqCompletedOrders.
public struct TWSCompletedOrdersEnd: TWSMessage {
    public static let id = 102
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws {}
}
