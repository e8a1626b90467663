import Foundation
import GRDB

/// Opening the recorder's database and backing it up.
public enum RecorderDatabase {
    /// Opens (creating if needed) and migrates the database at `path`, in WAL mode. With
    /// `fullSync`, every commit is fsynced (survives a power loss); otherwise a commit survives
    /// the recorder's own crash, which is what an acknowledgement promises by default.
    public static func open(path: String, fullSync: Bool = false) throws -> DatabasePool {
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(fullSync ? "FULL" : "NORMAL")")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let pool = try DatabasePool(path: path, configuration: config)
        try RecorderSchema.migrator.migrate(pool)
        return pool
    }

    /// A consistent copy of the live database through SQLite's online backup API, written under
    /// a temporary name and renamed, so a backup file is always whole; keeps the newest `keep`.
    @discardableResult
    public static func backup(_ pool: DatabasePool, to directory: String, keep: Int, now: Int64) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let stamp = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(now) / 1e9))
            .replacingOccurrences(of: ":", with: "")
        let file = "\(directory)/volta-\(stamp).sqlite"
        let partial = file + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        let target = try DatabaseQueue(path: partial)
        try pool.backup(to: target)
        try target.close()
        try? FileManager.default.removeItem(atPath: file)
        try FileManager.default.moveItem(atPath: partial, toPath: file)
        let backups = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasPrefix("volta-") && $0.hasSuffix(".sqlite") }.sorted()
        for old in backups.dropLast(keep) { try? FileManager.default.removeItem(atPath: "\(directory)/\(old)") }
        return file
    }
}
