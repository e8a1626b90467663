/// Market data, TWS to client.

/// Tick types Volta reads and twsim sends.
public enum TWSTickType {
    public static let bidSize = 0, bid = 1, ask = 2, askSize = 3, last = 4, lastSize = 5, volume = 8, close = 9
    /// Option computations: bid, ask, last and the model's (13); delayed ones are 80–83.
    public static let bidOption = 10, askOption = 11, lastOption = 12, modelOption = 13
    public static let optionCallOpenInterest = 27, optionPutOpenInterest = 28
    public static let optionCallVolume = 29, optionPutVolume = 30
    public static let historicalVolatility = 23, impliedVolatility = 24

    /// Each live type and the type of its delayed twin, one table both ways.
    static let delayedOf: [Int: Int] = [
        bid: 66, ask: 67, last: 68, bidSize: 69, askSize: 70, lastSize: 71, volume: 74, close: 75,
        bidOption: 80, askOption: 81, lastOption: 82, modelOption: 83,
    ]
    static let liveOf = Dictionary(uniqueKeysWithValues: delayedOf.map { ($1, $0) })

    /// The live type a delayed tick stands for (66 → 1), so delayed data reads like live data.
    public static func live(_ type: Int) -> Int { liveOf[type] ?? type }

    /// The delayed type of a live one (1 → 66), for a client that asked for delayed data.
    public static func delayed(_ type: Int) -> Int { delayedOf[type] ?? type }
}

/// tickPrice (1). The size rides along for bid, ask and last.
public struct TWSTickPrice: TWSMessage {
    public static let id = 1
    public var reqId = 0
    public var tickType = 0
    public var price = 0.0
    public var size: Double?
    /// Bits: 1 can auto-execute, 2 past limit, 4 pre-open.
    public var attributes = 0
    public init() {}
    public init(reqId: Int, tickType: Int, price: Double, size: Double?) {
        self.reqId = reqId
        self.tickType = tickType
        self.price = price
        self.size = size
    }
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("6")
        try c.int(&reqId)
        try c.int(&tickType)
        try c.double(&price)
        try c.double(&size)
        try c.int(&attributes)
    }
}

/// tickSize (2).
public struct TWSTickSize: TWSMessage {
    public static let id = 2
    public var reqId = 0
    public var tickType = 0
    public var size = 0.0
    public init() {}
    public init(reqId: Int, tickType: Int, size: Double) {
        self.reqId = reqId
        self.tickType = tickType
        self.size = size
    }
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("6")
        try c.int(&reqId)
        try c.int(&tickType)
        try c.double(&size)
    }
}

/// tickGeneric (45): one number, such as the implied (24) or historical (23) volatility.
public struct TWSTickGeneric: TWSMessage {
    public static let id = 45
    public var reqId = 0
    public var tickType = 0
    public var value = 0.0
    public init() {}
    public init(reqId: Int, tickType: Int, value: Double) {
        self.reqId = reqId
        self.tickType = tickType
        self.value = value
    }
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("6")
        try c.int(&reqId)
        try c.int(&tickType)
        try c.double(&value)
    }
}

/// tickString (46): text, such as the last trade's timestamp (45).
public struct TWSTickString: TWSMessage {
    public static let id = 46
    public var reqId = 0
    public var tickType = 0
    public var value = ""
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("6")
        try c.int(&reqId)
        try c.int(&tickType)
        try c.string(&value)
    }
}

/// tickOptionComputation (21). TWS marks what it has not computed with −1 or −2; those read as
/// nil. Vega is per volatility point (0.01) and theta per calendar day, as IB quotes them.
public struct TWSTickOptionComputation: TWSMessage {
    public static let id = 21
    public var reqId = 0
    public var tickType = TWSTickType.modelOption
    /// 0 return-based, 1 price-based.
    public var attribute = 0
    public var impliedVol: Double?
    public var delta: Double?
    public var optionPrice: Double?
    public var pvDividend: Double?
    public var gamma: Double?
    public var vega: Double?
    public var theta: Double?
    public var underlyingPrice: Double?
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws {
        if c.version < 156 { try c.fixed("6") }
        try c.int(&reqId)
        try c.int(&tickType)
        if c.version >= 156 { try c.int(&attribute) }
        try c.double(&impliedVol, absentWhen: { $0 < 0 }, sentinel: -1)
        try c.double(&delta, absentWhen: { $0 == -2 }, sentinel: -2)
        try c.double(&optionPrice, absentWhen: { $0 == -1 }, sentinel: -1)
        try c.double(&pvDividend, absentWhen: { $0 == -1 }, sentinel: -1)
        try c.double(&gamma, absentWhen: { $0 == -2 }, sentinel: -2)
        try c.double(&vega, absentWhen: { $0 == -2 }, sentinel: -2)
        try c.double(&theta, absentWhen: { $0 == -2 }, sentinel: -2)
        try c.double(&underlyingPrice, absentWhen: { $0 == -1 }, sentinel: -1)
    }
}

public struct TWSTickSnapshotEnd: TWSRequestIdMessage {
    public static let id = 57
    public static let messageVersion = "1"
    public var reqId = 0
    public init() {}
}

/// marketDataType (58): live (1), frozen (2), delayed (3) or delayed frozen (4) for a request.
public struct TWSMarketDataType: TWSMessage {
    public static let id = 58
    public var reqId = 0
    public var type = 1
    public init() {}
    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.fixed("1")
        try c.int(&reqId)
        try c.int(&type)
    }
}
