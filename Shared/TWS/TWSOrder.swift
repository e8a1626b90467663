/// The order fields Volta sets or reads. Every other field of TWS's order travels as the default
/// the official client sends, so a placeOrder is what ib_async would send for the same order.
public struct TWSOrder: Sendable, Equatable {
    public var orderId = 0
    public var clientId = 0
    public var permId = 0
    /// `BUY` or `SELL`.
    public var action = ""
    public var totalQuantity = 0.0
    /// `LMT`, `MKT`, `STP`, `STP LMT`, `TRAIL`, …
    public var orderType = ""
    public var lmtPrice: Double?
    /// The stop price of STP and STP LMT, the trailing amount of TRAIL.
    public var auxPrice: Double?
    /// `DAY`, `GTC`, `IOC`.
    public var tif = ""
    public var ocaGroup = ""
    /// 1 cancel the others with block, 2 reduce with block, 3 reduce without block.
    public var ocaType = 0
    public var account = ""
    public var openClose = "O"
    public var origin = 0
    /// Volta's order id: TWS keeps it with the order, so a reconnect maps orders back.
    public var orderRef = ""
    /// False holds the order at TWS until a later order of its group transmits (brackets).
    public var transmit = true
    public var parentId = 0
    public var displaySize = 0
    public var outsideRth = false
    public var goodTillDate = ""
    public var minQty: Int?
    public var trailStopPrice: Double?
    public var trailingPercent: Double?
    /// Per-leg limit prices of a combo.
    public var comboLegPrices: [Double?] = []
    public var smartComboRoutingParams: [TWSTagValue] = []
    /// `Adaptive`, with `adaptivePriority` = `Patient`, `Normal` or `Urgent`.
    public var algoStrategy = ""
    public var algoParams: [TWSTagValue] = []
    public var whatIf = false

    public init() {}

    /// From the action to orderRef: the run placeOrder and openOrder share.
    mutating func codeHead(_ c: inout some FieldCoder) throws {
        try c.string(&action)
        try c.decimal(&totalQuantity)
        try c.string(&orderType)
        try c.double(&lmtPrice)
        try c.double(&auxPrice)
        try c.string(&tif)
        try c.string(&ocaGroup)
        try c.string(&account)
        try c.string(&openClose)
        try c.int(&origin)
        try c.string(&orderRef)
    }
}

/// placeOrder (3), as ib_async sends it.
public struct TWSPlaceOrder: TWSMessage {
    public static let id = 3
    public var contract = TWSContract()
    public var order = TWSOrder()

    public init() {}
    public init(contract: TWSContract, order: TWSOrder) {
        self.contract = contract
        self.order = order
    }

    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.int(&order.orderId)
        try contract.code(&c)
        try c.fixed("")                        // secIdType
        try c.fixed("")                        // secId
        try order.codeHead(&c)
        try c.bool(&order.transmit)
        try c.int(&order.parentId)
        try c.fixed("0")                       // blockOrder
        try c.fixed("0")                       // sweepToFill
        try c.int(&order.displaySize)
        try c.fixed("0")                       // triggerMethod
        try c.bool(&order.outsideRth)
        try c.fixed("0")                       // hidden
        if contract.isCombo { try codeComboLegs(&c) }
        try c.fixed("")                        // sharesAllocation
        try c.fixed("0.0")                     // discretionaryAmt
        try c.fixed("")                        // goodAfterTime
        try c.string(&order.goodTillDate)
        try Self.codeAllocation(&c)
        try c.fixed("0")                       // shortSaleSlot
        try c.fixed("")                        // designatedLocation
        try c.fixed("-1")                      // exemptCode
        try c.int(&order.ocaType)
        try c.fixed("")                        // rule80A
        try c.fixed("")                        // settlingFirm
        try c.fixed("0")                       // allOrNone
        try c.int(&order.minQty)
        try c.fixed("")                        // percentOffset
        try c.fixed("0")                       // eTradeOnly
        try c.fixed("0")                       // firmQuoteOnly
        try c.fixed("")                        // nbboPriceCap
        try c.fixed("0")                       // auctionStrategy
        for _ in 0..<5 { try c.fixed("") }     // startingPrice … stockRangeUpper
        try c.fixed("0")                       // overridePercentageConstraints
        try c.fixed("")                        // volatility
        try c.fixed("")                        // volatilityType
        try Self.codeDeltaNeutralOrder(&c, extras: 8)
        try c.fixed("0")                       // continuousUpdate
        try c.fixed("")                        // referencePriceType
        try c.double(&order.trailStopPrice)
        try c.double(&order.trailingPercent)
        try Self.codeScale(&c)
        try c.fixed("")                        // scaleTable
        try c.fixed("")                        // activeStartTime
        try c.fixed("")                        // activeStopTime
        try Self.codeHedge(&c)
        try c.fixed("0")                       // optOutSmartRouting
        try c.fixed("")                        // clearingAccount
        try c.fixed("")                        // clearingIntent
        try c.fixed("0")                       // notHeld
        try Self.codeDeltaNeutralContract(&c)
        try c.string(&order.algoStrategy)
        if !order.algoStrategy.isEmpty { try c.tagValues(&order.algoParams) }
        try c.fixed("")                        // algoId
        try c.bool(&order.whatIf)
        try c.fixed("")                        // orderMiscOptions
        for _ in 0..<3 { try c.fixed("0") }    // solicited, randomizeSize, randomizePrice
        try Self.codePeggedToBenchmark(&c, orderType: order.orderType)
        try Self.codeConditions(&c)
        for _ in 0..<6 { try c.fixed("") }     // adjustedOrderType … adjustedTrailingAmount
        try c.fixed("0")                       // adjustableTrailingUnit
        for _ in 0..<8 { try c.fixed("") }     // extOperator, softDollarTier ×2, cashQty, mifid2 ×4
        for _ in 0..<4 { try c.fixed("0") }    // dontUseAutoPriceForHedge … usePriceMgmtAlgo
        if c.version >= 158 { try c.fixed("") }  // duration
        if c.version >= 160 { try c.fixed("") }  // postToAts
        if c.version >= 162 { try c.fixed("0") } // autoCancelParent
        if c.version >= 166 { try c.fixed("") }  // advancedErrorOverride
        if c.version >= 169 { try c.fixed("") }  // manualOrderTime
        if c.version >= 170 { try codePegBestAndMid(&c) }
    }

    mutating func codeComboLegs(_ c: inout some FieldCoder) throws {
        try c.list(&contract.comboLegs, make: TWSComboLeg.init) { c, leg in try leg.code(&c) }
        try c.list(&order.comboLegPrices, make: { nil }) { c, price in try c.double(&price) }
        try c.tagValues(&order.smartComboRoutingParams)
    }

    mutating func codePegBestAndMid(_ c: inout some FieldCoder) throws {
        if contract.exchange == "IBKRATS" { try c.fixed("") }   // minTradeQty
        switch order.orderType {
        case "PEG BEST", "PEGBEST":
            try c.skip(1)                                       // minCompeteSize
            var offset: Double?
            try c.double(&offset)
            if offset == .infinity { try c.skip(2) }
        case "PEG MID", "PEGMID": try c.skip(2)
        default: break
        }
    }
}

