// swift-tools-version: 6.1
import PackageDescription

/// Settings shared by every Volta target: Swift 6 language mode everywhere.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let log = Target.Dependency.product(name: "Logging", package: "swift-log")
let metrics = Target.Dependency.product(name: "Metrics", package: "swift-metrics")
let coreMetrics = Target.Dependency.product(name: "CoreMetrics", package: "swift-metrics")
let lifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let protobuf = Target.Dependency.product(name: "SwiftProtobuf", package: "swift-protobuf")
let configuration = Target.Dependency.product(name: "Configuration", package: "swift-configuration")
let deque = Target.Dependency.product(name: "DequeModule", package: "swift-collections")
let grdb = Target.Dependency.product(name: "GRDB", package: "GRDB.swift")
let grdbSQLite = Target.Dependency.product(name: "GRDBSQLite", package: "GRDB.swift")
let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")
let nioCore = Target.Dependency.product(name: "NIOCore", package: "swift-nio")
let httpTypes = Target.Dependency.product(name: "HTTPTypes", package: "swift-http-types")

let package = Package(
    name: "Volta",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bus", targets: ["bus"]),
        .executable(name: "tap", targets: ["tap"]),
        .executable(name: "bench", targets: ["bench"]),
        .executable(name: "probe", targets: ["probe"]),
        .executable(name: "pricer", targets: ["pricer"]),
        .executable(name: "gateway", targets: ["gateway"]),
        .executable(name: "marketdata", targets: ["marketdata"]),
        .executable(name: "strategy", targets: ["strategy"]),
        .executable(name: "risk", targets: ["risk"]),
        .executable(name: "execution", targets: ["execution"]),
        .executable(name: "recorder", targets: ["recorder"]),
        .executable(name: "dashboard", targets: ["dashboard"]),
        .executable(name: "twsim", targets: ["twsim"]),
        .executable(name: "volta-node", targets: ["volta-node"]),
        .executable(name: "volta-keys", targets: ["volta-keys"]),
        .executable(name: "backtest", targets: ["backtest"]),
        .library(name: "Quant", targets: ["Quant"]),
        .library(name: "Market", targets: ["Market"]),
        .library(name: "Bus", targets: ["Bus"]),
        .library(name: "BusZeroMQ", targets: ["BusZeroMQ"]),
        .library(name: "ServiceKit", targets: ["ServiceKit"]),
        .library(name: "Messages", targets: ["Messages"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: [.defaults]),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // The dashboard alone: SwiftNIO's build cost stays out of every other target.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // MARK: Shared libraries
        .systemLibrary(
            name: "CZeroMQ", path: "Shared/CZeroMQ", pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"]), .brew(["zeromq"])]),
        .target(name: "Messages", dependencies: [protobuf], path: "Shared/Messages",
                exclude: ["proto"], swiftSettings: strict),
        .target(name: "Bus", dependencies: ["Messages", protobuf, log, coreMetrics, deque],
                path: "Shared/Bus", swiftSettings: strict),
        .target(name: "BusZeroMQ", dependencies: ["Bus", "CZeroMQ", log, deque],
                path: "Shared/BusZeroMQ", swiftSettings: strict),
        .target(name: "ServiceKit",
                dependencies: ["Bus", "BusZeroMQ", "Messages", log, metrics, coreMetrics, lifecycle,
                               configuration, argumentParser],
                path: "Shared/ServiceKit", swiftSettings: strict),
        .systemLibrary(name: "CVectorMath", path: "Shared/CVectorMath"),
        .target(name: "Quant", dependencies: ["CVectorMath", .product(name: "ComplexModule", package: "swift-numerics")],
                path: "Shared/Quant", swiftSettings: strict),
        .target(name: "Market", dependencies: ["Quant", .product(name: "Yams", package: "Yams")],
                path: "Shared/Market", swiftSettings: strict),
        .target(name: "Trading", path: "Shared/Trading", swiftSettings: strict),
        .target(name: "StrategyKit", dependencies: ["Messages"], path: "Shared/StrategyKit", swiftSettings: strict),
        .target(name: "TWS", path: "Shared/TWS", swiftSettings: strict),
        .target(name: "TestSupport", dependencies: ["Bus", "BusZeroMQ", "BusDaemon", "Messages", "Market", log],
                path: "Shared/TestSupport", swiftSettings: strict),

        // MARK: Services
        .target(name: "BusDaemon", dependencies: ["BusZeroMQ", "Bus", "CZeroMQ", "Messages", log, deque, lifecycle],
                path: "Services/Bus/BusDaemon", swiftSettings: strict),
        .executableTarget(name: "bus", dependencies: ["BusDaemon", "ServiceKit", "Messages", argumentParser, log, lifecycle],
                          path: "Services/Bus/bus", swiftSettings: strict),

        .target(name: "PricerService", dependencies: ["Quant", "Trading", "Bus", "Messages", "ServiceKit", log, coreMetrics, lifecycle],
                path: "Services/Pricer/PricerService", swiftSettings: strict),
        .executableTarget(name: "pricer", dependencies: ["PricerService", "ServiceKit", argumentParser],
                          path: "Services/Pricer/pricer", swiftSettings: strict),

        .target(name: "GatewayService", dependencies: ["Market", "Bus", "Messages", "ServiceKit", "TWS", log, coreMetrics, lifecycle, deque],
                path: "Services/Gateway/GatewayService", swiftSettings: strict),
        .executableTarget(name: "gateway", dependencies: ["GatewayService", "ServiceKit", argumentParser],
                          path: "Services/Gateway/gateway", swiftSettings: strict),

        .target(name: "MarketdataService", dependencies: ["Market", "Bus", "Messages", "ServiceKit", log, coreMetrics, lifecycle],
                path: "Services/Marketdata/MarketdataService", swiftSettings: strict),
        .executableTarget(name: "marketdata", dependencies: ["MarketdataService", "Market", "ServiceKit", argumentParser],
                          path: "Services/Marketdata/marketdata", swiftSettings: strict),

        .target(name: "StrategyService", dependencies: ["StrategyKit", "Market", "Bus", "Messages", "ServiceKit", log, coreMetrics, lifecycle],
                path: "Services/Strategy/StrategyService", swiftSettings: strict),
        // The plug-ins: one target each, known to the `strategy` executable.
        .target(name: "StopsStrategy", dependencies: ["StrategyKit", "StrategyService", "Trading", "Messages", "ServiceKit"],
                path: "Services/Strategy/Plugins/Stops", swiftSettings: strict),
        .target(name: "TimedBracketStrategy", dependencies: ["StrategyKit", "StrategyService", "Messages", "ServiceKit"],
                path: "Services/Strategy/Plugins/TimedBracket", swiftSettings: strict),
        .target(name: "PutSellerStrategy", dependencies: ["StrategyKit", "StrategyService", "Messages", "ServiceKit"],
                path: "Services/Strategy/Plugins/PutSeller", swiftSettings: strict),
        .target(name: "StrategyPlugins", dependencies: ["StrategyService", "StopsStrategy", "TimedBracketStrategy", "PutSellerStrategy"],
                path: "Services/Strategy/Plugins/Registry", swiftSettings: strict),
        .executableTarget(name: "strategy", dependencies: ["StrategyService", "StrategyPlugins", "ServiceKit", argumentParser],
                          path: "Services/Strategy/strategy", swiftSettings: strict),

        .target(name: "RiskService", dependencies: ["Trading", "Bus", "Messages", "ServiceKit", log, coreMetrics, lifecycle],
                path: "Services/Risk/RiskService", swiftSettings: strict),
        .executableTarget(name: "risk", dependencies: ["RiskService", "ServiceKit", argumentParser],
                          path: "Services/Risk/risk", swiftSettings: strict),

        .target(name: "ExecutionService", dependencies: ["Trading", "Bus", "Messages", "ServiceKit", log, coreMetrics, lifecycle],
                path: "Services/Execution/ExecutionService", swiftSettings: strict),
        .executableTarget(name: "execution", dependencies: ["ExecutionService", "ServiceKit", argumentParser],
                          path: "Services/Execution/execution", swiftSettings: strict),

        .target(name: "RecorderService", dependencies: ["Bus", "Messages", "ServiceKit", grdb, grdbSQLite, log, coreMetrics, lifecycle],
                path: "Services/Recorder/RecorderService", swiftSettings: strict),
        .executableTarget(name: "recorder", dependencies: ["RecorderService", "ServiceKit", "Messages", grdb, argumentParser],
                          path: "Services/Recorder/recorder", swiftSettings: strict),

        .target(name: "DashboardService", dependencies: ["Bus", "Messages", "ServiceKit", "Market", "Quant", hummingbird, nioCore, httpTypes, log, coreMetrics, lifecycle],
                path: "Services/Dashboard/DashboardService", swiftSettings: strict),
        .executableTarget(name: "dashboard", dependencies: ["DashboardService", "ServiceKit", argumentParser],
                          path: "Services/Dashboard/dashboard", swiftSettings: strict),

        // MARK: The node: the trading path's services in one process, the bus at its edges
        .executableTarget(name: "volta-node", dependencies: ["MarketdataService", "PricerService", "StrategyService", "StrategyPlugins",
                                                            "RiskService", "ExecutionService", "ServiceKit", "Messages", argumentParser],
                          path: "Services/Node/volta-node", swiftSettings: strict),

        // MARK: The kernel: the services above in one process on one serial scheduler
        .target(name: "TradingKernel", dependencies: ["Bus", "Messages", "Market", "Trading", "StrategyKit", "GatewayService", "MarketdataService",
                                                      "PricerService", "RiskService", "ExecutionService", "StrategyService", "ServiceKit", log, lifecycle, deque],
                path: "Shared/TradingKernel", swiftSettings: strict),

        // MARK: The backtester: the kernel over history
        .target(name: "BacktestEngine", dependencies: ["TradingKernel", "StrategyPlugins", "StrategyService", "StrategyKit", "GatewayService",
                                                       "MarketdataService", "RiskService", "ExecutionService", "Market", "Messages", "Bus",
                                                       "ServiceKit", log],
                path: "Services/Backtest/BacktestEngine", swiftSettings: strict),
        .executableTarget(name: "backtest", dependencies: ["BacktestEngine", "ServiceKit", argumentParser],
                          path: "Services/Backtest/backtest", swiftSettings: strict),

        // MARK: Tools
        .executableTarget(name: "tap", dependencies: ["ServiceKit", "Bus", "BusZeroMQ", "Messages", argumentParser, protobuf],
                          path: "ops/tap", swiftSettings: strict),
        .target(name: "TWSimServer", dependencies: ["TWS", "GatewayService", "Market", "Messages", "Bus", log],
                path: "ops/twsim/TWSimServer", swiftSettings: strict),
        .executableTarget(name: "twsim", dependencies: ["TWSimServer", "GatewayService", "Market", "Bus", argumentParser, log],
                          path: "ops/twsim/twsim", swiftSettings: strict),
        .executableTarget(name: "probe", dependencies: ["ServiceKit", "Bus", "Messages", argumentParser, lifecycle],
                          path: "ops/probe", swiftSettings: strict),
        .executableTarget(name: "volta-keys", dependencies: ["BusZeroMQ", argumentParser],
                          path: "ops/keys", swiftSettings: strict),
        .executableTarget(name: "bench", dependencies: ["BusDaemon", "BusZeroMQ", "Bus", "CZeroMQ", "Messages", "Quant", "PricerService", "Market", "GatewayService", "MarketdataService", "TestSupport", "RecorderService", "StopsStrategy", "TradingKernel", "Trading", "ExecutionService", "BacktestEngine", grdb, grdbSQLite, argumentParser],
                          path: "ops/bench", exclude: ["quantlib_reference.py"], swiftSettings: strict),

        // MARK: Tests
        .testTarget(name: "MessagesTests", dependencies: ["Messages", "Bus", "TestSupport"], path: "Tests/MessagesTests",
                    swiftSettings: strict),
        .testTarget(name: "BusTests", dependencies: ["Bus", "Messages", "TestSupport"], path: "Tests/BusTests",
                    swiftSettings: strict),
        .testTarget(name: "BusZeroMQTests", dependencies: ["Bus", "BusZeroMQ", "BusDaemon", "CZeroMQ", "Messages", "TestSupport"],
                    path: "Tests/BusZeroMQTests", swiftSettings: strict),
        .testTarget(name: "ServiceKitTests", dependencies: ["ServiceKit", "Bus", "Messages", "TestSupport", configuration, coreMetrics, metrics, log],
                    path: "Tests/ServiceKitTests", swiftSettings: strict),
        .testTarget(name: "QuantTests", dependencies: ["Quant", "PricerService", "TestSupport"], path: "Tests/QuantTests", swiftSettings: strict),
        .testTarget(name: "PricerTests", dependencies: ["PricerService", "Quant", "Trading", "Bus", "BusZeroMQ", "Messages", "ServiceKit", "TestSupport", log],
                    path: "Tests/PricerTests", swiftSettings: strict),
        .testTarget(name: "MarketTests", dependencies: ["Market", "Quant", "MarketdataService", "Bus", "Messages", log], path: "Tests/MarketTests",
                    swiftSettings: strict),
        .testTarget(name: "GatewayTests", dependencies: ["GatewayService", "Bus", "Messages", "TestSupport", "TWS", "TWSimServer", "Market", log],
                    path: "Tests/GatewayTests", swiftSettings: strict),
        .testTarget(name: "TWSTests", dependencies: ["TWS"], path: "Tests/TWSTests", resources: [.copy("Fixtures")],
                    swiftSettings: strict),
        .testTarget(name: "TradingTests", dependencies: ["Trading", "StrategyService", "StrategyKit", "StopsStrategy", "TimedBracketStrategy", "PutSellerStrategy", "RiskService", "ExecutionService", "Messages", "Bus", "ServiceKit", "TestSupport", log],
                    path: "Tests/TradingTests", swiftSettings: strict),
        .testTarget(name: "KernelTests", dependencies: ["TradingKernel", "ExecutionService", "GatewayService", "StopsStrategy", "TimedBracketStrategy", "StrategyKit", "Trading", "Market",
                                                        "Messages", "Bus", "ServiceKit", "TestSupport"],
                    path: "Tests/KernelTests", swiftSettings: strict),
        .testTarget(name: "RecorderTests", dependencies: ["RecorderService", "StopsStrategy", "Bus", "Messages", "TestSupport", grdb, log],
                    path: "Tests/RecorderTests", swiftSettings: strict),
        .testTarget(name: "DashboardTests", dependencies: ["DashboardService", "StopsStrategy", "StrategyService", "ServiceKit", "RecorderService", "RiskService", "Bus", "Messages", "Market", "Quant", "TestSupport", grdb, log, hummingbird],
                    path: "Tests/DashboardTests", swiftSettings: strict),
        .testTarget(name: "BacktestTests", dependencies: ["BacktestEngine", "Messages", "Market"], path: "Tests/BacktestTests",
                    resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "SystemTests", dependencies: ["Bus", "BusZeroMQ", "Messages", "TestSupport"],
                    path: "Tests/SystemTests", swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
