import Foundation
import TWS

/// What TWS says is broken behind a live socket, from its connectivity codes: TWS cut off from IB
/// (1100, 2110; mended by 1101 or 1102), a market data farm (2103; 2104 when it is back), the
/// historical data farm (2105; 2106) or the security definition farm (2157; 2158). TWS sends the
/// "OK" codes at every connect too; only one that follows its "broken" mends anything. Pure, so
/// the rules are tested without a socket; the adapter publishes ``description`` with its
/// connection and resubscribes when a market data farm comes back.
struct TWSOutages: Sendable, Equatable {
    /// What is broken, by what it is ("ib", "md:usfarm", …), as said to an operator.
    var broken: [String: String] = [:]

    enum Mended: Equatable {
        case nothing
        /// A market data farm is back: what streamed through it may have missed changes.
        case marketData
    }

    mutating func apply(_ e: TWSError) -> Mended {
        // "Market data farm connection is broken:usfarm": the farm is named after the colon.
        let farm = e.message.contains(":") ? e.message.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" : ""
        switch e.code {
        case 1100: broken["ib"] = "TWS lost its connection to IB (1100)"
        case 2110: broken["ib"] = "TWS's connection to IB is broken (2110)"
        case 1101, 1102: broken["ib"] = nil
        case 2103: broken["md:\(farm)"] = "market data farm \(farm) down (2103): quotes through it stop"
        case 2104: if broken.removeValue(forKey: "md:\(farm)") != nil { return .marketData }
        case 2105: broken["hmds:\(farm)"] = "historical data farm \(farm) down (2105): history requests fail"
        case 2106: broken["hmds:\(farm)"] = nil
        case 2157: broken["secdef:\(farm)"] = "security definition farm \(farm) down (2157): contract and chain lookups fail"
        case 2158: broken["secdef:\(farm)"] = nil
        default: break
        }
        return .nothing
    }

    /// TWS's own link to IB first (everything else follows from it), then the farms by name.
    var description: String {
        broken.sorted { ($0.key == "ib" ? 0 : 1, $0.key) < ($1.key == "ib" ? 0 : 1, $1.key) }.map(\.value).joined(separator: "; ")
    }
}
