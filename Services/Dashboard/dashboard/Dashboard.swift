import ArgumentParser
import DashboardService
import Messages
import ServiceKit

/// `dashboard`: the web page and HTTP API over the recorder and the bus.
@main
struct Dashboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Volta's dashboard: positions, greeks, risk, P&L and trades in a browser.")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        await ServiceMain.run(service: Topics.Service.dashboard, settings: DashboardSettings.all, options: options) { context in
            [try DashboardService(context: context)]
        }
    }
}
