import GRDB

/// The recorder's tables and views, as GRDB migrations: a database made by an older recorder is
/// brought up to date at start, and a migration once shipped is never edited (add a new one).
///
/// `events` is the append-only log of every bus message, identified by its publisher stream
/// (source instance and epoch, topic) and sequence number, so a message heard twice, live or in
/// a snapshot, is stored once. The other tables are projections of the log. Prices are in
/// dollars (REAL), times in ns since the Unix epoch, greeks as the pricer publishes them (vega
/// per 1.00 of volatility, theta per year); the views convert for display.
public enum RecorderSchema {
    public static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: event log") { db in
            try db.execute(sql: """
                CREATE TABLE sources (id INTEGER PRIMARY KEY, instance TEXT NOT NULL, epoch INTEGER NOT NULL, UNIQUE(instance, epoch));
                CREATE TABLE topics (id INTEGER PRIMARY KEY, topic TEXT NOT NULL UNIQUE);
                CREATE TABLE types (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                CREATE TABLE events (
                    id INTEGER PRIMARY KEY,
                    source_id INTEGER NOT NULL REFERENCES sources(id),
                    topic_id INTEGER NOT NULL REFERENCES topics(id),
                    sequence INTEGER NOT NULL,
                    type_id INTEGER NOT NULL REFERENCES types(id),
                    event_ns INTEGER NOT NULL,
                    recorded_ns INTEGER NOT NULL,
                    envelope BLOB NOT NULL);
                CREATE UNIQUE INDEX events_identity ON events(source_id, topic_id, sequence) WHERE sequence > 0;
                CREATE TABLE gaps (
                    id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL, topic_id INTEGER NOT NULL,
                    first_missing INTEGER NOT NULL, last_missing INTEGER NOT NULL, detected_ns INTEGER NOT NULL,
                    filled_from TEXT NOT NULL DEFAULT '');
                """)
        }
        m.registerMigration("v1: projections") { db in
            try db.execute(sql: """
                CREATE TABLE orders (
                    order_id TEXT PRIMARY KEY, intent_id TEXT NOT NULL DEFAULT '', broker_order_id INTEGER NOT NULL DEFAULT 0,
                    account TEXT NOT NULL DEFAULT '', strategy TEXT NOT NULL DEFAULT '', instrument TEXT NOT NULL DEFAULT '',
                    purpose TEXT NOT NULL DEFAULT '', intent_reason TEXT NOT NULL DEFAULT '',
                    quantity INTEGER NOT NULL DEFAULT 0, filled_quantity INTEGER NOT NULL DEFAULT 0,
                    limit_price REAL, avg_fill_price REAL, expected_price REAL, slippage REAL, realized_pnl REAL,
                    reprices INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT 'pending', reason TEXT NOT NULL DEFAULT '',
                    created_ns INTEGER NOT NULL, updated_ns INTEGER NOT NULL);
                CREATE TABLE order_events (
                    id INTEGER PRIMARY KEY, order_id TEXT NOT NULL, broker_order_id INTEGER NOT NULL, state TEXT NOT NULL,
                    filled_quantity INTEGER NOT NULL, remaining_quantity INTEGER NOT NULL, avg_fill_price REAL,
                    reason TEXT NOT NULL, event_ns INTEGER NOT NULL);
                CREATE INDEX order_events_order ON order_events(order_id);
                CREATE TABLE executions (
                    fill_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, account TEXT NOT NULL, instrument TEXT NOT NULL,
                    underlying TEXT NOT NULL, side TEXT NOT NULL, quantity INTEGER NOT NULL, price REAL NOT NULL,
                    commission REAL NOT NULL, time_ns INTEGER NOT NULL);
                CREATE TABLE trades (
                    id INTEGER PRIMARY KEY, account TEXT NOT NULL, instrument TEXT NOT NULL, underlying TEXT NOT NULL,
                    strategy TEXT NOT NULL, multiplier INTEGER NOT NULL, quantity INTEGER NOT NULL,
                    entry_price REAL NOT NULL, entry_ns INTEGER NOT NULL, entry_order_id TEXT NOT NULL,
                    exit_quantity INTEGER NOT NULL DEFAULT 0, exit_price REAL, exit_ns INTEGER, exit_order_id TEXT,
                    exit_reason TEXT, expected_exit_price REAL, slippage REAL,
                    realized_pnl REAL NOT NULL DEFAULT 0, commissions REAL NOT NULL DEFAULT 0,
                    status TEXT NOT NULL DEFAULT 'OPEN');
                CREATE INDEX trades_open ON trades(account, instrument) WHERE status = 'OPEN';
                CREATE INDEX trades_entry ON trades(entry_ns);
                CREATE TABLE positions (
                    account TEXT NOT NULL, instrument TEXT NOT NULL, underlying TEXT NOT NULL, expiry TEXT NOT NULL,
                    strike REAL, option_right TEXT NOT NULL, multiplier INTEGER NOT NULL, quantity INTEGER NOT NULL,
                    avg_cost REAL NOT NULL, market_price REAL, unrealized_pnl REAL, realized_pnl REAL, updated_ns INTEGER NOT NULL,
                    PRIMARY KEY (account, instrument));
                CREATE TABLE position_snapshots (
                    id INTEGER PRIMARY KEY, snapshot_ns INTEGER NOT NULL, account TEXT NOT NULL, instrument TEXT NOT NULL,
                    quantity INTEGER NOT NULL, bid REAL, ask REAL, mid REAL, underlying_price REAL,
                    delta REAL, gamma REAL, theta REAL, vega REAL, iv REAL, theo REAL, unrealized_pnl REAL);
                CREATE INDEX position_snapshots_latest ON position_snapshots(account, instrument, id);
                CREATE TABLE stops (
                    topic TEXT PRIMARY KEY, account TEXT NOT NULL, instrument TEXT NOT NULL, underlying TEXT NOT NULL,
                    quantity INTEGER NOT NULL, stop_level REAL NOT NULL, best_underlying REAL NOT NULL, underlying_price REAL NOT NULL,
                    trail REAL NOT NULL, take_profit REAL, status TEXT NOT NULL, intent_id TEXT NOT NULL, updated_ns INTEGER NOT NULL);
                CREATE TABLE signals (
                    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, strategy TEXT NOT NULL, intent_id TEXT NOT NULL,
                    instrument TEXT NOT NULL, detail TEXT NOT NULL, event_ns INTEGER NOT NULL);
                CREATE TABLE risk_decisions (
                    id INTEGER PRIMARY KEY, intent_id TEXT NOT NULL, verdict TEXT NOT NULL, reason_code TEXT NOT NULL,
                    detail TEXT NOT NULL, kill_switch TEXT NOT NULL, mode TEXT NOT NULL, event_ns INTEGER NOT NULL);
                CREATE TABLE account_values (
                    account TEXT NOT NULL, key TEXT NOT NULL, value REAL NOT NULL, currency TEXT NOT NULL, updated_ns INTEGER NOT NULL,
                    PRIMARY KEY (account, key));
                CREATE TABLE pnl_history (
                    id INTEGER PRIMARY KEY, ts_ns INTEGER NOT NULL, account TEXT NOT NULL,
                    realized REAL NOT NULL, unrealized REAL NOT NULL, total REAL NOT NULL);
                """)
        }
        m.registerMigration("v1: views") { db in
            try db.execute(sql: """
                CREATE VIEW open_positions AS
                SELECT p.account, p.instrument, p.underlying, p.expiry, p.strike, p.option_right, p.quantity, p.multiplier, p.avg_cost,
                       CAST(julianday(p.expiry) - julianday(date('now')) AS INTEGER) AS days_to_expiry,
                       COALESCE(s.mid, p.market_price) AS mark, s.bid, s.ask, s.underlying_price,
                       s.delta, s.gamma, s.theta / 365.0 AS theta_per_day, s.vega / 100.0 AS vega_per_point, s.iv,
                       COALESCE(s.unrealized_pnl, p.unrealized_pnl) AS unrealized_pnl, p.realized_pnl,
                       st.stop_level, st.status AS stop_status, st.take_profit, p.updated_ns
                FROM positions p
                LEFT JOIN position_snapshots s ON s.id = (
                    SELECT MAX(id) FROM position_snapshots x WHERE x.account = p.account AND x.instrument = p.instrument)
                LEFT JOIN stops st ON st.account = p.account AND st.instrument = p.instrument
                WHERE p.quantity != 0;

                CREATE VIEW strategy_summary AS
                SELECT strategy, COUNT(*) AS trades,
                       SUM(status = 'OPEN') AS open_trades, SUM(status = 'CLOSED') AS closed_trades,
                       SUM(status = 'CLOSED' AND realized_pnl > 0) AS wins, SUM(status = 'CLOSED' AND realized_pnl <= 0) AS losses,
                       CASE WHEN SUM(status = 'CLOSED') > 0
                            THEN 1.0 * SUM(status = 'CLOSED' AND realized_pnl > 0) / SUM(status = 'CLOSED') END AS win_rate,
                       SUM(realized_pnl) AS realized_pnl, AVG(CASE WHEN status = 'CLOSED' THEN realized_pnl END) AS average_pnl,
                       MAX(CASE WHEN status = 'CLOSED' THEN realized_pnl END) AS best_trade,
                       MIN(CASE WHEN status = 'CLOSED' THEN realized_pnl END) AS worst_trade,
                       SUM(commissions) AS commissions
                FROM trades GROUP BY strategy;

                -- Book-wide: net greeks (delta and gamma in contracts' shares, theta per day, vega per
                -- volatility point), and the P&L if every stop (take-profit) level were reached now,
                -- to second order: qty × multiplier × (Δ·dS + ½Γ·dS²) with dS = level − underlying.
                CREATE VIEW risk_metrics AS
                SELECT COUNT(*) AS open_positions,
                       SUM(quantity * multiplier * COALESCE(delta, 0)) AS net_delta,
                       SUM(quantity * multiplier * COALESCE(gamma, 0)) AS net_gamma,
                       SUM(quantity * multiplier * COALESCE(theta_per_day, 0)) AS net_theta,
                       SUM(quantity * multiplier * COALESCE(vega_per_point, 0)) AS net_vega,
                       -SUM(CASE WHEN stop_level > 0 AND delta IS NOT NULL AND underlying_price > 0 THEN
                            quantity * multiplier * (delta * (stop_level - underlying_price)
                                + 0.5 * COALESCE(gamma, 0) * (stop_level - underlying_price) * (stop_level - underlying_price)) END) AS max_loss,
                       SUM(CASE WHEN take_profit > 0 AND delta IS NOT NULL AND underlying_price > 0 THEN
                            quantity * multiplier * (delta * (take_profit - underlying_price)
                                + 0.5 * COALESCE(gamma, 0) * (take_profit - underlying_price) * (take_profit - underlying_price)) END) AS max_profit,
                       SUM(stop_level > 0) AS positions_with_stops,
                       SUM(unrealized_pnl) AS unrealized_pnl
                FROM open_positions;

                CREATE VIEW pending_orders AS
                SELECT * FROM orders WHERE state IN ('pending', 'submitted', 'partially_filled', 'pending_cancel') ORDER BY created_ns;
                """)
        }
        m.registerMigration("v2: strategy states") { db in
            // Any strategy's state per key, as its StrategyState says (the stops projection
            // reads the stop manager's own payload beside it).
            try db.execute(sql: """
                CREATE TABLE strategy_states (
                    topic TEXT PRIMARY KEY, strategy TEXT NOT NULL, instance TEXT NOT NULL, key TEXT NOT NULL,
                    owner_key TEXT NOT NULL, worker TEXT NOT NULL, status TEXT NOT NULL, summary TEXT NOT NULL,
                    updated_ns INTEGER NOT NULL);
                """)
        }
        m.registerMigration("v3: the put seller plan's order and signal columns") { db in
            // The plan's orders (seed 002): the order's role (PARENT, TAKE_PROFIT, STOP_LOSS, ROLL,
            // CLOSE, ADJUST), its entry, its algo and OCA group, and IB's contract id;
            // broker_order_id already holds IB's permanent id. Signals keep the numbers a
            // strategy chose its contract by.
            try db.execute(sql: """
                ALTER TABLE orders ADD COLUMN order_role TEXT NOT NULL DEFAULT '';
                ALTER TABLE orders ADD COLUMN parent_intent_id TEXT NOT NULL DEFAULT '';
                ALTER TABLE orders ADD COLUMN algo_strategy TEXT NOT NULL DEFAULT '';
                ALTER TABLE orders ADD COLUMN algo_priority TEXT NOT NULL DEFAULT '';
                ALTER TABLE orders ADD COLUMN oca_group TEXT NOT NULL DEFAULT '';
                ALTER TABLE orders ADD COLUMN con_id INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE signals ADD COLUMN dte INTEGER;
                ALTER TABLE signals ADD COLUMN delta REAL;
                ALTER TABLE signals ADD COLUMN iv REAL;
                ALTER TABLE signals ADD COLUMN premium REAL;
                ALTER TABLE signals ADD COLUMN underlying_price REAL;
                """)
        }
        m.registerMigration("v4: operators' parameter edits") { db in
            // Every edit of a strategy parameter from the dashboard: who, when, the value before and
            // after (NULL after: back to the configuration's value). The latest per key is what a
            // strategy worker applies when it starts.
            try db.execute(sql: """
                CREATE TABLE parameter_changes (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, ts_ns INTEGER NOT NULL, strategy TEXT NOT NULL, key TEXT NOT NULL,
                    previous TEXT NOT NULL, value TEXT, who TEXT NOT NULL);
                CREATE INDEX parameter_changes_key ON parameter_changes (key, id);
                """)
        }
        m.registerMigration("v5: end-of-day summaries") { db in
            try db.execute(sql: "CREATE TABLE day_summaries (date TEXT PRIMARY KEY, made_ns INTEGER NOT NULL, text TEXT NOT NULL, json TEXT NOT NULL)")
        }
        m.registerMigration("v6: max profit from take-profit orders") { db in
            // A take profit that is an order on the option (the put seller's, a bracket's) counts
            // too: what the position gains if that order fills, (limit − average cost) × quantity ×
            // multiplier, signed for a short (an order with no account, as an intent that names
            // none is recorded, is the position's). A stop manager's take-profit level on the underlying
            // still counts to second order, as before; a position with both counts the order.
            try db.execute(sql: """
                DROP VIEW risk_metrics;
                CREATE VIEW risk_metrics AS
                SELECT COUNT(*) AS open_positions,
                       SUM(quantity * multiplier * COALESCE(delta, 0)) AS net_delta,
                       SUM(quantity * multiplier * COALESCE(gamma, 0)) AS net_gamma,
                       SUM(quantity * multiplier * COALESCE(theta_per_day, 0)) AS net_theta,
                       SUM(quantity * multiplier * COALESCE(vega_per_point, 0)) AS net_vega,
                       -SUM(CASE WHEN stop_level > 0 AND delta IS NOT NULL AND underlying_price > 0 THEN
                            quantity * multiplier * (delta * (stop_level - underlying_price)
                                + 0.5 * COALESCE(gamma, 0) * (stop_level - underlying_price) * (stop_level - underlying_price)) END) AS max_loss,
                       SUM(CASE WHEN tp_order_price IS NOT NULL THEN (tp_order_price - avg_cost) * quantity * multiplier
                                WHEN take_profit > 0 AND delta IS NOT NULL AND underlying_price > 0 THEN
                            quantity * multiplier * (delta * (take_profit - underlying_price)
                                + 0.5 * COALESCE(gamma, 0) * (take_profit - underlying_price) * (take_profit - underlying_price)) END) AS max_profit,
                       SUM(stop_level > 0) AS positions_with_stops,
                       SUM(unrealized_pnl) AS unrealized_pnl
                FROM (SELECT p.*, (SELECT o.limit_price FROM orders o
                                   WHERE (o.account = p.account OR o.account = '') AND o.instrument = p.instrument AND o.order_role = 'TAKE_PROFIT'
                                     AND o.state IN ('pending', 'submitted', 'partially_filled') AND o.limit_price > 0
                                   ORDER BY o.created_ns DESC LIMIT 1) AS tp_order_price
                      FROM open_positions p);
                """)
        }
        return m
    }
}
