/// completedOrder (101): an order that ended today (filled, cancelled, rejected), in answer to
/// reqCompletedOrders. It is how a restarted client learns of an order that ended with no
/// execution, which neither reqOpenOrders nor reqExecutions lists; it carries orderRef (Volta's
/// order id) but no order id. The layout is ib_async's at server version 178.
public struct TWSCompletedOrder: TWSMessage {
    public static let id = 101
    public var contract = TWSContract()
    public var order = TWSOrder()
    /// `Filled`, `Cancelled`, `ApiCancelled`, `Inactive`, …
    public var status = ""
    public var filledQuantity = 0.0
    /// `yyyyMMdd HH:mm:ss` and the zone.
    public var completedTime = ""
    public var completedStatus = ""

    public init() {}

    public mutating func code(_ c: inout some FieldCoder) throws {
        try contract.codeWithoutPrimary(&c)
        try order.codeHead(&c)
        try c.int(&order.permId)
        try c.bool(&order.outsideRth)
        try c.fixed("0")                        // hidden
        try c.fixed("0.0")                      // discretionaryAmt
        try c.fixed("")                         // goodAfterTime
        try Self.codeAllocation(&c)
        try Self.codeGoodTillThroughExemptCode(&c, &order)
        for _ in 0..<5 { try c.fixed("") }      // startingPrice … stockRangeUpper
        try c.int(&order.displaySize)
        try c.fixed("0")                        // sweepToFill
        try c.fixed("0")                        // allOrNone
        try c.int(&order.minQty)
        try c.int(&order.ocaType)
        try c.fixed("0")                        // triggerMethod
        try c.fixed("")                         // volatility
        try c.fixed("")                         // volatilityType
        try Self.codeDeltaNeutralOrder(&c, extras: 4)
        try c.fixed("0")                        // continuousUpdate
        try c.fixed("")                         // referencePriceType
        try c.double(&order.trailStopPrice)
        try c.double(&order.trailingPercent)
        try Self.codeCombosThroughHedge(&c, &contract, &order)
        try Self.codeClearingThroughAlgo(&c, &order)
        try c.fixed("0")                        // solicited
        try c.string(&status)
        try c.fixed("0")                        // randomizeSize
        try c.fixed("0")                        // randomizePrice
        try Self.codePeggedToBenchmark(&c, orderType: order.orderType)
        try Self.codeConditions(&c)
        var trailStop = order.trailStopPrice    // sent twice; the first one counts
        try c.double(&trailStop)
        try c.fixed("")                         // lmtPriceOffset
        try c.fixed("")                         // cashQty
        try c.fixed("0")                        // dontUseAutoPriceForHedge
        try c.fixed("0")                        // isOmsContainer
        try c.fixed("")                         // autoCancelDate
        try c.decimal(&filledQuantity)
        try c.fixed("0")                        // refFuturesConId
        try c.fixed("0")                        // autoCancelParent
        try c.fixed("")                         // shareholder
        try c.fixed("0")                        // imbalanceOnly
        try c.fixed("0")                        // routeMarketableToBbo
        try c.fixed("")                         // parentPermId
        try c.string(&completedTime)
        try c.string(&completedStatus)
        if c.version >= 170 { for _ in 0..<5 { try c.fixed("") } }  // minTradeQty … midOffsetAtHalf
    }
}
