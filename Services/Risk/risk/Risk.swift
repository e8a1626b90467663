import ArgumentParser
import RiskService
import Messages
import ServiceKit

/// `risk`: the pre-trade check, kill switch and portfolio risk on the bus.
@main
struct Risk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Volta's risk service: pre-trade checks, kill switch, portfolio greeks.")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        await ServiceMain.run(service: Topics.Service.risk, settings: RiskSettings.all, options: options) { context in
            [try RiskService(context: context)]
        }
    }
}
