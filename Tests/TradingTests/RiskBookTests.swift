import Messages
@testable import RiskService
import Testing
import Trading

@Suite("Risk service book: modes, idempotent decisions, greeks")
struct RiskBookTests {
    static let now: Int64 = 1_800_000_000_000_000_000

    func book(_ mode: OperatingMode = .auto) -> RiskBook {
        var b = RiskBook(limits: RiskLimits(), mode: mode, windowNs: 10_000_000_000)
        var nl = Volta_V1_AccountValue()
        nl.key = "NetLiquidation"
        nl.valueMicros = 100_000_000_000
        b.apply(nl, now: Self.now)
        b.price("SPY", 600)
        b.price("SPX", 6000)
        return b
    }

    func intent(_ id: String, purpose: Volta_V1_IntentPurpose = .open, quantity: Int64 = 1) -> Volta_V1_OrderIntent {
        var i = Volta_V1_OrderIntent()
        i.intentID = id
        i.purpose = purpose
        i.quantity = quantity
        var leg = Volta_V1_Leg()
        leg.instrument.option.underlying = "SPY"
        leg.instrument.option.expiry = "2026-12-18"
        leg.instrument.option.strikeMicros = 550_000_000
        leg.instrument.option.right = .put
        leg.instrument.option.multiplier = 100
        leg.side = .sell
        i.legs = [leg]
        return i
    }

    /// The account holds `quantity` of the intents' SPY 550 put.
    func hold(_ b: inout RiskBook, _ quantity: Int64) {
        var p = Volta_V1_Position()
        p.account = "SIM"
        p.instrument = intent("x").legs[0].instrument
        p.quantity = quantity
        b.apply(p)
    }

    /// The pricer values the intents' SPY 550 put at Δ −0.2.
    func valuePutAtDelta(_ b: inout RiskBook) {
        var a = Volta_V1_OptionAnalytics()
        a.contract = intent("x").legs[0].instrument.option
        a.own.delta = -0.2
        a.underlyingPrice = 600
        b.apply(a)
    }

    @Test("auto approves at once, and the same intent again is the same decision, counted once")
    func auto() {
        var b = book()
        // One SPY put, delta unknown (taken as 1): 100 × 600 = 60,000 > 25% of 100,000.
        let unknownDelta = b.check(intent("b"), now: Self.now).reasonCode == "MAX_POSITION_SHARE"
        #expect(unknownDelta)
        valuePutAtDelta(&b)
        let check1 = b.check(intent("a"), now: Self.now).verdict == .riskApproved
        #expect(check1)
        let check2 = b.check(intent("a"), now: Self.now).verdict == .riskApproved
        #expect(check2)
        #expect(b.state(now: Self.now).ordersLastMinute == 1)
        // Three: 3 × 0.2 × 100 × 600 = 36,000, 36% of net liquidation.
        let check3 = b.check(intent("c", quantity: 3), now: Self.now).reasonCode == "MAX_POSITION_SHARE"
        #expect(check3)
    }

    @Test("the pricer's delta sizes the exposure")
    func deltaExposure() {
        var b = book()
        valuePutAtDelta(&b)
        let check4 = b.check(intent("b"), now: Self.now).verdict == .riskApproved
        #expect(check4)
    }

    /// Short 3 SPY puts at Δ −0.2: +$36,000 of delta, 36% of net liquidation, over the 25% share.
    /// Buying one back (an OPEN intent, as a strategy rolling may send) nets it to $24,000 and
    /// passes; selling another grows it and is refused. Before, both counted as added exposure.
    @Test("an order that nets the underlying's delta down passes the exposure limits of a book over them")
    func nettingDownPasses() {
        var b = book()
        valuePutAtDelta(&b)
        var p = Volta_V1_Position()
        p.instrument = intent("x").legs[0].instrument
        p.quantity = -3
        b.apply(p)
        var buyBack = intent("buy-back")
        buyBack.legs[0].side = .buy
        #expect(b.check(buyBack, now: Self.now).verdict == .riskApproved)
        #expect(b.check(intent("sell-more"), now: Self.now).reasonCode == "MAX_POSITION_SHARE")
    }

