/// openOrder (5): an order TWS holds, with its state. Sent after a placeOrder, on each state
/// change, and in answer to reqOpenOrders and reqAllOpenOrders. The layout is ib_async's at
/// server version 178; fields TWS adds after the last one read here are left unread.
public struct TWSOpenOrder: TWSMessage {
    public static let id = 5
    public var contract = TWSContract()
    public var order = TWSOrder()
    /// `PreSubmitted`, `Submitted`, `Filled`, `Cancelled`, …
    public var status = ""
    public var commission: Double?
    public var commissionCurrency = ""
    public var warningText = ""

    public init() {}

    public mutating func code(_ c: inout some FieldCoder) throws {
        try c.int(&order.orderId)
        try contract.codeWithoutPrimary(&c)
        try order.codeHead(&c)
        try c.int(&order.clientId)
        try c.int(&order.permId)
        try c.bool(&order.outsideRth)
        try c.fixed("0")                        // hidden
        try c.fixed("0.0")                      // discretionaryAmt
        try c.fixed("")                         // goodAfterTime
        try c.fixed("")                         // sharesAllocation
        try Self.codeAllocation(&c)
        try Self.codeGoodTillThroughExemptCode(&c, &order)
        try c.fixed("0")                        // auctionStrategy
        for _ in 0..<5 { try c.fixed("") }      // startingPrice … stockRangeUpper
        try c.int(&order.displaySize)
        try c.fixed("0")                        // blockOrder
        try c.fixed("0")                        // sweepToFill
        try c.fixed("0")                        // allOrNone
        try c.int(&order.minQty)
        try c.int(&order.ocaType)
        try c.fixed("0")                        // eTradeOnly
        try c.fixed("0")                        // firmQuoteOnly
        try c.fixed("")                         // nbboPriceCap
        try c.int(&order.parentId)
        try c.fixed("0")                        // triggerMethod
        try c.fixed("")                         // volatility
        try c.fixed("")                         // volatilityType
        try Self.codeDeltaNeutralOrder(&c, extras: 8)
        try c.fixed("0")                        // continuousUpdate
        try c.fixed("")                         // referencePriceType
        try c.double(&order.trailStopPrice)
        try c.double(&order.trailingPercent)
        try c.fixed("")                         // basisPoints
        try c.fixed("")                         // basisPointsType
        try Self.codeCombosThroughHedge(&c, &contract, &order)
        try c.fixed("0")                        // optOutSmartRouting
        try Self.codeClearingThroughAlgo(&c, &order)
        try c.fixed("0")                        // solicited
        try c.bool(&order.whatIf)
        try c.string(&status)
        for _ in 0..<9 { try c.fixed("") }      // margins before, change and after
        try c.double(&commission)
        try c.fixed("")                         // minCommission
        try c.fixed("")                         // maxCommission
        try c.string(&commissionCurrency)
        try c.string(&warningText)
        try c.fixed("0")                        // randomizeSize
        try c.fixed("0")                        // randomizePrice
        try Self.codePeggedToBenchmark(&c, orderType: order.orderType)
        try Self.codeConditions(&c)
        try c.fixed("")                         // adjustedOrderType
        try c.fixed("")                         // triggerPrice
        var trailStop = order.trailStopPrice    // sent twice; the first one counts
        try c.double(&trailStop)
        for _ in 0..<5 { try c.fixed("") }      // lmtPriceOffset … adjustedTrailingAmount
        try c.fixed("0")                        // adjustableTrailingUnit
        for _ in 0..<4 { try c.fixed("") }      // softDollarTier ×3, cashQty
        for _ in 0..<4 { try c.fixed("0") }     // dontUseAutoPriceForHedge … usePriceMgmtAlgo
        if c.version >= 158 { try c.fixed("") } // duration
        if c.version >= 160 { try c.fixed("") } // postToAts
        if c.version >= 162 { try c.fixed("0") }// autoCancelParent
        if c.version >= 170 { for _ in 0..<5 { try c.fixed("") } }  // minTradeQty … midOffsetAtHalf
    }
}