/// Runs of fields that placeOrder, openOrder and completedOrder share, written once.
extension TWSMessage {
    /// faGroup, faMethod, faPercentage, faProfile (before 177), modelCode.
    static func codeAllocation(_ c: inout some FieldCoder) throws {
        for _ in 0..<3 { try c.fixed("") }
        if c.version < 177 { try c.fixed("") }
        try c.fixed("")
    }

    /// goodTillDate through exemptCode, as openOrder and completedOrder send them.
    static func codeGoodTillThroughExemptCode(_ c: inout some FieldCoder, _ order: inout TWSOrder) throws {
        try c.string(&order.goodTillDate)
        try c.fixed("")                        // rule80A
        try c.fixed("")                        // percentOffset
        try c.fixed("")                        // settlingFirm
        try c.fixed("0")                       // shortSaleSlot
        try c.fixed("")                        // designatedLocation
        try c.fixed("-1")                      // exemptCode
    }

    /// comboLegsDescrip, the legs and their prices, routing parameters, scale and hedge.
    static func codeCombosThroughHedge(_ c: inout some FieldCoder, _ contract: inout TWSContract, _ order: inout TWSOrder) throws {
        try c.fixed("")                        // comboLegsDescrip
        try c.list(&contract.comboLegs, make: TWSComboLeg.init) { c, leg in try leg.code(&c) }
        try c.list(&order.comboLegPrices, make: { nil }) { c, price in try c.double(&price) }
        try c.tagValues(&order.smartComboRoutingParams)
        try codeScale(&c)
        try codeHedge(&c)
    }

    /// clearingAccount, clearingIntent, notHeld, the delta-neutral contract and the algo.
    static func codeClearingThroughAlgo(_ c: inout some FieldCoder, _ order: inout TWSOrder) throws {
        try c.fixed("")                        // clearingAccount
        try c.fixed("")                        // clearingIntent
        try c.fixed("0")                       // notHeld
        try codeDeltaNeutralContract(&c)
        try c.string(&order.algoStrategy)
        if !order.algoStrategy.isEmpty { try c.tagValues(&order.algoParams) }
    }
}

/// The conditional parts an order message may carry. Volta never sends them; a reader steps
/// over them (or refuses conditions it cannot size), so an order placed in TWS by hand still decodes.
extension TWSMessage {
    static func codeDeltaNeutralOrder(_ c: inout some FieldCoder, extras: Int) throws {
        var type = ""
        try c.string(&type)
        try c.fixed("")                        // deltaNeutralAuxPrice
        if !type.isEmpty { try c.skip(extras) }
    }

    static func codeScale(_ c: inout some FieldCoder) throws {
        try c.fixed("")                        // scaleInitLevelSize
        try c.fixed("")                        // scaleSubsLevelSize
        var increment: Double?
        try c.double(&increment)
        if let increment, increment > 0 { try c.skip(7) }
    }

    static func codeHedge(_ c: inout some FieldCoder) throws {
        var type = ""
        try c.string(&type)
        if !type.isEmpty { try c.skip(1) }
    }

    static func codeDeltaNeutralContract(_ c: inout some FieldCoder) throws {
        var present = false
        try c.bool(&present)
        if present { try c.skip(3) }
    }

    static func codePeggedToBenchmark(_ c: inout some FieldCoder, orderType: String) throws {
        if orderType == "PEG BENCH" || orderType == "PEGBENCH" { try c.skip(5) }
    }

    /// Conditions: a count, then per condition its type and that type's fields, then two flags.
    static func codeConditions(_ c: inout some FieldCoder) throws {
        var count = 0
        try c.int(&count)
        guard count > 0 else { return }
        // Fields after the type: price, time, margin, execution, volume, percent change.
        let sizes = [1: 6, 3: 3, 4: 3, 5: 4, 6: 5, 7: 5]
        for _ in 0..<count {
            var type = 0
            try c.int(&type)
            guard let size = sizes[type] else { throw TWSProtocolError("order condition type \(type) is unknown") }
            try c.skip(size)
        }
        try c.skip(2)                          // conditionsIgnoreRth, conditionsCancelOrder
    }
}
