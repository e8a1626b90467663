import ArgumentParser
import Bus
import Foundation
import Messages
import ServiceKit

/// `tap replay FILE`: prints a recording, or publishes it back onto the bus with its timing.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a recording, or publish it onto the bus again.")

    @OptionGroup var options: ServiceOptions
    @Argument(help: "A file written by tap --record.") var file: String
    @Flag(help: "Publish the frames onto the bus (as recorded, envelopes unchanged) instead of printing them.")
    var publish = false
    @Option(help: "Replay speed against the recorded timing; 0 publishes as fast as possible.") var speed = 1.0
    @Flag(help: "Print as JSON.") var json = false

    func run() async throws {
        let (records, truncated) = try BusRecording.read(path: file)
        if truncated { FileHandle.standardError.write(Data("tap: \(file) ends in a partial record; replaying the \(records.count) complete ones\n".utf8)) }
        let formatter = MessageFormatter(json: json)
        guard publish else {
            for record in records {
                guard let envelope = try? Volta_V1_Envelope(serializedBytes: record.frame.envelope) else {
                    print("<malformed frame on \(record.frame.topic)>")
                    continue
                }
                print(formatter.line(topic: record.frame.topic, envelope: envelope, missedBefore: 0))
            }
            return
        }
        let context = await BusConnection.connectOrExit(tool: "tap", options: options)
        let bus = context.bus
        // Let the PUB socket connect and subscriptions propagate before the first frame.
        try await bus.clock.sleep(for: .milliseconds(300))
        let start = bus.clock.now()
        let first = records.first?.receivedNs ?? 0
        for record in records {
            if speed > 0 {
                let due = start + Int64(Double(record.receivedNs - first) / speed)
                let wait = due - bus.clock.now()
                if wait > 0 { try await bus.clock.sleep(for: .nanoseconds(wait)) }
            }
            _ = bus.transport.publish(record.frame)
        }
        try await bus.clock.sleep(for: .milliseconds(300))
        print("replayed \(records.count) frames")
        bus.shutdown()
    }
}
