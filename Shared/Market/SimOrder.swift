/// Orders as the simulated broker takes them: the shape of the broker APIs (TWS's Order), in
/// micros for every price so that limits compare exactly.
public enum SimSide: String, Sendable, Codable {
    case buy, sell
    public var sign: Int64 { self == .buy ? 1 : -1 }
    public var opposite: SimSide { self == .buy ? .sell : .buy }
}

public enum SimOrderType: String, Sendable { case market, limit, stop, stopLimit, trailingStop }
public enum SimTimeInForce: String, Sendable { case day, gtc, ioc }

/// How hard the adaptive algo pushes: where in the spread it starts and how fast it walks to
/// the far side.
public enum AdaptivePriority: String, Sendable, CaseIterable {
    case patient, normal, urgent
    /// Fraction of the spread from the near side at the start.
    var start: Double { switch self { case .patient: 0.4; case .normal: 0.5; case .urgent: 0.65 } }
    /// Seconds between two steps toward the far side.
    var stepSeconds: Double { switch self { case .patient: 10; case .normal: 5; case .urgent: 2 } }
}

public struct SimLeg: Sendable, Equatable {
    public var instrument: InstrumentKey
    public var side: SimSide
    public var ratio: Int64

    public init(instrument: InstrumentKey, side: SimSide, ratio: Int64 = 1) {
        self.instrument = instrument
        self.side = side
        self.ratio = ratio
    }
}

public struct SimOrderRequest: Sendable, Equatable {
    /// The caller's order id: the idempotency key (placing it again returns the same order).
    public var orderID: String
    public var legs: [SimLeg]
    public var quantity: Int64
    public var type: SimOrderType
    /// For combos, the net price in the direction of the first leg (a debit for a bought
    /// spread, a credit for a sold one).
    public var limitMicros: Int64?
    public var stopMicros: Int64?
    public var trailAmountMicros: Int64?
    public var trailPercent: Double?
    public var tif: SimTimeInForce
    public var parentID: String?
    public var ocaGroup: String?
    public var adaptive: AdaptivePriority?

    public init(orderID: String, legs: [SimLeg], quantity: Int64, type: SimOrderType, limitMicros: Int64? = nil,
                stopMicros: Int64? = nil, trailAmountMicros: Int64? = nil, trailPercent: Double? = nil,
                tif: SimTimeInForce = .day, parentID: String? = nil, ocaGroup: String? = nil, adaptive: AdaptivePriority? = nil) {
        self.orderID = orderID
        self.legs = legs
        self.quantity = quantity
        self.type = type
        self.limitMicros = limitMicros
        self.stopMicros = stopMicros
        self.trailAmountMicros = trailAmountMicros
        self.trailPercent = trailPercent
        self.tif = tif
        self.parentID = parentID
        self.ocaGroup = ocaGroup
        self.adaptive = adaptive
    }

    /// The direction of the order: the first leg's side.
    public var side: SimSide { legs.first?.side ?? .buy }
}

public enum SimOrderState: String, Sendable {
    case pendingSubmit, held, submitted, partiallyFilled, filled, cancelled, rejected, expired
    public var isDone: Bool { self == .filled || self == .cancelled || self == .rejected || self == .expired }
}

public struct SimOrderStatus: Sendable, Equatable {
    public var orderID: String
    public var brokerID: Int64
    public var state: SimOrderState
    public var filled: Int64
    public var remaining: Int64
    /// Average net price per unit of the order, in micros.
    public var averagePriceMicros: Int64
    public var reason: String
}

public struct SimFill: Sendable, Equatable {
    /// Unique per execution, so a fill heard twice is counted once.
    public var executionID: String
    public var orderID: String
    public var instrument: InstrumentKey
    public var side: SimSide
    public var quantity: Int64
    public var priceMicros: Int64
    public var commissionMicros: Int64
    public var time: Int64
}

public enum SimEvent: Sendable, Equatable {
    case status(SimOrderStatus)
    case fill(SimFill)
}
