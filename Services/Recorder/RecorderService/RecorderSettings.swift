import ServiceKit

/// The `recorder.*` keys.
public enum RecorderSettings {
    public static let path = Setting<String>.text(
        "recorder.path", default: "volta.sqlite", accepted: "a file path", help: "The SQLite database (WAL mode: -wal and -shm files sit beside it).")
    public static let batchMaximum = Setting<Int>.integer(
        "recorder.batch_max", default: 20_000, in: 1...1_000_000, help: "Events written in one transaction at most.")
    public static let batchMilliseconds = Setting<Int>.integer(
        "recorder.batch_ms", default: 10, in: 0...10_000, help: "How long the first event of a batch may wait for others before the commit.")
    public static let synchronous = Setting<String>.choice(
        "recorder.synchronous", default: "normal", of: ["normal", "full"],
        help: "normal: a commit survives the recorder's crash; full: also a power loss (an fsync per commit).")
    public static let snapshotSeconds = Setting<Int>.integer(
        "recorder.snapshot_s", default: 60, in: 0...86_400, help: "Period of position snapshots and P&L history (0: never).")
    public static let backupDirectory = Setting<String>.text(
        "recorder.backup_dir", default: "", accepted: "a directory, or empty for no backups", help: "Where online backups go.")
    public static let backupSeconds = Setting<Int>.integer(
        "recorder.backup_s", default: 3_600, in: 60...604_800, help: "Period of online backups (SQLite's backup API) when recorder.backup_dir is set.")
    public static let backupKeep = Setting<Int>.integer(
        "recorder.backup_keep", default: 24, in: 1...10_000, help: "Backups kept; older ones are deleted.")
    public static let bufferLimit = Setting<Int>.integer(
        "recorder.buffer", default: 1_000_000, in: 1_000...100_000_000, help: "Events received but not yet written before the bus counts drops.")

    public static let all: [any AnySetting] = [path, batchMaximum, batchMilliseconds, synchronous, snapshotSeconds,
                                               backupDirectory, backupSeconds, backupKeep, bufferLimit]
}
