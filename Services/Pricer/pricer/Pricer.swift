import ArgumentParser
import Foundation
import PricerService

/// `pricer`: option pricing from the command line (`pricer price`); the bus service arrives
/// with the rest of issue 3.
@main
struct Pricer: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Volta's option pricer.", subcommands: [Price.self])
}

/// Reads JSON lines on stdin, writes one JSON line per input line, in order.
struct Price: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Price options or find implied volatilities: JSON lines in, JSON lines out.",
        discussion: """
        Input:  {"id":1,"op":"price"|"iv","model":"bs"|"black76","type":"call"|"put","S":…,"K":…,"T":…,"r":…,"q":…,"sigma":…,"price":…}
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
