import ArgumentParser
import Messages
import ServiceKit
import StopsStrategy
import StrategyService
import TimedBracketStrategy

/// `strategy`: a strategy worker, the host of the strategies `strategy.enabled` names (run N
/// workers; they share the keys).
@main
struct Strategy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A Volta strategy worker: hosts the enabled strategy plug-ins (stops: the volatility-aware trailing stop manager; timed-bracket: the example).")

    /// Every plug-in this build knows.
    static let plugins: [StrategyPlugin] = [StopSettings.plugin, TimedBracketSettings.plugin]

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        await ServiceMain.run(service: Topics.Service.strategy, settings: HostSettings.all + Self.plugins.flatMap(\.settings), options: options) { context in
            [try StrategyHost(context: context, plugins: Self.plugins)]
        }
    }
}
