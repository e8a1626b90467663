import ArgumentParser
import Bus
import Foundation
import GatewayService
import Logging
import Market
import TWSimServer

/// `twsim`: a TWS-protocol server over Volta's simulated market, for the gateway's `ibkr`
/// adapter and any IB API client, offline. SIGUSR1 drops every client connection (orders and
/// positions stay), as a network failure between a client and TWS would.
@main
struct TWSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A TWS API server over the simulated market: handshake, accounts, positions, market data with greeks, contracts, option chains, history and orders.")

    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on (7497 is TWS's paper port; 0 picks a free one).") var port = 7497
    @Option(help: "A scenario file (YAML); none runs the default market.") var scenario: String?
    @Option(name: .customLong("tick-ms"), help: "How often the market advances, in milliseconds.") var tickMilliseconds = 250
    @Option(name: .customLong("account-ms"), help: "How often positions and account values are republished, in milliseconds.")
    var accountMilliseconds = 5_000
    @Option(help: "The account id twsim reports: a paper id (DU…), which the gateway trades without live settings.")
    var account = "DU1234567"
    @Option(help: "trace, debug, info, notice, warning or error.") var logLevel = "info"
    @Option(help: "Append every new order and every fill to this file, one JSON object a line: the broker's side of a reconciliation.")
    var audit: String?
    @Option(name: .customLong("clock-offset-s"), help: "Start the market this many seconds from now (the stack's clock.offset_s), instead of the scenario's start.")
    var clockOffsetSeconds: Double?

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard (1...60_000).contains(tickMilliseconds) else { throw ValidationError("--tick-ms must be 1…60000") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level '\(logLevel)' is not a level") }
    }

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "twsim")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        var market: Scenario
        do { market = try scenario.map(ScenarioLoader.load) ?? Scenario() } catch {
            FileHandle.standardError.write(Data("twsim: --scenario: \(error)\n".utf8))
            throw ExitCode(2)
        }
        market.account.id = account
        if let offset = clockOffsetSeconds { market.start = WallClock().now() + Int64((offset * 1e9).rounded()) }
        let adapter = try SimAdapter(scenario: market, tick: .milliseconds(tickMilliseconds),
                                     accountInterval: .milliseconds(accountMilliseconds))
        let server = try TWSimServer(adapter: adapter, host: host, port: port, logger: logger, audit: try audit.map(TWSimAudit.init(path:)),
                                     behaviour: market.tws)
        signal(SIGUSR1, SIG_IGN)
        let drop = DispatchSource.makeSignalSource(signal: SIGUSR1)
        drop.setEventHandler { server.dropClients() }
        drop.resume()
        let stop = Task { await server.run() }
        for signalNumber in [SIGINT, SIGTERM] { signal(signalNumber, SIG_IGN) }
        let stops = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0) }
        for s in stops {
            s.setEventHandler { [logger] in
                logger.notice("stopping on a signal")
                // Closes the listener and every client, then ends the process: a client's session
                // blocked in a read, or the accept thread, must not keep twsim alive (Ctrl-C used to
                // do nothing). The audit file is written line by line, unbuffered: nothing is lost.
                stop.cancel()
                server.stop()
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { Foundation.exit(0) }
            }
            s.resume()
        }
        // The port on stdout, so a test that asked for port 0 learns which one it got; printed once
        // the signals are handled, so a signal sent on reading it is not lost.
        FileHandle.standardOutput.write(Data("twsim listening on \(host):\(server.port)\n".utf8))
        await stop.value
        drop.cancel()
    }
}
