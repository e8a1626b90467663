import Bus
import Foundation
import TestSupport
import Testing

/// The compose stack on a real docker engine: up on a locked bus, the stops scenario traded
/// through it while the strategy workers scale from 1 to 3 and back to 1 (pricer and risk from 1
/// to 2 and back with them), then down.
@Suite("The compose stack on dockerd", .serialized)
struct ComposeStackTests {
    /// Skipped loudly, with the reason, where no docker engine or image is available.
    static func runnable() -> Bool {
        guard let reason = ComposeStack.skipReason() else { return true }
        let banner = String(repeating: "!", count: 100)
        FileHandle.standardError.write(Data("\n\(banner)\nSKIPPED: the compose stack test cannot run here: \(reason)\n\(banner)\n\n".utf8))
        return false
    }

    @Test(.enabled("needs a docker engine and Volta's image; the reason is printed above") { runnable() },
          .timeLimit(.minutes(10)))
    func upTradeScaleOneThreeOneAndDown() async throws {
        let stack = try await ComposeStack()
        defer { stack.down() }
        let services = ["bus", "gateway", "marketdata", "pricer", "risk", "execution", "strategy", "recorder", "dashboard"]
        try await until(timeout: .seconds(120)) {
            let health = (try? stack.health()) ?? [:]
            return health.count == services.count && health.values.allSatisfy { $0 == "healthy running" }
        }
        // Non-root, every one.
        for service in services {
            let id = try #require(try stack.containers(service).first)
            #expect(try shell(["docker", "exec", id, "id", "-u"]).trimmingCharacters(in: .whitespacesAndNewlines) == "10001")
        }
        try await stack.openPositions()

        // Scale up while the positions are managed: three strategy workers share the underlyings,
        // two pricers and two risk workers share their requests behind the bus's broker.
        try stack.compose(["up", "-d", "--no-recreate", "--scale", "strategy=3", "--scale", "pricer=2", "--scale", "risk=2"])
        try await until(timeout: .seconds(90)) {
            let healthy = ((try? stack.health()) ?? [:]).filter { $0.value == "healthy running" }.keys
            return [("strategy", 3), ("pricer", 2), ("risk", 2)].allSatisfy { service, count in
                healthy.filter { $0.contains(service) }.count == count
            }
        }
        let first = Set(try stack.containers("strategy"))
        #expect(first.count == 3)
        #expect(try stack.containers("pricer").count == 2 && stack.containers("risk").count == 2)
        // And back down: the remaining worker owns every stop again, from the states it holds.
        try stack.compose(["up", "-d", "--no-recreate", "--scale", "strategy=1"])
        let scaledDown = WallClock().now()
        let remaining = try stack.containers("strategy")
        #expect(remaining.count == 1)

        // The fall: each crossed stop is one intent and one broker order, placed, repriced, filled.
        try await stack.waitForExits()
        try await stack.checkOneOrderPerStop()
        let remainingInstance = "strategy-\(remaining[0].prefix(12))"
        // Every intent made after the scale-down is the remaining worker's; one made before (on a
        // loaded machine the fall can begin while three workers run) is any of the three's.
        let workers = Set((first.union(remaining)).map { "strategy-\($0.prefix(12))" })
        let after = await stack.intentSources(createdAfter: scaledDown), all = await stack.intentSources()
        #expect(after.isSubset(of: [remainingInstance]) && all.isSubset(of: workers), "after \(after), all \(all), workers \(workers)")
        #expect(try stack.health().values.allSatisfy { $0 == "healthy running" })
        stack.down()
        #expect(try stack.compose(["ps", "-q"]).isEmpty)
    }
}