    @Test("final decisions are forgotten a retention after they are first seen; pending ones stay")
    func decisionsAreForgotten() {
        var b = book(.confirm)
        valuePutAtDelta(&b)
        let hour: Int64 = 3_600_000_000_000
        #expect(b.check(intent("refused", quantity: 100), now: Self.now).verdict == .riskRejected)
        #expect(b.check(intent("waiting"), now: Self.now).verdict == .riskPendingConfirmation)
        #expect(b.prune(now: Self.now, keep: .seconds(86_400)) == 0)
        #expect(b.prune(now: Self.now + 24 * hour, keep: .seconds(86_400)) == 1)
        #expect(b.pendingIntentIDs == ["waiting"])
        // Forgotten, the same intent is decided afresh: here the kill switch now refuses it otherwise.
        b.killSwitch = .halted
        #expect(b.check(intent("refused", quantity: 100), now: Self.now + 24 * hour).reasonCode == "KILL_SWITCH_HALTED")
    }

    @Test("confirm mode waits for the operator; a confirmed intent is approved at its next check")
    func confirm() {
        var b = book(.confirm)
        hold(&b, 5)  // the closes sell some of 5 long puts
        let first = b.check(intent("c", purpose: .close), now: Self.now)
        #expect(first.verdict == .riskPendingConfirmation)
        #expect(b.state(now: Self.now).pendingIntentIds == ["c"])
        let check5 = b.check(intent("c", purpose: .close), now: Self.now + 5_000_000_000).verdict == .riskPendingConfirmation
        #expect(check5)
        let check6 = b.confirm("c")
        #expect(check6)
        let check7 = !b.confirm("unknown")
        #expect(check7)
        let check8 = b.check(intent("c", purpose: .close), now: Self.now + 6_000_000_000).verdict == .riskApproved
        #expect(check8)
    }

    @Test("window mode releases after the window unless vetoed")
    func window() {
        var b = book(.window)
        hold(&b, 5)  // the closes sell some of 5 long puts
        let d = b.check(intent("w", purpose: .close), now: Self.now)
        #expect(d.verdict == .riskPendingConfirmation)
        #expect(d.releaseAtNs == Self.now + 10_000_000_000)
        let check9 = b.check(intent("w", purpose: .close), now: Self.now + 9_000_000_000).verdict == .riskPendingConfirmation
        #expect(check9)
        let check10 = b.check(intent("w", purpose: .close), now: Self.now + 10_000_000_000).verdict == .riskApproved
        #expect(check10)

        _ = b.check(intent("v", purpose: .close), now: Self.now)
        let check11 = b.veto("v")?.reasonCode == "OPERATOR_VETO"
        #expect(check11)
        let check12 = b.check(intent("v", purpose: .close), now: Self.now + 20_000_000_000).verdict == .riskRejected
        #expect(check12)
        let check13 = b.veto("w") == nil
        #expect(check13)
    }

    @Test("a rejection is final: the kill switch going back to ACTIVE does not revive it")
    func rejectionFinal() {
        var b = book()
        hold(&b, 5)  // the closes sell some of 5 long puts
        b.killSwitch = .halted
        let check14 = b.check(intent("h", quantity: 1), now: Self.now).reasonCode == "KILL_SWITCH_HALTED"
        #expect(check14)
        let check15 = b.check(intent("exit", purpose: .close), now: Self.now).verdict == .riskApproved
        #expect(check15)
        b.killSwitch = .active
        let check16 = b.check(intent("h", quantity: 1), now: Self.now).verdict == .riskRejected
        #expect(check16)
    }

