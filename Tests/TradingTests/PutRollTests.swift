import Foundation
import Messages
@testable import PutSellerStrategy
import StrategyKit
import Testing

/// ThetaGang's roll rules against worked examples, the put a roll goes to, and the put seller's
/// roll and assignment handling through its events (no bus).
@Suite struct PutRollTests {
    typealias F = PutSellerTests
    static let routine = F.monday0900 + 31 * F.minute

    @Test func theRulesWhenToRoll() {
        let r = PutRoll()
        func rolls(_ strike: Double, _ days: Int, _ captured: Double, _ rules: PutRoll = PutRoll()) -> Bool {
            if case .roll = rules.decide(strike: strike, spot: 600, days: days, captured: captured) { true } else { false }
        }
        #expect(rolls(540, 60, 0.95))          // 95% of the premium kept ≥ 90%
        #expect(!rolls(540, 60, 0.50))         // half kept, 60 days left: not yet
        #expect(rolls(540, 15, 0.10))          // 15 days ≤ 15 with a gain
        #expect(!rolls(540, 10, -0.20))        // 10 days, but at a loss: min_pnl 0
        #expect(!rolls(600, 60, 0.95))         // at the money counts as in the money: not rolled…
        var itm = r
        itm.itm = true
        #expect(rolls(610, 60, 0.95, itm))     // …unless ITM puts may roll
        #expect(!rolls(610, 60, 0.10, itm))    // (and then by the same P&L and DTE rules)
        var always = r
        always.alwaysWhenITM = true
        #expect(rolls(610, 60, -1.0, always))  // always_when_itm: whatever the P&L
        #expect(abs(PutRoll.capturedShare(sale: 2.00, mark: 0.20) - 0.9) < 1e-12)
        #expect(PutRoll.netLimitMicros(3.0549) == 3_050_000 && PutRoll.netLimitMicros(0.056) == 50_000)
        #expect(PutRoll.netLimitMicros(-7.351) == -7_360_000)   // a debit, paid up toward a fill
    }

    static let chain: [Volta_V1_OptionQuote] = {
        var quotes: [Volta_V1_OptionQuote] = []
        for (expiry, shift) in [("2027-02-05", 0.0), ("2027-03-12", 0.01), ("2027-05-07", 0.02)] {
            for (strike, delta, bid) in [(500 as Int64, -0.08, 1.40), (540, -0.14 - shift, 3.10), (550, -0.17, 3.90), (580, -0.30, 8.0)] {
                quotes.append(F.put(expiry, strike: strike, delta: delta, bid: bid, ask: bid + 0.10))
            }
        }
        return quotes
    }()

    @Test func theNewPutIsTheSalesChoiceWithinTheStrikeLimitAndTheCredit() throws {
        let selection = PutSelection(settings: PutSellerSettings.Values(), now: Self.routine)
        let roll = PutRoll()
        // Out of the money, 0.10 left of it: the sale's choice (95 days, delta −0.15: the 540),
        // for a credit of 3.15 − 0.10.
        let otm = F.put("2026-12-18", strike: 560, delta: -0.01, bid: 0.05, ask: 0.15)
        let pick = try #require(roll.target(from: otm, spot: 600, chain: Self.chain, selection: selection))
        #expect(pick.quote.contract.expiry == "2027-03-12" && pick.quote.contract.strikeMicros == 540_000_000)
        #expect(abs(pick.credit - 3.05) < 1e-9)
        // Struck at 530, the limit is 530 + 3.05: the 540 and 550 are above it, none qualifies.
        let low = F.put("2026-12-18", strike: 530, delta: -0.01, bid: 0.05, ask: 0.15)
        #expect(roll.target(from: low, spot: 600, chain: Self.chain, selection: selection) == nil)
        // In the money (610 over 600): not above the old strike, and no put brings a credit over
        // a 10.50 buy-back…
        let itm = F.put("2026-12-18", strike: 610, delta: -0.9, bid: 10.45, ask: 10.55)
        #expect(roll.target(from: itm, spot: 600, chain: Self.chain, selection: selection) == nil)
        // …unless debits are allowed: then the sale's choice, for a debit.
        var debit = roll
        debit.creditOnly = false
        let paid = try #require(debit.target(from: itm, spot: 600, chain: Self.chain, selection: selection))
        #expect(paid.quote.contract.strikeMicros == 540_000_000 && abs(paid.credit + 7.35) < 1e-9)
    }

