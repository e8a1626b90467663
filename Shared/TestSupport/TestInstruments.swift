import Messages

/// An equity option as tests write it: SPY, the 2026-12-18 expiry, a multiplier of 100.
public func testOption(_ right: Volta_V1_Right = .call, strike: Int64 = 600, underlying: String = "SPY",
                       expiry: String = "2026-12-18") -> Volta_V1_Instrument {
    var i = Volta_V1_Instrument()
    i.symbol = underlying
    i.option.underlying = underlying
    i.option.expiry = expiry
    i.option.strikeMicros = strike * 1_000_000
    i.option.right = right
    i.option.multiplier = 100
    return i
}
