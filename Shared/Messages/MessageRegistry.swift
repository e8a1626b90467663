import SwiftProtobuf

/// Every message type the bus carries, by its envelope type name, so that tools such as `tap`
/// can decode any payload without knowing it in advance.
public enum MessageRegistry {
    public static let all: [any BusMessage.Type] = [
        Volta_V1_Heartbeat.self, Volta_V1_ServiceStatus.self, Volta_V1_MetricsSnapshot.self,
        Volta_V1_UnderlyingQuote.self, Volta_V1_OptionQuote.self, Volta_V1_OrderIntent.self,
        Volta_V1_Order.self, Volta_V1_OrderStatus.self, Volta_V1_Fill.self, Volta_V1_Position.self,
        Volta_V1_AccountValue.self, Volta_V1_RiskDecision.self, Volta_V1_ErrorReply.self,
        Volta_V1_SnapshotRequest.self, Volta_V1_Snapshot.self, Volta_V1_ProbeTick.self,
        Volta_V1_ProbeIncrement.self, Volta_V1_ProbeCount.self,
        Volta_V1_OptionAnalytics.self, Volta_V1_VolSurface.self, Volta_V1_PricerRequest.self, Volta_V1_PricerReply.self,
        Volta_V1_QuoteBatch.self, Volta_V1_GatewayRequest.self, Volta_V1_GatewayReply.self, Volta_V1_AccountSnapshot.self, Volta_V1_BrokerConnection.self, Volta_V1_MarketDataInterest.self,
        Volta_V1_UnderlyingStats.self, Volta_V1_OptionChainSnapshot.self,
        Volta_V1_StrategyState.self, Volta_V1_StrategyAlert.self, Volta_V1_StrategyTrigger.self, Volta_V1_ParameterChange.self, Volta_V1_DaySummary.self, Volta_V1_StrategyRequest.self,
        Volta_V1_StrategyReply.self, Volta_V1_RiskRequest.self, Volta_V1_RiskReply.self, Volta_V1_RiskState.self,
        Volta_V1_ExecutionRequest.self, Volta_V1_ExecutionReply.self, Volta_V1_IntentExecution.self,
        Volta_V1_RecorderAck.self, Volta_V1_RecorderQuery.self, Volta_V1_RecorderTable.self,
    ]

    private static let byName: [String: any BusMessage.Type] =
        Dictionary(uniqueKeysWithValues: all.map { ($0.protoMessageName, $0) })

    /// The type named in an envelope, or nil for a type this build does not know.
    public static func type(named name: String) -> (any BusMessage.Type)? { byName[name] }

    /// Matches `Heartbeat`, `volta.v1.Heartbeat` or `heartbeat` to the full type name.
    public static func resolve(shortName: String) -> String? {
        let lower = shortName.lowercased()
        return byName.keys.first { $0.lowercased() == lower || $0.split(separator: ".").last?.lowercased() == lower }
    }

    /// Decodes a payload by type name: nil for an unknown type, a thrown error for bad bytes.
    public static func decode(typeName: String, payload: [UInt8]) throws -> (any BusMessage)? {
        guard let type = byName[typeName] else { return nil }
        return try type.init(serializedBytes: payload)
    }
}
