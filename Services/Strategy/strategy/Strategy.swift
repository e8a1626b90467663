import ArgumentParser
import Messages
import ServiceKit
import StrategyPlugins
import StrategyService

/// `strategy`: a strategy worker, the host of the strategies `strategy.enabled` names (run N
/// workers; they share the keys).
@main
struct Strategy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A Volta strategy worker: hosts the enabled strategy plug-ins (stops: the volatility-aware trailing stop manager; timed-bracket: the example).")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        await ServiceMain.run(service: Topics.Service.strategy, settings: HostSettings.all + StrategyPlugins.all.flatMap(\.settings), options: options) { context in
            [try StrategyHost(context: context, plugins: StrategyPlugins.all)]
        }
    }
}
