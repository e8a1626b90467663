import ArgumentParser
import GatewayService
import Messages
import ServiceKit

/// `gateway`: the broker connection (the simulated market by default) on the bus.
@main
struct Gateway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Volta's broker gateway: quotes, orders, fills, positions and account values between a broker and the bus.")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        await ServiceMain.run(service: Topics.Service.gateway, settings: GatewaySettings.all, options: options) { context in
            [try GatewayService(context: context)]
        }
    }
}
