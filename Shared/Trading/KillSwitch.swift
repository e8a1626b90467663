/// The risk service's master switch. REDUCING lets only closing orders through; HALTED also
/// stops adjustments. Exits and cancels always pass: a halt must never trap a losing position.
public enum KillSwitch: String, Sendable, CaseIterable {
    case active = "ACTIVE"
    case reducing = "REDUCING"
    case halted = "HALTED"
}

/// How an approved intent reaches the market: the seeds' "crawl, walk, run".
public enum OperatingMode: String, Sendable, CaseIterable {
    /// Crawl: every intent waits for an operator's confirmation.
    case confirm
    /// Walk: an intent goes out after a cancel window, with an alert, unless vetoed.
    case window
    /// Run: at once.
    case auto
}
