import Messages
import StopsStrategy
import Testing
import Trading

@Suite("Strategy: the stop book")
struct StopBookTests {
    /// 2026-11-20 15:00 UTC (10:00 in New York): 28 days before the 2026-12-18 expiry.
    static let now: Int64 = 1_795_186_800_000_000_000

    func book(_ worker: String = "w1") -> StopBook {
        var b = StopBook(profile: .paper, instance: "stops", worker: worker)
        var spx = Volta_V1_UnderlyingStats()
        spx.symbol = "SPX"
        spx.vix = 22
        spx.beta = 1
        _ = b.apply(spx, now: Self.now)
        var spy = Volta_V1_UnderlyingStats()
        spy.symbol = "SPY"
        spy.beta = 1
        spy.vix = 22
        _ = b.apply(spy, now: Self.now)
        return b
    }

    func position(quantity: Int64, right: Volta_V1_Right = .call, strike: Int64 = 600) -> Volta_V1_Position {
        var p = Volta_V1_Position()
        p.account = "SIM1"
        p.instrument.option.underlying = "SPY"
        p.instrument.option.expiry = "2026-12-18"
        p.instrument.option.strikeMicros = strike * 1_000_000
        p.instrument.option.right = right
        p.instrument.option.multiplier = 100
        p.quantity = quantity
        p.avgCostMicros = 5_000_000
        return p
    }

    @Test("days to expiry in New York calendar days")
    func days() {
        #expect(StopBook.daysToExpiry("2026-12-18", now: Self.now) == 28)
        #expect(StopBook.daysToExpiry("2026-11-20", now: Self.now) == 0)
        #expect(StopBook.daysToExpiry("bad", now: Self.now) == nil)
    }

    @Test("a long call's stop trails the high; the cross fires once with a deterministic intent id")
    func longCall() throws {
        var b = book()
        _ = b.price("SPY", 600, now: Self.now)
        let s = try #require({ let v = b.apply(position(quantity: 2), now: Self.now); return v }())
        #expect(s.below)
        #expect(s.entryUnderlying == 600)
        // 28 days: m = 1.5; trail = 1.5 × 0.22/√252 = 2.08%, over the 4% floor? no: floored at 4%.
        #expect(s.trailFraction == 0.04)
        #expect(abs(s.stopLevel - 576) < 1e-9)
        _ = b.price("SPY", 610, now: Self.now)
        #expect(abs(try #require(b.stops.values.first).stopLevel - 585.6) < 1e-9)
        _ = b.price("SPY", 590, now: Self.now)
        #expect(b.stops.values.first?.status == "armed")
        let fired = b.price("SPY", 585.5, now: Self.now)
        #expect(fired.count == 1)
        #expect(fired.first?.status == "triggered")
        #expect(fired.first?.triggers == 1)
        let id = try #require(fired.first?.intentID)
        #expect(id == "stop-SIM1-SPY-2026-12-18-C600000000-c5000000-q2-t1")
        // A second worker fed the same stream computes the same id.
        var other = book("w2")
        _ = other.price("SPY", 600, now: Self.now)
        _ = other.apply(position(quantity: 2), now: Self.now)
        for p in [610.0, 590, 585.5] { _ = other.price("SPY", p, now: Self.now) }
        let check1 = other.stops.values.first?.intentID == id
        #expect(check1)
        // Still below: nothing fires again.
        let check2 = b.price("SPY", 580, now: Self.now).allSatisfy { $0.status != "triggered" || $0.intentID == id }
        #expect(check2)
    }

    @Test("a long put's stop sits above the low; a short put's below the high")
    func puts() throws {
        var b = book()
        _ = b.price("SPY", 600, now: Self.now)
        let longPut = try #require({ let v = b.apply(position(quantity: 1, right: .put), now: Self.now); return v }())
        #expect(!longPut.below)
        #expect(abs(longPut.stopLevel - 624) < 1e-9)
        let shortPut = try #require({ let v = b.apply(position(quantity: -1, right: .put, strike: 550), now: Self.now); return v }())
        #expect(shortPut.below)
        let fired = b.price("SPY", 625, now: Self.now)
        #expect(fired.filter { $0.status == "triggered" }.map(\.instrument.option.strikeMicros) == [600_000_000])
    }

    @Test("a cancelled exit re-arms the stop and the next cross is a new intent; a fill marks it exited")
    func rearm() throws {
        var b = book()
        _ = b.price("SPY", 600, now: Self.now)
        _ = b.apply(position(quantity: 2), now: Self.now)
        let first = try #require({ let v = b.price("SPY", 570, now: Self.now); return v.first?.intentID }())
        var e = Volta_V1_IntentExecution()
        e.intentID = first
        e.stage = .stageDone
        e.orderState = .cancelled
        let check3 = b.apply(e, now: Self.now)?.status == "armed"
        #expect(check3)
        _ = b.price("SPY", 580, now: Self.now)
        let second = try #require({ let v = b.price("SPY", 570, now: Self.now); return v.first { $0.status == "triggered" }?.intentID }())
        #expect(second != first)
        #expect(second.hasSuffix("-t2"))
        e.intentID = second
        e.orderState = .filled
        let check4 = b.apply(e, now: Self.now)?.status == "exited"
        #expect(check4)
        var flat = position(quantity: 0)
        flat.avgCostMicros = 0
        let check5 = b.apply(flat, now: Self.now)?.status == "closed"
        #expect(check5)
        #expect(b.stops.isEmpty)
    }

    @Test("a peer's state merges in: the better best level, the tighter stop, the later trigger")
    func merge() throws {
        var b = book()
        _ = b.price("SPY", 600, now: Self.now)
        _ = b.apply(position(quantity: 2), now: Self.now)
        var peer = try #require(b.stops.values.first)
        peer.worker = "w2"
        peer.bestUnderlying = 650
        peer.stopLevel = 624
        peer.triggers = 1
        peer.status = "triggered"
        peer.intentID = "stop-x-t1"
        b.merge(peer)
        let s = try #require(b.stops.values.first)
        #expect(s.bestUnderlying == 650)
        #expect(s.stopLevel == 624)
        #expect(s.intentID == "stop-x-t1")
        // Its own echo is ignored.
        var mine = s
        mine.worker = "w1"
        mine.stopLevel = 1
        b.merge(mine)
        #expect(b.stops.values.first?.stopLevel == 624)
    }

    @Test("without the VIX or a beta, stops wait instead of guessing; the profile's lists and minimum apply")
    func waiting() throws {
        var b = StopBook(profile: .paper, instance: "stops", worker: "w1")
        _ = b.price("SPY", 600, now: Self.now)
        let s = try #require({ let v = b.apply(position(quantity: 2), now: Self.now); return v }())
        #expect(s.status.hasPrefix("waiting"))
        let check6 = b.price("SPY", 100, now: Self.now).allSatisfy { $0.status != "triggered" }
        #expect(check6)

        var p = StopProfile.paper
        p.deny = ["SPY"]
        var denied = StopBook(profile: p, instance: "stops", worker: "w1")
        let check7 = denied.apply(position(quantity: 2), now: Self.now) == nil
        #expect(check7)
        p = .paper
        p.minQuantity = 5
        var small = StopBook(profile: p, instance: "stops", worker: "w1")
        let check8 = small.apply(position(quantity: 2), now: Self.now) == nil
        #expect(check8)
    }
}
