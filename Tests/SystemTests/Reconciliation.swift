import Bus
import Foundation
import Messages
import TestSupport
import Testing

/// What a run of the chaos stack must end with, whatever was done to it: the broker received each
/// intended order once and nothing else, and the broker's fills, execution's reports, the
/// gateway's position and the recorder's tables all agree.
enum Reconciliation {
    /// Records an issue for each disagreement; a one-line summary of the counts.
    static func check(_ stack: ChaosStack, _ flow: OrderFlow, _ option: Volta_V1_Instrument) async throws -> String {
        let intents = await flow.done
        // The broker's side: one order per intent, never two; nothing it did not get from an intent.
        let events = try stack.brokerEvents()
        let orders = events.filter { $0["event"] as? String == "order" }
        let refs = orders.compactMap { $0["ref"] as? String }
        let duplicates = Dictionary(grouping: refs, by: { $0 }).filter { $0.value.count > 1 }.keys
        #expect(duplicates.isEmpty, "intents placed more than once at the broker: \(duplicates.sorted())")
        let intended = Set(intents.keys.map { "ex-\($0)" })
        #expect(Set(refs).isSubset(of: intended), "orders nobody intended: \(Set(refs).subtracting(intended).sorted())")
        let filled = intents.filter { $0.value.orderState == .filled }
        #expect(Set(filled.keys.map { "ex-\($0)" }).isSubset(of: Set(refs)))
        #expect(filled.count >= intents.count * 8 / 10, "only \(filled.count) of \(intents.count) intents filled")

        // Positions: the broker's fills, execution's reports and the gateway's position agree.
        let fills = events.filter { $0["event"] as? String == "fill" }
        let brokerPosition = fills.reduce(0) { $0 + ($1["side"] as? String == "BOT" ? 1 : -1) * ($1["quantity"] as? Int ?? 0) }
        let reported = filled.values.reduce(0) { $0 + (flow.side(of: $1.intentID) == .buy ? 1 : -1) * Int($1.filledQuantity) }
        #expect(brokerPosition == reported, "broker \(brokerPosition), execution \(reported)")
        do {
            try await until(timeout: .seconds(30)) { await Self.gatewayPosition(stack.bus, option) == Int64(brokerPosition) }
        } catch {
            Issue.record("the gateway's position \(String(describing: await Reconciliation.gatewayPosition(stack.bus, option))) of \(option.displayName), the broker's \(brokerPosition); fills \(fills)")
        }

        // The record: every broker fill, and the position they make, so none was applied twice.
        try await until(timeout: .seconds(30)) {
            let recorded = Set(((try? stack.sql("SELECT fill_id FROM executions")) ?? []).compactMap(\.first))
            return Set(fills.compactMap { $0["exec"] as? String }).isSubset(of: recorded)
        }
        let recordedPosition = try stack.sql("SELECT quantity FROM positions WHERE instrument = '\(option.displayName)'").first?.first
        #expect(recordedPosition.flatMap { Int($0) } == brokerPosition, "the recorder's position \(recordedPosition ?? "none")")
        return "intents \(intents.count), filled \(filled.count), broker orders \(orders.count), fills \(fills.count); position \(brokerPosition)"
    }

    /// A near-the-money SPY call in the nearest expiry the gateway lists.
    static func tradedOption(_ bus: Bus) async throws -> Volta_V1_Instrument {
        var request = Volta_V1_GatewayRequest()
        request.chainUnderlying = "SPY"
        var chain = Volta_V1_OptionChainDefinition()
        try await until(timeout: .seconds(60)) {
            guard let c = try? await bus.request(service: Topics.Service.gateway, request, as: Volta_V1_GatewayReply.self).chain,
                  !c.expiries.isEmpty else { return false }
            chain = c
            return true
        }
        let expiry = chain.expiries[min(1, chain.expiries.count - 1)]
        let strikes = expiry.strikeMicros.sorted()
        var i = Volta_V1_Instrument()
        i.symbol = "SPY"
        i.option.underlying = "SPY"
        i.option.expiry = expiry.expiry
        i.option.strikeMicros = strikes[strikes.count / 2]
        i.option.right = .call
        i.option.multiplier = 100
        return i
    }

    static func gatewayPosition(_ bus: Bus, _ instrument: Volta_V1_Instrument) async -> Int64? {
        var request = Volta_V1_GatewayRequest()
        request.accountSnapshot = true
        guard let snapshot = try? await bus.request(service: Topics.Service.gateway, request, as: Volta_V1_GatewayReply.self).account else { return nil }
        let key = instrument.displayName
        return snapshot.positions.first { $0.instrument.displayName == key }?.quantity ?? 0
    }
}
