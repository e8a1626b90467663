extension Volta_V1_OrderIntent {
    /// The whole of `position`, closed: an option at execution's smart limit around its theo,
    /// shares at market (no theo bounds a limit on them), for the day. One builder for every
    /// closer (the operator's flatten, a strategy closing before expiry), so each close carries
    /// the position's account and average cost the same way.
    public static func closing(_ position: Volta_V1_Position, id: String, strategy: String, instance: String,
                               reason: String, now: Int64) -> Self {
        var intent = Self()
        intent.intentID = id
        intent.strategy = strategy
        intent.instance = instance
        intent.purpose = .close
        intent.legs = [Volta_V1_Leg.with { leg in
            leg.instrument = position.instrument
            leg.side = position.quantity > 0 ? .sell : .buy
            leg.ratio = 1
        }]
        intent.quantity = abs(position.quantity)
        intent.orderType = position.instrument.hasOption ? .limit : .market
        intent.tif = .day
        intent.reason = reason
        intent.positionAvgCostMicros = position.avgCostMicros
        intent.account = position.account
        intent.createdNs = now
        return intent
    }
}
