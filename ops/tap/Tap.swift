import ArgumentParser

/// `tap`: the bus sniffer and an operator's hands on the bus.
@main
struct Tap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch, record, replay and query the Volta bus.",
        subcommands: [Listen.self, Replay.self, Request.self, Watchdog.self, Health.self],
        defaultSubcommand: Listen.self)
}

