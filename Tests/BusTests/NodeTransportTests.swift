import Bus
import Messages
import Testing

/// The node's transport: services in one process hear each other once, hear the stack once,
/// and send a request in the node when the node serves it, else out to the stack.
@Suite("Node transport", .timeLimit(.minutes(1)))
struct NodeTransportTests {
    /// Two node members on one hub with the "daemon" as an outer hub, and one outside process.
    struct Node {
        let a: Bus, b: Bus, outside: Bus

        init() {
            let daemon = InMemoryHub(), hub = InMemoryHub()
            let members: Set<String> = ["node.a", "node.b"]
            func member(_ name: String) -> Bus {
                Bus(identity: ServiceIdentity(service: name, instance: "node.\(name)", epoch: 1),
                    transport: NodeTransport(hub: hub, instance: "node.\(name)", remote: daemon.connect(instance: "node.\(name)"), members: members))
            }
            a = member("a")
            b = member("b")
            outside = Bus(identity: ServiceIdentity(service: "gateway", instance: "gateway", epoch: 1), transport: daemon.connect(instance: "gateway"))
        }
    }

    static func quote(_ symbol: String, _ last: Double) -> Volta_V1_UnderlyingQuote {
        Volta_V1_UnderlyingQuote.with { $0.symbol = symbol; $0.last = last }
    }

    /// Quotes from a subscription until every one of `expected` has come, sorted: each
    /// publisher's order holds, not the order between the node's side and the daemon's. An echo
    /// of the node's own quotes would come through the daemon before the stack's last one.
    static func collect(_ sub: Subscription<Volta_V1_UnderlyingQuote>, expecting expected: Set<Double>) async -> [Double] {
        var seen: [Double] = []
        for await m in sub {
            seen.append(m.message.last)
            if expected.isSubset(of: Set(seen)) { break }
        }
        return seen.sorted()
    }

    @Test func aMembersPublicationReachesTheOtherMemberOnceAndTheStackOnce() async {
        let n = Node()
        let inNode = n.b.subscribe(Volta_V1_UnderlyingQuote.self, prefix: Topics.underlyingQuote("SPY"))
        let outsideSub = n.outside.subscribe(Volta_V1_UnderlyingQuote.self, prefix: Topics.underlyingQuote("SPY"))
        n.a.publish(Self.quote("SPY", 1))
        n.a.publish(Self.quote("SPY", 2))
        // The stack's own publication comes last: everything before it has been delivered.
        n.outside.publish(Self.quote("SPY", 3))
        #expect(await Self.collect(inNode, expecting: [1, 2, 3]) == [1, 2, 3])
        #expect(await Self.collect(outsideSub, expecting: [1, 2, 3]) == [1, 2, 3])
    }

    @Test func requestsStayInTheNodeWhenItServesThemAndGoOutOtherwise() async throws {
        let n = Node()
        let replyAs = { @Sendable (who: String) in
            Volta_V1_RiskReply.with { $0.state.killSwitch = who }
        }
        let serving = [
            Task { await n.a.serve(service: "risk", Volta_V1_RiskRequest.self) { _, _ in replyAs("node") } },
            Task { await n.outside.serve(service: "gateway-only", Volta_V1_RiskRequest.self) { _, _ in replyAs("outside") } },
        ]
        defer { for t in serving { t.cancel() } }
        func ask(_ bus: Bus, _ service: String) async throws -> String {
            for _ in 0..<200 {
                do { return try await bus.request(service: service, Volta_V1_RiskRequest(), as: Volta_V1_RiskReply.self, retries: 0).state.killSwitch }
                catch BusError.noSuchService { await Task.yield() }  // still registering
            }
            throw BusError.noSuchService(service)
        }
        #expect(try await ask(n.b, "risk") == "node")
        #expect(try await ask(n.outside, "risk") == "node", "the stack reaches a member through the daemon")
        #expect(try await ask(n.b, "gateway-only") == "outside")
    }
}
