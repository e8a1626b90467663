import ArgumentParser
import Foundation
import PricerService
import Messages
import ServiceKit

/// `pricer`: the pricing service on the bus (the default), and option pricing from the command
/// line (`pricer price`), so that anyone can check Volta against another library.
@main
struct Pricer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Volta's option pricer.", subcommands: [Serve.self, Price.self], defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the pricer service: IVs, surfaces, theos and greeks on the bus; price-at, IV and scenario requests.")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        await ServiceMain.run(service: Topics.Service.pricer, settings: PricerSettings.all, options: options) { context in
            [try PricerService(context: context)]
        }
    }
}

/// Reads JSON lines on stdin, writes one JSON line per input line, in order.
struct Price: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Price options or find implied volatilities: JSON lines in, JSON lines out.",
        discussion: """
        Input:  {"id":1,"op":"price"|"iv","model":"bs"|"black76"|"baw"|"bjs2002"|"bjs1993"|"crr"|"lr"|"merton"|"heston",
                 "type":"call"|"put","S":…,"K":…,"T":…,"r":…,"q":…,"sigma":…,"price":…, model fields}
        Output: {"id":1,"price":…,"delta":…,"gamma":…,"vega":…,"theta":…,"rho":…}, {"id":1,"iv":…} or {"id":1,"error":"…"}
        Units: vega per 1.00 of volatility, theta per year, rho per 1.00 of rate.
        """)

    func run() throws {
        while let line = readLine(strippingNewline: true) {
            if line.allSatisfy(\.isWhitespace) { continue }
            print(PriceLine.evaluate(line))
        }
    }
}
