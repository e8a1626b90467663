/// The account, TWS to client.

/// managedAccounts (15): comma-separated account ids, sent after startApi.
public struct TWSManagedAccounts: TWSMessage {
    public static let id = 15
    public var accounts = ""
    public init() {}
    public init(accounts: [String]) { self.accounts = accounts.joined(separator: ",") }
    public var list: [String] { accounts.split(separator: ",").map(String.init) }
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("1")
        try c.string(&accounts)
    }
}

/// accountValue (6), as reqAccountUpdates streams them: `NetLiquidation`, `BuyingPower`, …
public struct TWSAccountValue: TWSMessage {
    public static let id = 6
    public var key = ""
    public var value = ""
    public var currency = ""
    public var account = ""
    public init() {}
    public init(key: String, value: String, currency: String, account: String) {
        self.key = key
        self.value = value
        self.currency = currency
        self.account = account
    }
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("2")
        try c.string(&key)
        try c.string(&value)
        try c.string(&currency)
        try c.string(&account)
    }
}

/// portfolioValue (7): a position with its mark and P&L.
public struct TWSPortfolioValue: TWSMessage {
    public static let id = 7
    public var contract = TWSContract()
    public var position = 0.0
    public var marketPrice = 0.0
    public var marketValue = 0.0
    public var averageCost = 0.0
    public var unrealizedPNL = 0.0
    public var realizedPNL = 0.0
    public var account = ""
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("8")
        try contract.codeForPortfolio(&c)
        for field in [\Self.position, \.marketPrice, \.marketValue, \.averageCost, \.unrealizedPNL, \.realizedPNL]
            as [WritableKeyPath<Self, Double>] {
            try c.double(&self[keyPath: field])
        }
        try c.string(&account)
    }
}

/// accountUpdateTime (8): `HH:mm`.
public struct TWSAccountUpdateTime: TWSMessage {
    public static let id = 8
    public var time = ""
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("1")
        try c.string(&time)
    }
}

/// accountDownloadEnd (54): the first full pass of reqAccountUpdates is complete.
public struct TWSAccountDownloadEnd: TWSMessage {
    public static let id = 54
    public var account = ""
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("1")
        try c.string(&account)
    }
}

/// position (61): one position of reqPositions. The average cost is per contract, multiplier included.
public struct TWSPosition: TWSMessage {
    public static let id = 61
    public var account = ""
    public var contract = TWSContract()
    public var position = 0.0
    public var averageCost = 0.0
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("3")
        try c.string(&account)
        try contract.codeWithoutPrimary(&c)
        try c.double(&position)
        try c.double(&averageCost)
    }
}

public struct TWSPositionEnd: TWSBareMessage { public static let id = 62; public init() {} }

/// accountUpdateMulti (73).
public struct TWSAccountUpdateMulti: TWSMessage {
    public static let id = 73
    public var reqId = 0
    public var account = ""
    public var modelCode = ""
    public var key = ""
    public var value = ""
    public var currency = ""
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("1")
        try c.int(&reqId)
        for field in [\Self.account, \.modelCode, \.key, \.value, \.currency] as [WritableKeyPath<Self, String>] {
            try c.string(&self[keyPath: field])
        }
    }
}

public struct TWSAccountUpdateMultiEnd: TWSRequestIdMessage {
    public static let id = 74
    public static let messageVersion = "1"
    public var reqId = 0
    public init() {}
}

/// currentTime (49): seconds since the epoch.
public struct TWSCurrentTime: TWSMessage {
    public static let id = 49
    public var time = 0
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("1")
        try c.int(&time)
    }
}
