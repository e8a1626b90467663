import ArgumentParser
import ServiceKit
import StrategyService

/// `strategy`: a strategy worker (run N of them; they share the underlyings).
@main
struct Strategy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A Volta strategy worker: the volatility-aware trailing stop manager.")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        await ServiceMain.run(service: "strategy", settings: StrategySettings.all, options: options) { context in
            [try StrategyService(context: context)]
        }
    }
}
