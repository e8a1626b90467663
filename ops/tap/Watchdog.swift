import ArgumentParser
import Bus
import Foundation
import Messages
import ServiceKit

/// `tap watchdog`: restarts processes whose heartbeats stopped.
///
/// supervisord restarts a process that exits; this catches the one that hangs. It runs as a
/// supervisord program beside the others: an instance seen heartbeating whose heartbeat is then
/// late by `--stale-factor` periods (and at least `--min-stale-ms`) gets the restart command, with
/// `{instance}` replaced by its name (supervisord program names are the instance names). A
/// node's members (`<node>.<service>`, `volta-node`) are one process: the node is restarted, once.
struct Watchdog: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Restart processes whose heartbeats stopped.")

    @OptionGroup var options: ServiceOptions
    @Option(help: "Shell command that restarts one instance; {instance} is replaced.")
    var restartCommand = "supervisorctl restart {instance}"
    @Option(help: "Heartbeat periods of silence before a restart.") var staleFactor = 5.0
    @Option(help: "Never restart before this much silence, in ms.") var minStaleMs = 5_000
    @Option(help: "After a restart, wait this long (ms) before judging the instance again.") var graceMs = 15_000

    func run() async throws {
        let context = await BusConnection.connectOrExit(tool: "watchdog", options: options)
        let bus = context.bus
        let tracker = HeartbeatTracker(staleFactor: staleFactor, minStaleNs: Int64(minStaleMs) * 1_000_000, graceNs: Int64(graceMs) * 1_000_000)
        let command = restartCommand
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await hb in bus.subscribe(Volta_V1_Heartbeat.self, prefix: Topics.Prefix.heartbeats) {
                    tracker.observe(hb.message, now: bus.clock.now())
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await bus.clock.sleep(for: .seconds(1))
                    var stale = tracker.stale(now: bus.clock.now()).filter { $0 != bus.identity.instance }
                    // Heartbeats reach us through the bus: when the bus hangs, everyone looks
                    // silent. Restart the bus alone; the others were never hung.
                    if stale.contains("bus") { stale = ["bus"] }
                    let processes = Set(stale.map { $0.split(separator: ".", maxSplits: 1).first.map(String.init) ?? $0 })
                    for instance in processes.sorted() {
                        let shell = command.replacingOccurrences(of: "{instance}", with: instance)
                        FileHandle.standardError.write(Data("watchdog: heartbeat of \(instance) stopped; running: \(shell)\n".utf8))
                        let process = Process()
                        process.executableURL = URL(fileURLWithPath: "/bin/sh")
                        process.arguments = ["-c", shell]
                        try? process.run()
                        process.waitUntilExit()
                    }
                }
            }
        }
    }
}
