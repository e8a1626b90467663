import Foundation
import Messages
import StrategyKit
import StrategyService
import Testing
@testable import TimedBracketStrategy

/// The example plug-in's close before expiry, with no bus: only what its entries bought, only
/// within `closeDays`, once per contract while the close works, again the next session if the
/// day's close ended unfilled.
@Suite struct TimedBracketTests {
    /// 2026-12-07, a Monday: 09:00 New York (14:00 UTC).
    static let monday0900: Int64 = 1_796_652_000_000_000_000
    static let hour: Int64 = 3_600_000_000_000

    static func context(_ now: Int64) -> StrategyContext {
        StrategyContext(now: now, worker: "w1", calendar: NYSEExchangeCalendar()) { _ in true }
    }

    static func call(_ expiry: String, _ strike: Int64) -> Volta_V1_Instrument {
        .with {
            $0.symbol = "SPY"
            $0.option = .with { o in o.underlying = "SPY"; o.expiry = expiry; o.strikeMicros = strike * 1_000_000; o.right = .call; o.multiplier = 100 }
        }
    }

    static func submits(_ actions: [StrategyAction]) -> [Volta_V1_OrderIntent] {
        actions.compactMap { if case let .submit(i, _) = $0 { i } else { nil } }
    }

    static func timers(_ actions: [StrategyAction]) -> [Int64] {
        actions.compactMap { if case let .timer("expiry-check", at) = $0 { at } else { nil } }
    }

    @Test func itClosesWhatItBoughtWithinCloseDaysOnceAndAgainNextSessionIfUnfilled() throws {
        var settings = TimedBracket.Settings()
        settings.closeDays = 5
        settings.bracket = false
        var s = TimedBracket(settings: settings)
        let tenAM = Self.monday0900 + Self.hour
        #expect(Self.timers(s.handle(.start, Self.context(Self.monday0900))) == [tenAM])

        let near = Self.call("2026-12-11", 600), other = Self.call("2026-12-11", 610), far = Self.call("2026-12-31", 600)
        for (i, instrument) in [near, other, far].enumerated() {
            _ = s.handle(.position(.with { $0.account = "SIM1"; $0.instrument = instrument; $0.quantity = 2; $0.avgCostMicros = 3_000_000 }),
                         Self.context(Self.monday0900 + Int64(i)))
        }
        // Its entries bought `near` and `far`; `other` is someone else's.
        for (id, instrument) in [("e1", near), ("e2", far)] {
            _ = s.handle(.intentReport(.with {
                $0.intentID = id; $0.stage = .stageDone; $0.orderState = .filled; $0.filledQuantity = 2; $0.instrument = instrument.displayName
            }), Self.context(Self.monday0900))
        }

        let check = s.handle(.timer(id: "expiry-check"), Self.context(tenAM))
        let close = try #require(Self.submits(check).first)
        #expect(Self.submits(check).count == 1)
        #expect(close.purpose == .close && close.legs[0].instrument == near && close.legs[0].side == .sell && close.quantity == 2)
        #expect(close.reason == "closed_before_expiry" && close.account == "SIM1" && close.intentID.hasSuffix("-20261207"))
        #expect(Self.timers(check) == [tenAM + 24 * Self.hour])
        // While it works, no second close.
        #expect(Self.submits(s.handle(.timer(id: "expiry-check"), Self.context(tenAM + 2 * Self.hour))).isEmpty)
        // The day order ended unfilled: the next session sends a new one, with a new id.
        _ = s.handle(.intentReport(.with {
            $0.intentID = close.intentID; $0.stage = .stageDone; $0.orderState = .cancelled; $0.instrument = near.displayName
        }), Self.context(tenAM + 7 * Self.hour))
        let retry = try #require(Self.submits(s.handle(.timer(id: "expiry-check"), Self.context(tenAM + 24 * Self.hour))).first)
        #expect(retry.intentID.hasSuffix("-20261208") && retry.legs[0].instrument == near)
        // Filled: the position is gone, nothing more to close.
        _ = s.handle(.position(.with { $0.account = "SIM1"; $0.instrument = near; $0.quantity = 0 }), Self.context(tenAM + 25 * Self.hour))
        _ = s.handle(.intentReport(.with {
            $0.intentID = retry.intentID; $0.stage = .stageDone; $0.orderState = .filled; $0.filledQuantity = 2; $0.instrument = near.displayName
        }), Self.context(tenAM + 25 * Self.hour))
        #expect(Self.submits(s.handle(.timer(id: "expiry-check"), Self.context(tenAM + 48 * Self.hour))).isEmpty)
    }

    @Test func withoutCloseDaysItSetsNoCheck() {
        var s = TimedBracket(settings: TimedBracket.Settings())
        #expect(Self.timers(s.handle(.start, Self.context(Self.monday0900))).isEmpty)
    }
}
