import ArgumentParser
import ExecutionService
import Messages
import ServiceKit

/// `execution`: the order lifecycle on the bus.
@main
struct Execution: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Volta's execution service: smart limits, repricing, idempotent orders.")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        await ServiceMain.run(service: Topics.Service.execution, settings: ExecutionSettings.all, options: options) { context in
            [try ExecutionService(context: context)]
        }
    }
}
