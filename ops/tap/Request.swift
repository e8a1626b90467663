import ArgumentParser
import Bus
import Foundation
import Messages
import ServiceKit
import SwiftProtobuf

/// `tap request SERVICE TYPE JSON`: sends one request and prints the reply, for operators.
struct Request: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send one request to a service and print its reply.",
        discussion: "Example: tap request probe ProbeIncrement '{\"client\":\"ops\"}'")

    @OptionGroup var options: ServiceOptions
    @Argument(help: "The service, e.g. risk.") var service: String
    @Argument(help: "The request's message type, e.g. ProbeIncrement.") var type: String
    @Argument(help: "The request as protobuf JSON.") var body = "{}"
    @Option(help: "Milliseconds per attempt.") var timeoutMs = 2_000
    @Option(help: "Retries after the first attempt.") var retries = 2
    @Flag(help: "Print the reply as one JSON object.") var json = false

    func run() async throws {
        guard let name = MessageRegistry.resolve(shortName: type), let messageType = MessageRegistry.type(named: name) else {
            throw ValidationError("unknown message type '\(type)'")
        }
        let message: any BusMessage
        do { message = try messageType.init(jsonString: body) } catch {
            throw ValidationError("'\(body)' is not a valid \(name) in protobuf JSON: \(error)")
        }
        let context = await BusConnection.connectOrExit(tool: "tap", options: options)
        defer { context.bus.shutdown() }
        do {
            let reply = try await context.bus.requestEnvelope(service: service, message, timeout: .milliseconds(timeoutMs), retries: retries)
            print(MessageFormatter(json: json).line(topic: service, envelope: reply, missedBefore: 0))
        } catch {
            FileHandle.standardError.write(Data("tap: \(error)\n".utf8))
            throw ExitCode(3)
        }
    }
}
