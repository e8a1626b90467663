import Bus
import BusDaemon
import BusZeroMQ
import Logging

/// A bus daemon on loopback ports of its own, and clients of it: every bus-level benchmark
/// measures through the real daemon.
enum BenchBus {
    static func startDaemon() throws -> (BusDaemon, BusEndpoints) {
        let any = BusEndpoints(publish: "tcp://127.0.0.1:*", subscribe: "tcp://127.0.0.1:*", broker: "tcp://127.0.0.1:*")
        let daemon = try BusDaemon(configuration: .init(bind: any), logger: Logger(label: "bench.bus"))
        return (daemon, try daemon.start())
    }

    static func connect(_ endpoints: BusEndpoints, _ name: String) throws -> Bus {
        let statistics = BusStatistics()
        let transport = try ZeroMQTransport(endpoints: endpoints, instance: name, statistics: statistics, logger: Logger(label: name))
        return Bus(identity: ServiceIdentity(service: "bench", instance: name, epoch: 1), transport: transport, statistics: statistics)
    }
}
