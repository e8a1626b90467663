import ArgumentParser
import Bus
import Foundation
import Messages
import ServiceKit

/// `tap health SERVICE INSTANCE`: the container health check. Healthy means the instance's own
/// heartbeat reached the bus within the window and says RUNNING: a process that is up but cut off
/// from the bus, hung, or degraded (say, its broker connection is down) is reported unhealthy.
struct Health: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Exit 0 when an instance heartbeats on the bus as RUNNING within the window, 1 otherwise.")

    @OptionGroup var options: ServiceOptions
    @Argument(help: "The service, e.g. strategy.") var service: String
    @Argument(help: "The instance, e.g. strategy-1 (default: the service name).") var instance: String?
    @Option(help: "How long to wait for a heartbeat, in ms.") var withinMs = 5_000

    func run() async throws {
        let context = await BusConnection.connectOrExit(tool: "tap", options: options)
        defer { context.bus.shutdown() }
        let bus = context.bus
        let topic = Topics.heartbeat(service: service, instance: instance ?? service)
        let state = await withTaskGroup(of: Volta_V1_ServiceState?.self) { group in
            group.addTask {
                for await hb in bus.subscribe(Volta_V1_Heartbeat.self, prefix: topic) where hb.topic == topic && hb.message.state == .running {
                    return hb.message.state
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(withinMs))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard state == .running else {
            print("\(topic): no RUNNING heartbeat within \(withinMs) ms")
            throw ExitCode(1)
        }
        print("\(topic): running")
    }
}
