/// The years a date from outside (an expiry, a query, a manual trade) may name. Nanoseconds since
/// 1970 overflow Int64 before 1678 and after 2262: fuzzed dates in 0896, 1637 and 3436 crashed the
/// recorder, the dashboard and execution before every entrance checked this one range.
public enum SupportedYears {
    public static let range: ClosedRange<Int> = 1900...2200
    /// "1900 to 2200", for error messages.
    public static let description = "\(range.lowerBound) to \(range.upperBound)"
}
