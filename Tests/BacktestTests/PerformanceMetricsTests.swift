@testable import BacktestEngine
import Messages
import Testing

/// The metrics' conventions on series small enough to check by hand; `test_backtest_metrics.py`
/// checks every one against empyrical itself.
@Suite struct PerformanceMetricsTests {
    @Test func drawdownCountsFromTheFirstCloseAndItsLongestStretch() {
        let dd = PerformanceMetrics.maxDrawdown([100, 90, 95, 120, 60, 61, 130])
        #expect(abs(dd.fraction - -0.5) < 1e-12)
        #expect(dd.longestDays == 2)
        #expect(abs(PerformanceMetrics.maxDrawdown([100, 80]).fraction + 0.2) < 1e-15)
    }

    @Test func percentilesInterpolateLinearlyAsNumpyDoes() {
        let x = [0.03, -0.02, 0.01, -0.04, 0.0]
        // Sorted: −0.04, −0.02, 0, 0.01, 0.03; the 5th percentile is at rank 0.2.
        #expect(abs(PerformanceMetrics.percentile(x, 5) - (-0.04 + 0.2 * 0.02)) < 1e-15)
        #expect(abs(PerformanceMetrics.percentile(x, 95) - (0.01 + 0.8 * 0.02)) < 1e-15)
    }

    @Test func returnsRatiosAndTradeStatistics() {
        let equity = [100.0, 110, 99, 108.9]
        let trip = { (pnl: Double) in
            RoundTrip(id: 1, strategy: "s", instrument: Volta_V1_Instrument(), quantity: 1, entryTime: 0, entryPrice: 1, exitTime: 1,
                      exitPrice: 1, exitReason: "closed", pnl: pnl, commission: 0, underlyingAtEntry: 0, ivAtEntry: 0, deltaAtEntry: 0)
        }
        let m = PerformanceMetrics(equity: equity, trips: [trip(30), trip(-10), trip(-20)], exposedDays: 2, traded: 50, commissions: 3)
        #expect(abs(m["total_return"]! - 0.089) < 1e-12)
        // Returns 0.1, −0.1, 0.1: mean 1/30, sample sd 0.11547.
        #expect(abs(m["sharpe"]! - (0.1 / 3) / (0.2 / 3.0.squareRoot()) * 252.0.squareRoot()) < 1e-9)
        #expect(abs(m["omega"]! - 2) < 1e-12)
        #expect(abs(m["max_drawdown"]! - -0.1) < 1e-12)
        #expect(m["trades"] == 3 && abs(m["win_rate"]! - 1.0 / 3) < 1e-12)
        #expect(m["profit_factor"] == 1 && m["expectancy"] == 0 && m["avg_win"] == 30 && m["avg_loss"] == -15)
        #expect(m["exposure"] == 0.5 && m["commissions"] == 3)
        #expect(m.values.map(\.key) == ["total_return", "cagr", "annual_volatility", "sharpe", "sortino", "max_drawdown", "max_drawdown_days",
                                        "calmar", "omega", "tail_ratio", "var_95", "cvar_95", "trades", "win_rate", "profit_factor",
                                        "expectancy", "avg_win", "avg_loss", "exposure", "turnover", "commissions"])
    }
}
