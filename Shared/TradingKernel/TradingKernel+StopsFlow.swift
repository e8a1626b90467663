import ExecutionService
import Market
import Trading

extension TradingKernel.Configuration {
    /// The stops flow's setup on `scenario`, shared by the kernel's tests and `bench e2e`'s kernel
    /// line so that both measure the same thing: 30 days of history, SPY's beta of 1, exits
    /// repriced every second up to three times and then sent marketable, resubmission at 500 ms.
    public static func stopsFlow(_ scenario: Scenario) -> Self {
        var c = Self()
        c.scenario = scenario
        c.marketdata.historyDays = 30
        c.marketdata.betas = ["SPY": 1]
        c.execution = ExecutionPolicy(limit: SmartLimit(participation: 1, slippage: 0.2, maxReprices: 3), reprice: .seconds(1),
                                      afterMax: .marketable)
        c.resubmit = .milliseconds(500)
        return c
    }
}
