import Messages
import Trading

/// One intent's path through execution: risk, the order, its reprices and fills.
public struct ExecutionRecord: Sendable {
    /// Nil for an order found at the broker after a restart, until its strategy resubmits it.
    public var intent: Volta_V1_OrderIntent?
    public let intentID: String
    public let orderID: String
    public var stage: Volta_V1_IntentStage = .stageAwaitingRisk
    public var progress: OrderProgress?
    public var limitMicros: Int64 = 0
    public var reprices = 0
    public var riskReason = ""
    public var reason = ""
    /// After the last reprice the configured action ran once.
    public var exhausted = false
    public var cancelRequested = false
    /// A bracket child's entry, and its role ("take_profit", "stop_loss"): children inherit the
    /// entry's risk approval and, unless two-step, are held by the broker until it fills.
    public var parentIntentID = ""
    public var role = ""
    /// The bracket's children have been made (once, however many statuses report the fill).
    public var childrenPlaced = false

    public init(intentID: String, intent: Volta_V1_OrderIntent?) {
        self.intentID = intentID
        self.intent = intent
        self.orderID = Self.orderID(for: intentID)
    }

    /// The broker order of an intent has an id derived from it: a restarted execution, or a
    /// retried place, names the same order, and the broker treats it as the same order.
    public static func orderID(for intentID: String) -> String { "ex-" + intentID }

    public static func intentID(ofOrder orderID: String) -> String? {
        orderID.hasPrefix("ex-") ? String(orderID.dropFirst(3)) : nil
    }

    public var isDone: Bool { stage == .stageDone || stage == .stageRiskRejected }

    /// Whether execution prices this order itself and steps it toward the far side: a limit
    /// not given as is. Market, stop, stop-limit, trailing and as-given limits go as the intent says.
    public var isRepriced: Bool { intent.map { $0.orderType == .limit && !$0.priceAsGiven } ?? false }

    public var isSell: Bool { intent?.legs.first?.side == .sell && (intent?.legs.count ?? 0) == 1 }

    public var multiplier: Int64 {
        guard let leg = intent?.legs.first, leg.instrument.hasOption else { return 1 }
        return Int64(max(leg.instrument.option.multiplier, 1))
    }

    /// The intent of an order adopted from the broker, resubmitted by its strategy: its side and
    /// multiplier now apply to what was booked.
    public mutating func adopt(_ intent: Volta_V1_OrderIntent) {
        self.intent = intent
        progress = progress?.with(buy: !isSell, multiplier: multiplier)
    }

    /// Folds a broker status in; a terminal one ends the intent.
    public mutating func apply(_ s: Volta_V1_OrderStatus, quantity: Int64) {
        if progress == nil { progress = OrderProgress(quantity: quantity, buy: !isSell, multiplier: multiplier) }
        progress?.apply(status: Self.state(s.state), reason: s.reason)
        // A status that reports more filled than the fills seen (fills missed while down):
        // book the rest at the status's average price, once, so the quantities are right.
        if s.state == .filled, let p = progress, s.filledQuantity > p.filled {
            progress?.apply(fillID: "status-\(orderID)", quantity: s.filledQuantity - p.filled, priceMicros: s.avgFillPriceMicros)
        }
        if stage != .stageDone { stage = progress?.state.isTerminal == true ? .stageDone : .stageWorking }
        if !s.reason.isEmpty { reason = s.reason }
    }

    public mutating func apply(_ f: Volta_V1_Fill) -> Bool {
        guard var p = progress, p.apply(fillID: f.fillID, quantity: f.quantity, priceMicros: f.priceMicros) else { return false }
        progress = p
        if p.state.isTerminal { stage = .stageDone }
        return true
    }

    static func state(_ s: Volta_V1_OrderState) -> OrderProgress.State {
        switch s {
        case .submitted, .pendingCancel: .submitted
        case .partiallyFilled: .partiallyFilled
        case .filled: .filled
        case .cancelled: .cancelled
        case .rejected: .rejected
        case .expired: .expired
        default: .pending
        }
    }

    static func orderState(_ s: OrderProgress.State?) -> Volta_V1_OrderState {
        switch s {
        case .pending, nil: .pendingSubmit
        case .submitted: .submitted
        case .partiallyFilled: .partiallyFilled
        case .filled: .filled
        case .cancelled: .cancelled
        case .rejected: .rejected
        case .expired: .expired
        }
    }

    /// The report published on `exec.intent.<id>` and returned to submitters.
    public func report(now: Int64) -> Volta_V1_IntentExecution {
        var e = Volta_V1_IntentExecution()
        e.intentID = intentID
        e.orderID = progress == nil ? "" : orderID
        e.stage = stage
        e.orderState = Self.orderState(progress?.state)
        e.quantity = intent?.quantity ?? progress?.quantity ?? 0
        e.filledQuantity = progress?.filled ?? 0
        e.avgFillPriceMicros = progress?.averagePriceMicros ?? 0
        e.limitPriceMicros = limitMicros
        e.reprices = Int32(reprices)
        e.expectedPriceMicros = intent?.expectedPriceMicros ?? 0
        if let p = progress, let i = intent {
            e.slippageMicros = p.slippageMicros(expectedMicros: i.expectedPriceMicros)
            if i.purpose == .close, i.positionAvgCostMicros != 0 { e.realizedPnlMicros = p.realizedPnLMicros(averageCostMicros: i.positionAvgCostMicros) }
        }
        e.reason = reason
        e.riskReasonCode = riskReason
        e.strategy = intent?.strategy ?? ""
        e.purpose = intent?.purpose ?? .unspecified
        e.intentReason = intent?.reason ?? ""
        e.account = intent?.account ?? ""
        if let leg = intent?.legs.first { e.instrument = leg.instrument.displayName }
        e.parentIntentID = parentIntentID
        e.role = role
        e.updatedNs = now
        return e
    }
}
