import Foundation
import Messages
import StrategyKit

/// The chain asked of the broker when nothing that streams qualifies (at IB only a window near
/// the money streams): once a day per underlying, shared by the rolls and the sale, which both
/// decide again when it comes.
extension PutSeller {
    /// One day's ask for an underlying's chain: sent and waited for, or answered (with the
    /// failure's reason if it failed).
    enum ChainAsk: Equatable {
        case waiting(symbol: String)
        case answered(symbol: String, failure: String?)
    }

    enum ChainStep {
        /// Ask now: the action to perform.
        case ask(StrategyAction)
        /// Asked, not answered yet: the answer runs the rolls and the sale again.
        case waiting
        /// Answered (or failed: the reason): decide from what there is.
        case answered(failure: String?)
    }

    /// The day's sale id: it names the day's chain ask too.
    func saleID(_ symbol: String, now: Int64) -> String {
        "\(name)-\(Topics.key(settings.instance))-\(Topics.key(symbol))-\(Self.day(now))"
    }

    mutating func chainStep(_ symbol: String, spot: Double, now: Int64) -> ChainStep {
        let id = saleID(symbol, now: now)
        switch chainAsks[id] {
        case nil:
            chainAsks[id] = .waiting(symbol: symbol)
            return .ask(.askChain(id: id, request: chainRequest(symbol, spot: spot), owner: symbol))
        case .waiting?: return .waiting
        case .answered(_, let failure)?: return .answered(failure: failure)
        }
    }

    /// The answer: its quotes join the chain, and the rolls and the sale decide again.
    mutating func chainCame(_ id: String, _ snapshot: Volta_V1_OptionChainSnapshot?, failure: String?, _ context: StrategyContext) -> [StrategyAction] {
        guard case .waiting(let symbol)? = chainAsks[id] else { return [] }
        chainAsks[id] = .answered(symbol: symbol, failure: failure)
        for q in snapshot?.quotes ?? [] where q.contract.underlying == symbol { chains[symbol, default: [:]][Topics.optionQuote(q.contract)] = q }
        let alert: [StrategyAction] = failure.map { [.alert(level: .warning, message: "\(id): the broker's chain did not come (\($0))", owner: symbol)] } ?? []
        return rolls(symbol, context) + (entered.contains(id) ? [] : routine(symbol, context)) + alert
    }

    /// The puts of the expiry nearest the target DTE within the window, from the price down by
    /// `chainBand` of it.
    func chainRequest(_ symbol: String, spot: Double) -> Volta_V1_ChainSnapshotRequest {
        .with {
            $0.underlying = symbol
            $0.targetDte = Int32(settings.targetDTE)
            $0.minDte = Int32(settings.dteWindow.lowerBound)
            $0.maxDte = Int32(settings.dteWindow.upperBound)
            $0.right = .put
            $0.minStrikeMicros = Int64((spot * (1 - settings.chainBand)).rounded(.down) * 1e6)
            $0.maxStrikeMicros = Int64(spot.rounded(.up) * 1e6)
        }
    }
}
