import Messages
import Trading

/// One intent's path through execution: risk, the order, its reprices and fills.
public struct ExecutionRecord: Sendable {
    /// Nil for an order found at the broker after a restart, until its strategy resubmits it.
    public var intent: Volta_V1_OrderIntent?
    public let intentID: String
    /// The attempt working now: 0, then one more for each retry after an entry timeout.
    public var attempt = 0
    /// An attempt is being cancelled for a retry: its cancellation does not end the intent.
    public var retrying = false
    /// The broker order of the current attempt.
    public var orderID: String { Self.orderID(for: intentID, attempt: attempt) }
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
    /// Bus time the current attempt's place was sent: an entry timeout counts from here.
    public var placedNs: Int64 = 0

    public init(intentID: String, intent: Volta_V1_OrderIntent?) {
        self.intentID = intentID
        self.intent = intent
    }

    /// The broker order of an intent has an id derived from it: a restarted execution, or a
    /// retried place, names the same order, and the broker treats it as the same order.
    /// A retry's order is `ex-<intent>~<attempt>`: a new order at the broker, still derived.
    public static func orderID(for intentID: String, attempt: Int = 0) -> String {
        attempt == 0 ? "ex-" + intentID : "ex-\(intentID)~\(attempt)"
    }

    /// The attempt an order id names (0 for `ex-<intent>`).
    public static func attempt(ofOrder orderID: String) -> Int {
        guard let id = intentID(ofOrder: orderID), orderID.count > id.count + 4 else { return 0 }
        return Int(orderID.dropFirst(3 + id.count + 1)) ?? 0
    }

    public static func intentID(ofOrder orderID: String) -> String? {
        guard orderID.hasPrefix("ex-") else { return nil }
        let rest = orderID.dropFirst(3)
        if let tilde = rest.lastIndex(of: "~"), !rest[rest.index(after: tilde)...].isEmpty,
           rest[rest.index(after: tilde)...].allSatisfy(\.isNumber) {
            return String(rest[..<tilde])
        }
        return String(rest)
    }

    public var isDone: Bool { stage == .stageDone || stage == .stageRiskRejected }

    /// Whether execution prices this order itself and steps it toward the far side: a limit
    /// not given as is. Market, stop, stop-limit, trailing and as-given limits go as the intent says.
    public var isRepriced: Bool { intent.map { $0.orderType == .limit && !$0.priceAsGiven } ?? false }

    /// The order's direction: its first leg's side. A combo is bought or sold as its first leg
    /// is, and priced as the net in that direction (a sold spread's price is its credit).
    public var isSell: Bool { intent?.legs.first?.side == .sell }

    /// A combo's legs as its progress counts them (none for a single instrument).
    var progressLegs: [OrderProgress.Leg] {
        let legs = intent?.legs ?? []
        guard legs.count > 1 else { return [] }
        return legs.map { .init(ratio: Int64($0.ratio), withDirection: $0.side == legs[0].side) }
    }

    /// A fresh progress for `quantity` units.
    func newProgress(quantity: Int64) -> OrderProgress {
        OrderProgress(quantity: quantity, buy: !isSell, multiplier: multiplier, legs: progressLegs)
    }

    public var multiplier: Int64 {
        guard let leg = intent?.legs.first, leg.instrument.hasOption else { return 1 }
        return Int64(max(leg.instrument.option.multiplier, 1))
    }

    /// The intent of an order adopted from the broker, resubmitted by its strategy: its side and
    /// multiplier now apply to what was booked.
    public mutating func adopt(_ intent: Volta_V1_OrderIntent) {
        self.intent = intent
        progress = progress?.with(buy: !isSell, multiplier: multiplier, legs: progressLegs)
    }

    /// Folds a broker status in; a terminal one ends the intent.
    public mutating func apply(_ s: Volta_V1_OrderStatus, quantity: Int64) {
        if progress == nil { progress = newProgress(quantity: quantity) }
        progress?.apply(status: Self.state(s.state), reason: s.reason)
        // A status that reports more filled than the fills seen (fills missed while down):
        // book the rest at the status's average price, once, so the quantities are right.
        if s.state == .filled, let p = progress, s.filledQuantity > p.filled {
            let fillID = "status-\(orderID)"
            progress?.apply(fillID: fillID, quantity: s.filledQuantity - p.filled, priceMicros: s.avgFillPriceMicros)
        }
        if stage != .stageDone { stage = progress?.state.isTerminal == true && !retrying ? .stageDone : .stageWorking }
        if !s.reason.isEmpty { reason = s.reason }
    }

    /// Folds one broker fill in; a combo's fill is one leg's, matched by instrument and side.
    public mutating func apply(_ f: Volta_V1_Fill) -> Bool {
        guard var p = progress else { return false }
        if p.legs.isEmpty {
            guard p.apply(fillID: f.fillID, quantity: f.quantity, priceMicros: f.priceMicros) else { return false }
        } else {
            let name = f.instrument.displayName
            guard let leg = intent?.legs.firstIndex(where: { $0.instrument.displayName == name && $0.side == f.side }),
                  p.apply(fillID: f.fillID, leg: leg, quantity: f.quantity, priceMicros: f.priceMicros) else { return false }
        }
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
    /// The algo and priority this attempt goes with: the intent's, or after an entry timeout
    /// the retry's Adaptive priority.
    var attemptAlgo: (algo: String, priority: String) {
        guard let intent else { return ("", "") }
        if attempt > 0, intent.hasTimeout, !intent.timeout.retryAlgoPriority.isEmpty { return ("adaptive", intent.timeout.retryAlgoPriority) }
        return (intent.algo, intent.algoPriority)
    }

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
        e.attempt = Int32(attempt)
        (e.algo, e.algoPriority) = attemptAlgo
        e.ocaGroup = intent?.ocaGroup ?? ""
        e.contractID = intent?.legs.first?.instrument.option.brokerID ?? 0
        e.updatedNs = now
        return e
    }
}
