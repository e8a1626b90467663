#!/usr/bin/env python3
"""Fetches real sample history for replay from the data bundled in the `arch` package (PyPI)
into data/ (git-ignored): S&P 500 and NASDAQ Composite daily bars 1999-2018 and the VIX
2014-2019 (closes only, written as bars whose open, high, low and close are the close).

    python3 ops/data/fetch-arch-data.py [OUT_DIR]      # installs arch with pip if missing
Then: gateway --set gateway.scenario=ops/scenarios/replay-2018.yaml
"""
import os, subprocess, sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "data")
os.makedirs(out, exist_ok=True)
try:
    import arch.data.nasdaq, arch.data.sp500, arch.data.vix
except ImportError:
    cmd = [sys.executable, "-m", "pip", "install", "-q", "arch"]
    if subprocess.call(cmd) != 0:
        subprocess.check_call(cmd + ["--break-system-packages"])
    import arch.data.nasdaq, arch.data.sp500, arch.data.vix

for name, module in (("sp500", arch.data.sp500), ("nasdaq", arch.data.nasdaq)):
    frame = module.load()
    path = os.path.join(out, f"{name}.csv")
    with open(path, "w") as f:
        f.write("date,open,high,low,close,volume\n")
        for day, row in frame.dropna().iterrows():
            f.write(f"{day:%Y-%m-%d},{row.Open},{row.High},{row.Low},{row.Close},{int(row.Volume)}\n")
    print(f"{path}: {len(frame)} bars {frame.index[0]:%Y-%m-%d}..{frame.index[-1]:%Y-%m-%d}")

vix = arch.data.vix.load().dropna()
path = os.path.join(out, "vix.csv")
with open(path, "w") as f:
    f.write("date,open,high,low,close\n")
    for day, row in vix.iterrows():
        f.write(f"{day:%Y-%m-%d},{row.vix},{row.vix},{row.vix},{row.vix}\n")
print(f"{path}: {len(vix)} closes {vix.index[0]:%Y-%m-%d}..{vix.index[-1]:%Y-%m-%d}")
