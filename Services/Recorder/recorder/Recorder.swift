import ArgumentParser
import Foundation
import GRDB
import Messages
import RecorderService
import ServiceKit

/// `recorder`: every bus message into SQLite, its projections, and queries over req/rep.
/// `recorder export <query>` writes a query's rows as CSV from a database file, without the bus.
@main
struct Recorder: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Volta's recorder: the SQLite event log, projections and queries.",
        subcommands: [Serve.self, Export.self], defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Record the bus (the default).")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        await ServiceMain.run(service: Topics.Service.recorder, settings: RecorderSettings.all, options: options) { context in
            [try RecorderService(context: context)]
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a named query as CSV: \(RecorderQueries.names.joined(separator: ", ")).")

    @Argument(help: "The query's name.") var query: String
    @Option(help: "The database file.") var db = "volta.sqlite"
    @Option(name: .customLong("param"), help: ArgumentHelp("A parameter (repeatable), e.g. --param from=2026-11-01.", valueName: "key=value"))
    var parameters: [String] = []
    @Option(help: "At most this many rows.") var limit = 100_000

    func run() throws {
        var q = Volta_V1_RecorderQuery()
        q.name = query
        q.limit = Int32(clamping: limit)
        for p in parameters {
            guard let eq = p.firstIndex(of: "=") else { throw ValidationError("--param takes key=value, got '\(p)'") }
            q.parameters[String(p[..<eq])] = String(p[p.index(after: eq)...])
        }
        guard FileManager.default.fileExists(atPath: db) else { throw ValidationError("no database at \(db)") }
        var config = Configuration()
        config.readonly = true
        let pool = try DatabasePool(path: db, configuration: config)
        do {
            let table = try pool.read { try RecorderQueries.run(q, now: Int64(Date().timeIntervalSince1970 * 1e9), $0) }
            FileHandle.standardOutput.write(Data(RecorderQueries.csv(table).utf8))
        } catch let error as QueryError {
            throw ValidationError(error.description)
        }
    }
}