    static func shortPut(_ strike: Int64, expiry: String, sale: Double) -> Volta_V1_Position {
        .with {
            $0.account = "SIM1"
            $0.instrument = .of(F.put(expiry, strike: strike, delta: 0, bid: 0, ask: 0).contract)
            $0.quantity = -1
            $0.avgCostMicros = Int64(sale * 1e6)
        }
    }

    @Test func aShortPutDueARollIsRolledAsOneComboWithItsExitsOnTheNewPut() throws {
        var s = F.seller()
        let context = F.context(Self.routine)
        let old = Self.shortPut(560, expiry: "2026-12-18", sale: 2.00)
        _ = s.handle(.position(old), context)
        _ = s.handle(.optionQuote(F.put("2026-12-18", strike: 560, delta: -0.01, bid: 0.05, ask: 0.15)), context)
        let actions = s.handle(.timer(id: "routine-SPY"), context)
        let submits = actions.compactMap { if case .submit(let i, _) = $0 { i } else { nil } }
        let roll = try #require(submits.first { $0.reason == "roll" }, "\(actions)")
        // 11 days left with 95% kept: rolled to the sale's choice, for the mids' difference.
        #expect(roll.intentID == "putseller-putseller-roll-\(Topics.key(old.instrument.displayName))-20261207")
        #expect(roll.purpose == .adjust && roll.quantity == 1 && roll.orderType == .limit && roll.priceAsGiven)
        #expect(roll.legs.map(\.side) == [.sell, .buy] && roll.legs[1].instrument == old.instrument)
        #expect(roll.legs[0].instrument.option.expiry == "2027-03-12" && roll.legs[0].instrument.option.strikeMicros == 540_000_000)
        #expect(roll.limitPriceMicros == 3_050_000)
        // The exits stand on the new put: 40% and 300% of its 3.15 mid, GTC, after the fill.
        #expect(roll.bracket.exitInstrument == roll.legs[0].instrument && roll.bracket.afterFill && roll.bracket.tif == .gtc)
        #expect(roll.bracket.takeProfitMicros == 1_260_000 && roll.bracket.stopLossMicros == 9_450_000)
        // The day's sale still goes (one short put is under the cap of five).
        #expect(submits.contains { $0.reason == "daily_put_sale" })
        // While the roll works, the next routine does not roll the put again.
        #expect(!s.handle(.timer(id: "routine-SPY"), context).contains { if case .submit(let i, _) = $0 { i.reason == "roll" } else { false } })
        let done = s.handle(.intentReport(.with {
            $0.intentID = roll.intentID; $0.strategy = "putseller"; $0.stage = .stageDone; $0.orderState = .filled
            $0.filledQuantity = 1; $0.avgFillPriceMicros = 3_050_000
        }), context)
        #expect(done.contains { if case .publish(let st) = $0 { st.status == "rolled" } else { false } })
    }

    /// At IB the roll's new put (months out) does not stream: the chain is asked, and the roll
    /// goes when it comes, with the day's sale.
    @Test func aRollWhoseNewPutDoesNotStreamWaitsForTheBrokersChain() throws {
        var s = F.seller()
        let context = F.context(Self.routine)
        let old = Self.shortPut(560, expiry: "2026-12-18", sale: 2.00)
        _ = s.handle(.position(old), context)
        s.chains["SPY"] = [:]
        _ = s.handle(.optionQuote(F.put("2026-12-18", strike: 560, delta: -0.01, bid: 0.05, ask: 0.15)), context)
        let first = s.handle(.timer(id: "routine-SPY"), context)
        #expect(!first.contains { if case .submit = $0 { true } else { false } }, "no roll and no sale before the chain")
        let id = try #require(first.lazy.compactMap { if case .askChain(let id, _, _) = $0 { id } else { nil } }.first)
        let answer = Volta_V1_OptionChainSnapshot.with {
            $0.underlying = "SPY"
            $0.quotes = [F.put("2027-03-12", strike: 540, delta: -0.15, bid: 3.10, ask: 3.20), F.put("2027-03-12", strike: 500, delta: -0.08, bid: 1.40, ask: 1.50)]
        }
        let came = s.handle(.chain(id: id, answer), context)
        let submits = came.compactMap { if case .submit(let i, _) = $0 { i } else { nil } }
        let roll = try #require(submits.first { $0.reason == "roll" }, "\(came)")
        #expect(roll.legs[0].instrument.option.expiry == "2027-03-12" && roll.legs[0].instrument.option.strikeMicros == 540_000_000)
        #expect(submits.contains { $0.reason == "daily_put_sale" })
        #expect(s.handle(.chain(id: id, answer), context).isEmpty, "an answer counts once")
    }

