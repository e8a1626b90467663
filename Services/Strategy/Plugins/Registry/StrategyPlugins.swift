import PutSellerStrategy
import StopsStrategy
import StrategyService
import TimedBracketStrategy

/// Every strategy plug-in this build knows, for the executables that host strategies (`strategy`,
/// `volta-node`): adding a plug-in is one line here and one target in Package.swift.
public enum StrategyPlugins {
    public static let all: [StrategyPlugin] = [StopSettings.plugin, TimedBracketSettings.plugin, PutSellerSettings.plugin]
}
