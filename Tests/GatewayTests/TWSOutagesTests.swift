import Testing
import TWS
@testable import GatewayService

/// The rules of what TWS says is broken behind its socket (the connectivity codes).
@Suite struct TWSOutagesTests {
    static func e(_ code: Int, _ message: String) -> TWSError { TWSError(reqId: -1, code: code, message: message) }

    @Test func eachBrokenCodeIsSaidUntilItsOwnOKAndOnlyAMarketDataFarmsReturnAsksAfresh() {
        var o = TWSOutages()
        // What TWS sends at every connect: nothing was broken, nothing mends.
        #expect(o.apply(Self.e(2104, "Market data farm connection is OK:usfarm")) == .nothing)
        #expect(o.apply(Self.e(2106, "HMDS data farm connection is OK:ushmds")) == .nothing && o.description == "")
        _ = o.apply(Self.e(2103, "Market data farm connection is broken:usfarm"))
        _ = o.apply(Self.e(2105, "HMDS data farm connection is broken:ushmds"))
        _ = o.apply(Self.e(2110, "Connectivity between TWS and server is broken. It will be restored automatically."))
        #expect(o.description == "TWS's connection to IB is broken (2110); historical data farm ushmds down (2105): history requests fail; "
                + "market data farm usfarm down (2103): quotes through it stop")
        #expect(o.apply(Self.e(2104, "Market data farm connection is OK:usopt")) == .nothing, "another farm's return mends nothing")
        #expect(o.apply(Self.e(2104, "Market data farm connection is OK:usfarm")) == .marketData)
        #expect(o.apply(Self.e(1102, "Connectivity between IB and TWS has been restored - data maintained.")) == .nothing)
        #expect(o.description == "historical data farm ushmds down (2105): history requests fail")
        _ = o.apply(Self.e(2106, "HMDS data farm connection is OK:ushmds"))
        _ = o.apply(Self.e(1100, "Connectivity between IB and Trader Workstation has been lost."))
        #expect(o.description == "TWS lost its connection to IB (1100)")
        _ = o.apply(Self.e(1101, "Connectivity between IB and TWS has been restored - data lost."))
        #expect(o.broken.isEmpty)
    }
}