    /// With no put to roll into among what streams, the broker's chain is asked first (the roll
    /// waits, nothing is bought back); when it brings none either, the put is held, or bought back
    /// when `close_if_unable_to_roll` says so.
    @Test func withNoQualifyingPutItHoldsOrBuysBackWhenToldTo() throws {
        func run(_ closeIfUnable: Bool) -> [StrategyAction] {
            var s = F.seller { $0.roll.closeIfUnable = closeIfUnable }
            let context = F.context(Self.routine)
            _ = s.handle(.position(Self.shortPut(530, expiry: "2026-12-18", sale: 2.00)), context)
            _ = s.handle(.optionQuote(F.put("2026-12-18", strike: 530, delta: -0.01, bid: 0.05, ask: 0.15)), context)
            let first = s.handle(.timer(id: "routine-SPY"), context)
            let asked = first.compactMap { if case .askChain(let id, _, _) = $0 { id } else { nil } }
            #expect(asked == ["putseller-putseller-SPY-20261207"], "one ask, shared by the roll and the sale")
            #expect(first.contains { if case .publish(let st) = $0 { st.status == "selecting" && st.summary.contains("no put to roll into") } else { false } })
            #expect(!first.contains { if case .submit(let i, _) = $0 { i.purpose == .close } else { false } }, "nothing bought back before the chain")
            return first + s.handle(.chain(id: asked[0], .with { $0.underlying = "SPY" }), context)
        }
        let held = run(false)
        #expect(held.contains { if case .publish(let st) = $0 { st.status == "not rolled" } else { false } })
        #expect(!held.contains { if case .submit(let i, _) = $0 { i.purpose != .open } else { false } })
        let close = try #require(run(true).compactMap { if case .submit(let i, _) = $0, i.purpose == .close { i } else { nil } }.first)
        #expect(close.reason == "close_if_unable_to_roll" && close.legs[0].side == .buy && close.quantity == 1 && close.orderType == .limit)
    }

    @Test func assignedSharesAreSoldAtTheNextRoutineOrKept() throws {
        func run(keep: Bool) -> [StrategyAction] {
            var s = F.seller { $0.keepAssignedShares = keep }
            let context = F.context(Self.routine)
            let put = Self.shortPut(610, expiry: "2026-12-04", sale: 4.00).instrument
            _ = s.handle(.fill(.with { $0.instrument = put; $0.side = .buy; $0.quantity = 1; $0.orderID = "exercise" }), context)
            _ = s.handle(.position(.with { $0.account = "SIM1"; $0.instrument.symbol = "SPY"; $0.quantity = 150; $0.avgCostMicros = 610_000_000 }), context)
            return s.handle(.timer(id: "routine-SPY"), context)
        }
        // 150 held, 100 of them delivered: those 100 are sold at market; the other 50 are not its own.
        let sale = try #require(run(keep: false).compactMap { if case .submit(let i, _) = $0, !i.legs[0].instrument.hasOption { i } else { nil } }.first)
        #expect(sale.quantity == 100 && sale.legs[0].side == .sell && sale.orderType == .market && sale.reason == "assigned_shares")
        let kept = run(keep: true)
        #expect(!kept.contains { if case .submit(let i, _) = $0 { !i.legs[0].instrument.hasOption } else { false } })
        #expect(kept.contains { if case .publish(let st) = $0 { st.status == "kept" } else { false } })
    }
}
