#!/usr/bin/env python3
"""The backtester's metrics against empyrical-reloaded (PyPI) on the same equity curve:
1. a five-year seeded random equity curve through `backtest metrics`, every return metric;
2. a real `backtest run` (three sessions of October 2018, Tests/BacktestTests/Fixtures): its
   metrics.json against empyrical on its own equity.csv, and its trade statistics against
   pandas on its trades.csv; and the run again gives byte-identical files.

    test_backtest_metrics.py BIN_DIR
"""
import json, math, os, subprocess, sys, tempfile

import empyrical as ep
import numpy as np
import pandas as pd

bin_dir = sys.argv[1]
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
failures = []


def compare(name, volta, oracle, source):
    if oracle is None or (isinstance(oracle, float) and not math.isfinite(oracle)):
        ok = volta is None
    else:
        ok = volta is not None and abs(volta - oracle) <= 1e-9 * max(1.0, abs(oracle))
    if not ok:
        failures.append(f"{source}: {name} volta={volta} empyrical={oracle}")


def check_returns(metrics, equity, source):
    r = equity.pct_change().dropna()
    oracle = {
        "total_return": ep.cum_returns_final(r),
        "cagr": ep.annual_return(r),
        "annual_volatility": ep.annual_volatility(r),
        "sharpe": ep.sharpe_ratio(r),
        "sortino": ep.sortino_ratio(r),
        "max_drawdown": ep.max_drawdown(r),
        "calmar": ep.calmar_ratio(r),
        "omega": ep.omega_ratio(r),
        "tail_ratio": ep.tail_ratio(r),
        "var_95": ep.value_at_risk(r, cutoff=0.05),
        "cvar_95": ep.conditional_value_at_risk(r, cutoff=0.05),
    }
    for name, value in oracle.items():
        compare(name, metrics[name], float(value), source)


seed = 20261206
with tempfile.TemporaryDirectory() as tmp:
    # 1. A long curve with a crash in it, through `backtest metrics`.
    rng = np.random.default_rng(seed)
    returns = rng.normal(0.0004, 0.011, 1258)
    returns[600:620] = -0.03
    equity = 100_000 * np.cumprod(1 + returns)
    curve = pd.DataFrame({"date": pd.bdate_range("2014-01-02", periods=len(equity)).strftime("%Y-%m-%d"),
                          "equity": np.round(equity, 2), "cash": np.round(equity, 2), "positions_value": 0.0, "drawdown": 0.0})
    path = os.path.join(tmp, "equity.csv")
    curve.to_csv(path, index=False, float_format="%.2f")
    out = subprocess.run([f"{bin_dir}/backtest", "metrics", "--equity", path], check=True, capture_output=True, text=True).stdout
    check_returns(json.loads(out), pd.read_csv(path)["equity"], f"random curve (seed {seed})")

    # 2. A real run, twice.
    config = os.path.join(root, "Tests", "BacktestTests", "Fixtures", "monthly-calls-2018.json")
    for run in ("a", "b"):
        subprocess.run([f"{bin_dir}/backtest", "run", "--config", config, "--out", os.path.join(tmp, run)], check=True,
                       capture_output=True, text=True, timeout=600)
    for name in ("equity.csv", "trades.csv", "orders.csv", "metrics.json", "report.html"):
        with open(os.path.join(tmp, "a", name), "rb") as a, open(os.path.join(tmp, "b", name), "rb") as b:
            if a.read() != b.read():
                failures.append(f"run: {name} differs between two runs of the same config and seed")
    metrics = json.load(open(os.path.join(tmp, "a", "metrics.json")))
    equity = pd.read_csv(os.path.join(tmp, "a", "equity.csv"))
    check_returns(metrics, equity["equity"], "backtest run")
    trades = pd.read_csv(os.path.join(tmp, "a", "trades.csv"))
    closed = trades[trades.exit_reason != "open"]
    compare("trades", metrics["trades"], float(len(closed)), "backtest run")
    compare("commissions", metrics["commissions"], float(trades.commission.sum()), "backtest run")
    if len(equity) != 3 or len(trades) < 1:
        failures.append(f"run: {len(equity)} equity rows and {len(trades)} trades (3 sessions and October's call expected)")

if failures:
    sys.exit("backtest metrics against empyrical:\n  " + "\n  ".join(failures))
print("backtest metrics: every metric matches empyrical (random curve of 1258 days, seed %d, and a real run)" % seed)