    @Test("day P&L from the day's first net liquidation; portfolio greeks beta-weighted to the index")
    func stateAndGreeks() {
        var b = book()
        var nl = Volta_V1_AccountValue()
        nl.key = "NetLiquidation"
        nl.valueMicros = 97_000_000_000
        b.apply(nl, now: Self.now + 1_000_000_000)
        var p = Volta_V1_Position()
        p.account = "SIM"
        p.instrument = intent("x").legs[0].instrument
        p.quantity = -2
        b.apply(p)
        var a = Volta_V1_OptionAnalytics()
        a.contract = p.instrument.option
        a.own.delta = -0.25
        a.own.gamma = 0.01
        a.underlyingPrice = 600
        b.apply(a)
        var stats = Volta_V1_UnderlyingStats()
        stats.symbol = "SPY"
        stats.beta = 1.0
        b.apply(stats)
        let s = b.state(now: Self.now + 2_000_000_000)
        #expect(s.dayPnl == -3_000)
        #expect(s.openPositions == 1)
        let g = s.greeks.first { $0.underlying == "SPY" }
        #expect(g?.delta == 50)         // −2 × 100 × −0.25
        #expect(g?.gamma == -2)
        #expect(g?.betaWeightedDelta == 5)  // 50 × 600 × 1 / 6000
        #expect(s.limits.contains { $0.name == "MAX_DAILY_LOSS" && $0.used == 3_000 })
    }

    @Test("a close is checked against held positions, and a combo's legs against their own underlyings")
    func closesAndCombos() {
        var b = book()
        b.killSwitch = .halted
        let notHeld = b.check(intent("nothing-held", purpose: .close), now: Self.now)
        #expect(notHeld.reasonCode == "CLOSE_WOULD_OPEN", "\(notHeld.detail)")
        hold(&b, 2)
        #expect(b.check(intent("flips", purpose: .close, quantity: 3), now: Self.now).reasonCode == "CLOSE_WOULD_OPEN")
        #expect(b.check(intent("closes", purpose: .close, quantity: 2), now: Self.now).verdict == .riskApproved)
        var other = intent("other-account", purpose: .close)
        other.account = "OTHER"
        #expect(b.check(other, now: Self.now).reasonCode == "CLOSE_WOULD_OPEN")

        // A QQQ and SPY combo: each leg's exposure lands on its own underlying.
        b.price("QQQ", 500)
        var combo = intent("combo")
        var qqq = combo.legs[0]
        qqq.instrument.option.underlying = "QQQ"
        qqq.side = .buy
        combo.legs.append(qqq)
        let shares = b.facts(combo).shares
        #expect(shares.map(\.underlying) == ["SPY", "QQQ"])
        #expect(shares.map(\.exposurePerUnit) == [60_000, 50_000])  // Δ unknown: 1 × 100 × price each
    }

    @Test("two closes of one position never flip it: each is checked against what the other leaves")
    func closesInFlight() {
        var b = book()
        hold(&b, 2)
        var stopExit = intent("stop-exit", purpose: .close, quantity: 2)
        stopExit.account = "SIM"
        #expect(b.check(stopExit, now: Self.now).verdict == .riskApproved)
        // An operator's flatten while the stop's exit works: together they would sell 4 of 2.
        var flatten = intent("flatten", purpose: .close, quantity: 2)
        flatten.account = "SIM"
        let refused = b.check(flatten, now: Self.now)
        #expect(refused.reasonCode == "CLOSE_WOULD_OPEN", "\(refused.detail)")
        // Half of the exit filled (and the position shows it): one more may close the rest, no more.
        b.apply(Volta_V1_IntentExecution.with { $0.intentID = "stop-exit"; $0.stage = .stageWorking; $0.filledQuantity = 1 })
        hold(&b, 1)
        var another = intent("another", purpose: .close, quantity: 1)
        another.account = "SIM"
        #expect(b.check(another, now: Self.now).reasonCode == "CLOSE_WOULD_OPEN", "the exit still has 1 to sell")
        // The exit ends with one unfilled (cancelled): that one is free to close again.
        b.apply(Volta_V1_IntentExecution.with { $0.intentID = "stop-exit"; $0.stage = .stageDone; $0.filledQuantity = 1 })
        var last = intent("last", purpose: .close, quantity: 1)
        last.account = "SIM"
        #expect(b.check(last, now: Self.now).verdict == .riskApproved)
        // Filled, flat, and opened again: the old close holds nothing back, even with no report.
        hold(&b, 0)
        hold(&b, 2)
        var fresh = intent("fresh", purpose: .close, quantity: 2)
        fresh.account = "SIM"
        #expect(b.check(fresh, now: Self.now).verdict == .riskApproved)
    }
}
