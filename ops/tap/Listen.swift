import ArgumentParser
import Bus
import Foundation
import Messages
import ServiceKit

/// `tap` (`tap listen`): prints every message under the given prefixes, one per line.
struct Listen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print bus messages as they pass (the default).")

    @OptionGroup var options: ServiceOptions
    @Option(name: .customLong("topic"), help: "Topic prefix to watch (repeatable); everything by default.")
    var topics: [String] = []
    @Option(name: .customLong("type"), help: "Only these message types, e.g. Heartbeat or volta.v1.Fill (repeatable).")
    var types: [String] = []
    @Flag(help: "One JSON object per line.") var json = false
    @Flag(help: "Per-topic rates and gap counts every second instead of messages.") var stats = false
    @Option(help: "Also write every frame to this recording file.") var record: String?
    @Option(help: "Stop after this many messages.") var count: Int?
    @Option(help: "Stop after this many seconds.") var seconds: Double?

    func run() async throws {
        var wanted: Set<String> = []
        for t in types {
            guard let name = MessageRegistry.resolve(shortName: t) else {
                throw ValidationError("unknown message type '\(t)'; known: \(MessageRegistry.all.map { $0.protoMessageName }.sorted().joined(separator: ", "))")
            }
            wanted.insert(name)
        }
        let context = await BusConnection.connectOrExit(tool: "tap", options: options)
        let bus = context.bus
        let writer = try record.map(BusRecording.Writer.init(path:))
        let formatter = MessageFormatter(json: json)
        let table = StatsTable()
        let deadline = seconds.map { bus.clock.now() + Int64($0 * 1e9) }
        let limit = count
        let showStats = stats

        await withTaskGroup(of: Void.self) { group in
            let (merged, sink) = AsyncStream.makeStream(of: Received<Volta_V1_Envelope>.self, bufferingPolicy: .bufferingOldest(1 << 20))
            for prefix in topics.isEmpty ? [""] : topics {
                group.addTask {
                    for await item in bus.subscribeEnvelopes(prefix: prefix) { sink.yield(item) }
                }
            }
            if let deadline {
                group.addTask {
                    try? await bus.clock.sleep(for: .nanoseconds(max(0, deadline - bus.clock.now())))
                    sink.finish()
                }
            }
            if showStats {
                group.addTask {
                    while !Task.isCancelled {
                        try? await bus.clock.sleep(for: .seconds(1))
                        print(table.render(statistics: bus.statistics), terminator: "")
                        fflush(nil)
                    }
                }
            }
            var seen = 0
            for await item in merged {
                if let writer, let bytes = try? item.envelope.serializedBytes() as [UInt8] {
                    writer.append(.init(receivedNs: bus.clock.now(), frame: RawFrame(topic: item.topic, envelope: bytes)))
                }
                guard wanted.isEmpty || wanted.contains(item.envelope.type) else { continue }
                if showStats {
                    table.count(topic: item.topic, missed: item.missedBefore)
                } else {
                    print(formatter.line(topic: item.topic, envelope: item.envelope, missedBefore: item.missedBefore))
                    fflush(nil)
                }
                seen += 1
                if let limit, seen >= limit { break }
            }
            group.cancelAll()
        }
        writer?.close()
        if stats { print(table.render(statistics: bus.statistics), terminator: "") }
        bus.shutdown()
    }
}
