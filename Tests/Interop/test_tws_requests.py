#!/usr/bin/env python3
"""The request fixtures Volta's TWS encoder is tested against (Tests/TWSTests/Fixtures/requests.txt)
are what the installed ibapi and ib_async send today: regenerated here and compared.

    test_tws_requests.py BIN_DIR   (the directory is not used)
"""
import os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tws_request_fixtures  # noqa: E402

committed = open(os.path.join(HERE, "..", "TWSTests", "Fixtures", "requests.txt")).read().splitlines()
fresh = tws_request_fixtures.fixtures()
stale = [f"{a}\n    now: {b}" for a, b in zip(committed, fresh) if a != b]
ok = len(committed) == len(fresh) and not stale
print(("ok   " if ok else "FAIL ") + f"{len(fresh)} request fixtures match ibapi and ib_async" + ("" if ok else ":\n" + "\n".join(stale)))
print(f"{int(ok)} passed, {int(not ok)} failed")
sys.exit(0 if ok else 1)
