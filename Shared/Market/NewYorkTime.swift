import Foundation

/// Instants (nanoseconds since 1970, UTC) to and from New York wall time, where the exchange's
/// sessions and expiries are defined. Daylight saving comes from the system's zoneinfo (tzdata).
public struct NewYorkTime: Sendable {
    public static let zone = TimeZone(identifier: "America/New_York") ?? TimeZone(secondsFromGMT: -5 * 3600)!

    /// The instant of `minute` minutes after midnight, New York time, on `date`.
    public static func instant(_ date: CivilDate, minute: Int) -> Int64 {
        let localSeconds = Int64(date.dayNumber) * 86_400 + Int64(minute) * 60
        // The offset at the guessed UTC instant, then once more at the corrected one: right
        // except inside the skipped hour of a DST change, which no session touches.
        var offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(localSeconds))))
        offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(localSeconds - offset))))
        return (localSeconds - offset) * 1_000_000_000
    }

    /// The New York date and minute of the day of an instant.
    public static func local(_ ns: Int64) -> (date: CivilDate, minute: Int) {
        let seconds = ns / 1_000_000_000
        let local = seconds + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds))))
        let day = Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
        return (CivilDate(dayNumber: day), Int(local - Int64(day) * 86_400) / 60)
    }
}
