import GRDB

/// ``Trade`` to and from the `trades` table.
enum TradeRows {
    static func trade(_ r: Row) -> Trade {
        var t = Trade(id: r["id"], account: r["account"], instrument: r["instrument"], underlying: r["underlying"],
                      strategy: r["strategy"], multiplier: r["multiplier"], quantity: r["quantity"], entryPrice: r["entry_price"],
                      entryNs: r["entry_ns"], entryOrderID: r["entry_order_id"])
        t.exitQuantity = r["exit_quantity"]
        t.exitPrice = r["exit_price"]
        t.exitNs = r["exit_ns"]
        t.exitOrderID = r["exit_order_id"]
        t.exitReason = r["exit_reason"]
        t.expectedExitPrice = r["expected_exit_price"]
        t.slippage = r["slippage"]
        t.realizedPnl = r["realized_pnl"]
        t.commissions = r["commissions"]
        t.status = r["status"]
        return t
    }

    static let columns = ["account", "instrument", "underlying", "strategy", "multiplier", "quantity", "entry_price", "entry_ns",
                          "entry_order_id", "exit_quantity", "exit_price", "exit_ns", "exit_order_id", "exit_reason",
                          "expected_exit_price", "slippage", "realized_pnl", "commissions", "status"]

    static func save(_ t: Trade, _ db: Database) throws {
        let values: [(any DatabaseValueConvertible)?] = [
            t.account, t.instrument, t.underlying, t.strategy, t.multiplier, t.quantity, t.entryPrice, t.entryNs, t.entryOrderID,
            t.exitQuantity, t.exitPrice, t.exitNs, t.exitOrderID, t.exitReason, t.expectedExitPrice, t.slippage, t.realizedPnl,
            t.commissions, t.status,
        ]
        if let id = t.id {
            let assignments = columns.map { "\($0) = ?" }.joined(separator: ", ")
            try db.execute(sql: "UPDATE trades SET \(assignments) WHERE id = ?", arguments: StatementArguments(values + [id]))
        } else {
            let marks = Array(repeating: "?", count: values.count).joined(separator: ", ")
            try db.execute(sql: "INSERT INTO trades (\(columns.joined(separator: ", "))) VALUES (\(marks))", arguments: StatementArguments(values))
        }
    }
}
