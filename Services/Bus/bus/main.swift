import Bus
import BusDaemon
import BusZeroMQ
import Messages
import ServiceKit

/// `bus`: the XSUB/XPUB forwarder and the service broker. Every other process connects here.
let bind = Setting<String>.text(
    "bus.bind", default: "", accepted: "empty (bind where bus.endpoint points) or a bus address such as tcp://0.0.0.0",
    help: "Where the daemon binds, when it differs from where clients connect."
) { $0.isEmpty || (try? BusEndpoints.parse($0)) != nil }
let grace = Setting<Int>.integer(
    "bus.startup_grace_ms", default: 3_000, in: 0...60_000,
    help: "After a start, how long requests for unknown services wait for workers to re-register.")
let queueLimit = Setting<Int>.integer(
    "bus.queue_limit", default: 10_000, in: 1...1_000_000, help: "Requests queued per service before new ones are refused.")

await ServiceMain.run(service: Topics.Service.bus, settings: [bind, grace, queueLimit]) { context in
    let config = context.configuration
    let bindText = try config.value(bind)
    let endpoints = try BusEndpoints.parse(bindText.isEmpty ? try config.value(CommonSettings.busEndpoint) : bindText)
    let options = try CommonSettings.socketOptions(config, server: true)
    let expiry = Duration.milliseconds(Int64(options.brokerHeartbeatMilliseconds) * Int64(options.brokerLiveness))
    let daemon = try BusDaemon(configuration: .init(
        bind: endpoints, socketOptions: options,
        routing: .init(workerExpiry: expiry, startupGrace: .milliseconds(try config.value(grace)), queueLimit: try config.value(queueLimit))),
        logger: context.logger)
    context.counters.add(daemon.counters)
    return [BusDaemonService(daemon: daemon)]
}
