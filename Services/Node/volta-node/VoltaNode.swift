import ArgumentParser
import ExecutionService
import MarketdataService
import Messages
import PricerService
import RiskService
import ServiceKit
import StrategyPlugins
import StrategyService

/// `volta-node`: the trading path's services in one process, for users who want latency over
/// isolation. Each keeps its own name, settings section and bus identity (`<instance>.<service>`);
/// they reach each other through an in-memory hub and the rest of the stack (the gateway, the
/// recorder, the dashboard, other workers) through the bus daemon. Separate processes stay the
/// default: one crash here takes every member down, and the supervisor restarts them together.
@main
struct VoltaNode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volta-node",
        abstract: "Volta's trading path in one process: marketdata, pricer, strategy, risk and execution (or those --services names).")

    /// Every service a node can host, by bus name.
    static let available: [String: NodeMember] = [
        Topics.Service.marketdata: NodeMember(service: Topics.Service.marketdata, settings: MarketdataSettings.all) {
            [try MarketdataService(context: $0)]
        },
        Topics.Service.pricer: NodeMember(service: Topics.Service.pricer, settings: PricerSettings.all) { [try PricerService(context: $0)] },
        Topics.Service.strategy: NodeMember(service: Topics.Service.strategy, settings: HostSettings.all + StrategyPlugins.all.flatMap(\.settings)) {
            [try StrategyHost(context: $0, plugins: StrategyPlugins.all)]
        },
        Topics.Service.risk: NodeMember(service: Topics.Service.risk, settings: RiskSettings.all) { [try RiskService(context: $0)] },
        Topics.Service.execution: NodeMember(service: Topics.Service.execution, settings: ExecutionSettings.all) {
            [try ExecutionService(context: $0)]
        },
    ]
    static let defaultServices = [Topics.Service.marketdata, Topics.Service.pricer, Topics.Service.strategy, Topics.Service.risk,
                                  Topics.Service.execution]

    @Option(help: "The services to run, comma-separated (marketdata, pricer, strategy, risk, execution).")
    var services = defaultServices.joined(separator: ",")

    @OptionGroup var options: ServiceOptions

    func validate() throws {
        let names = services.split(separator: ",").map(String.init)
        guard !names.isEmpty else { throw ValidationError("--services names no service") }
        for n in names where Self.available[n] == nil {
            throw ValidationError("--services: '\(n)' is not one a node hosts (\(Self.defaultServices.joined(separator: ", ")))")
        }
        guard Set(names).count == names.count else { throw ValidationError("--services names a service twice") }
    }

    func run() async throws {
        let members = services.split(separator: ",").compactMap { Self.available[String($0)] }
        await ServiceMain.runNode(name: "node", members: members, options: options)
    }
}
