import ArgumentParser
import Market
import MarketdataService
import Messages
import ServiceKit

/// `marketdata`: the validated market on the bus (the default), and the NYSE calendar.
@main
struct Marketdata: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Volta's market data service.", subcommands: [Serve.self, Calendar.self], defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the service: validated quotes, chains, realized vol, ATR and betas; snapshots for late joiners.")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        await ServiceMain.run(service: Topics.Service.marketdata, settings: MarketdataSettings.all, options: options) { context in
            [try MarketdataService(context: context)]
        }
    }
}

/// One JSON line per NYSE session, New York times.
struct Calendar: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the NYSE sessions between two dates: {\"date\":\"YYYY-MM-DD\",\"open\":\"HH:MM\",\"close\":\"HH:MM\"} per line.")

    @Option(help: "The first date, YYYY-MM-DD.") var from: String
    @Option(help: "The last date, YYYY-MM-DD (inclusive).") var to: String

    func validate() throws {
        guard CivilDate(from) != nil else { throw ValidationError("--from '\(from)' is not a date YYYY-MM-DD") }
        guard CivilDate(to) != nil else { throw ValidationError("--to '\(to)' is not a date YYYY-MM-DD") }
    }

    func run() throws {
        var out = ""
        for session in NYSECalendar().sessions(from: CivilDate(from)!, through: CivilDate(to)!) {
            out += session.jsonLine
            out += "\n"
        }
        print(out, terminator: "")
    }
}
