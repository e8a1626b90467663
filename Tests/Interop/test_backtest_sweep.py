#!/usr/bin/env python3
"""`backtest sweep`, `merge` and `walkforward` on the fixture (October 2018, real S&P 500 bars):
a 2×2 grid in two shards merged back into the same sweep.csv as the whole grid in one go (each
run's metrics equal to a single `backtest run` of its point), and walk-forward windows that tile
the span with their stitched out-of-sample equity.

    test_backtest_sweep.py BIN_DIR
"""
import csv, json, os, subprocess, sys, tempfile

bin_dir = sys.argv[1]
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
config = os.path.join(root, "Tests", "BacktestTests", "Fixtures", "monthly-calls-2018.json")
backtest = f"{bin_dir}/backtest"
failures = []


def run(*args):
    return subprocess.run([backtest, *args], check=True, capture_output=True, text=True, timeout=900)


def rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


grid = ["--grid", "strategy.timed_bracket.delta=0.2,0.4", "--grid", "backtest.fill_k=0.5,1"]
span = ["--from", "2018-10-01", "--to", "2018-10-02"]
with tempfile.TemporaryDirectory() as tmp:
    run("sweep", "--config", config, *span, *grid, "--jobs", "2", "--out", f"{tmp}/whole")
    for shard in ("0", "1"):
        run("sweep", "--config", config, *span, *grid, "--jobs", "2", "--shard", f"{shard}/2", "--out", f"{tmp}/shard-{shard}")
    run("merge", "--out", f"{tmp}/merged", f"{tmp}/shard-0", f"{tmp}/shard-1")
    whole, merged = rows(f"{tmp}/whole/sweep.csv"), rows(f"{tmp}/merged/sweep.csv")
    if len(whole) != 4 or [r["run"] for r in whole] != ["0", "1", "2", "3"]:
        failures.append(f"sweep: {len(whole)} runs, expected the grid's 4 in order")
    if whole != merged:
        failures.append("merge: two shards merged differ from the whole grid run at once")
    if any(r["error"] for r in whole):
        failures.append(f"sweep: runs failed: {[r['error'] for r in whole if r['error']]}")
    if "<table>" not in open(f"{tmp}/whole/heatmap.html").read():
        failures.append("sweep: no heatmap table")
    # Each point as a run of its own gives the same metrics.
    point = whole[3]
    run("run", "--config", config, *span, "--set", f"strategy.timed_bracket.delta={point['strategy.timed_bracket.delta']}",
        "--set", f"backtest.fill_k={point['backtest.fill_k']}", "--out", f"{tmp}/single")
    single = json.load(open(f"{tmp}/single/metrics.json"))
    for key in ("total_return", "trades", "commissions"):
        if abs(float(point[key] or 0) - float(single[key] or 0)) > 1e-9:
            failures.append(f"sweep: run 3's {key} {point[key]} differs from a single run's {single[key]}")

    run("walkforward", "--config", config, "--from", "2018-10-01", "--to", "2018-10-08", "--train", "2", "--test", "2",
        "--optimize", "total_return", "--grid", "strategy.timed_bracket.delta=0.2,0.4", "--jobs", "2", "--out", f"{tmp}/wf")
    windows = rows(f"{tmp}/wf/walkforward.csv")
    stitched = rows(f"{tmp}/wf/equity.csv")
    # 2018-10-01..08 is 6 sessions: windows test 10-03..04, 10-05..08 (train 2, test 2, roll 2).
    if [(w["test_from"], w["test_to"]) for w in windows] != [("2018-10-03", "2018-10-04"), ("2018-10-05", "2018-10-08")]:
        failures.append(f"walkforward: windows {[(w['train_from'], w['train_to'], w['test_from'], w['test_to']) for w in windows]}")
    if [r["date"] for r in stitched] != ["2018-10-03", "2018-10-04", "2018-10-05", "2018-10-08"]:
        failures.append(f"walkforward: stitched dates {[r['date'] for r in stitched]}")
    if not all(w["best"] for w in windows):
        failures.append("walkforward: a window without a chosen point")

if failures:
    sys.exit("backtest sweep/merge/walkforward:\n  " + "\n  ".join(failures))
print("backtest sweep, merge and walkforward: shards merge to the whole grid, points match single runs, windows tile the span")
