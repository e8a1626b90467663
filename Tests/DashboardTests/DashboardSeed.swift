import Bus
import Foundation
import Messages
import StopsStrategy
import TestSupport

/// A small book, published on the bus as the services would and recorded by the real recorder:
/// a long SPY call with an armed stop (open), a short put opened and bought back at a profit
/// (closed, exit reason TAKE_PROFIT), a working order, account values and marks.
enum DashboardSeed {
    /// 2026-11-20 15:00 New York.
    static let tradeTime: Int64 = 1_795_204_800_000_000_000

    static func option(_ right: Volta_V1_Right, _ strike: Int64) -> Volta_V1_Instrument { testOption(right, strike: strike) }

    static let call = option(.call, 600)
    static let put = option(.put, 580)

    /// Publishes the book; returns how many events the recorder should store.
    static func publish(on bus: Bus) -> Int {
        var count = 0
        func send(_ m: some BusMessage) { if bus.publish(m) { count += 1 } }
        func execution(_ intent: String, _ order: String, _ strategy: String, _ purpose: Volta_V1_IntentPurpose, _ i: Volta_V1_Instrument,
                       quantity: Int64, state: Volta_V1_OrderState, reason: String = "") {
            var e = Volta_V1_IntentExecution()
            e.intentID = intent
            e.orderID = order
            e.strategy = strategy
            e.purpose = purpose
            e.instrument = i.displayName
            e.account = "SIM1"
            e.quantity = quantity
            e.orderState = state
            e.stage = state == .submitted ? .stageWorking : .stageDone
            e.intentReason = reason
            e.limitPriceMicros = 6_000_000
            e.updatedNs = tradeTime
            send(e)
        }
        func fill(_ id: String, _ order: String, _ i: Volta_V1_Instrument, _ side: Volta_V1_Side, _ quantity: Int64, _ price: Double, at t: Int64) {
            var f = Volta_V1_Fill()
            f.fillID = id
            f.orderID = order
            f.instrument = i
            f.side = side
            f.quantity = quantity
            f.priceMicros = Int64(price * 1_000_000)
            f.commissionMicros = 650_000
            f.timeNs = t
            f.account = "SIM1"
            send(f)
        }
        execution("open-1", "o-1", "stops", .open, call, quantity: 2, state: .filled)
        fill("f-1", "o-1", call, .buy, 2, 5.00, at: tradeTime)
        execution("open-2", "o-2", "putseller", .open, put, quantity: 1, state: .filled)
        fill("f-2", "o-2", put, .sell, 1, 3.00, at: tradeTime)
        execution("close-2", "o-3", "putseller", .close, put, quantity: 1, state: .filled, reason: "take_profit")
        fill("f-3", "o-3", put, .buy, 1, 1.00, at: tradeTime + 3_600_000_000_000)
        execution("open-3", "o-4", "stops", .open, option(.call, 610), quantity: 1, state: .submitted)

        var p = Volta_V1_Position()
        p.account = "SIM1"
        p.instrument = call
        p.quantity = 2
        p.avgCostMicros = 5_000_000
        send(p)
        p.instrument = put
        p.quantity = 0
        p.avgCostMicros = 0
        p.realizedPnl = 198.7
        send(p)
        for (key, value) in [("NetLiquidation", 100_000.0), ("MaintMarginReq", 20_000.0), ("BuyingPower", 300_000.0)] {
            var v = Volta_V1_AccountValue()
            v.account = "SIM1"
            v.key = key
            v.valueMicros = Int64(value * 1_000_000)
            v.currency = "USD"
            send(v)
        }
        var stop = Volta_V1_StopState()
        stop.instance = "stops"
        stop.worker = "strategy-1"
        stop.instrument = call
        stop.account = "SIM1"
        stop.quantity = 2
        stop.below = true
        stop.stopLevel = 590
        stop.bestUnderlying = 601
        stop.underlyingPrice = 600.5
        stop.status = "armed"
        do { send(try stop.strategyState()) } catch { fatalError("the seed's stop did not encode: \(error)") }
        var spy = Volta_V1_UnderlyingQuote()
        spy.symbol = "SPY"
        spy.bid = 600.4
        spy.ask = 600.6
        send(spy)
        var q = Volta_V1_OptionQuote()
        q.contract = call.option
        q.bid = 5.9
        q.ask = 6.1
        send(q)
        var a = Volta_V1_OptionAnalytics()
        a.contract = call.option
        a.underlyingPrice = 600.5
        a.own.delta = 0.5
        a.own.gamma = 0.02
        a.own.theta = -36.5
        a.own.vega = 60
        a.own.iv = 0.18
        a.own.theo = 6
        send(a)
        return count
    }
}
