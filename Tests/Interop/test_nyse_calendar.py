#!/usr/bin/env python3
"""`marketdata calendar` against exchange_calendars' XNYS, every day from 2000 to 2030: the same
sessions, each with the same open and close in New York time.

    test_nyse_calendar.py BIN_DIR
"""
import json, subprocess, sys

import exchange_calendars as xcals

bin_dir = sys.argv[1]
out = subprocess.run([f"{bin_dir}/marketdata", "calendar", "--from", "2000-01-01", "--to", "2030-12-31"],
                     check=True, capture_output=True, text=True).stdout
volta = {d["date"]: (d["open"], d["close"]) for d in map(json.loads, out.splitlines())}

xnys = xcals.get_calendar("XNYS", start="2000-01-01", end="2030-12-31")
schedule = xnys.schedule
opens = schedule.open.dt.tz_convert("America/New_York").dt.strftime("%H:%M")
closes = schedule.close.dt.tz_convert("America/New_York").dt.strftime("%H:%M")
oracle = {d.strftime("%Y-%m-%d"): (opens[d], closes[d]) for d in schedule.index}

missing = sorted(set(oracle) - set(volta))
extra = sorted(set(volta) - set(oracle))
different = sorted(d for d in set(oracle) & set(volta) if oracle[d] != volta[d])
for name, days in (("missing", missing), ("extra", extra), ("different", different)):
    for d in days[:10]:
        print(f"{name}: {d} volta={volta.get(d)} exchange_calendars={oracle.get(d)}")
if missing or extra or different:
    sys.exit(f"calendar: {len(missing)} missing, {len(extra)} extra, {len(different)} different of {len(oracle)} sessions")

# Bad dates are refused with a clear message and a non-zero exit.
bad = subprocess.run([f"{bin_dir}/marketdata", "calendar", "--from", "2026-13-01", "--to", "2027-01-01"],
                     capture_output=True, text=True)
assert bad.returncode != 0 and "--from" in bad.stderr, bad.stderr
print(f"calendar: {len(oracle)} sessions 2000-2030 identical to exchange_calendars XNYS")
