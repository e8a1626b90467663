"""What the oracle tests share: QuantLib's market objects on one evaluation date, `pricer price`
as a function, and a tally of checks. Imported by the test_*.py files; not a test itself."""
import json, os, subprocess, sys

import QuantLib as ql

BIN = sys.argv[1] if len(sys.argv) > 1 else ".build/debug"
today = ql.Date(2, 1, 2026)
ql.Settings.instance().evaluationDate = today
dc = ql.Actual365Fixed()


def curve(rate):
    """A flat continuously compounded curve."""
    return ql.YieldTermStructureHandle(ql.FlatForward(today, rate, dc, ql.Continuous))


def black_scholes_process(S, r, q, v):
    return ql.BlackScholesMertonProcess(ql.QuoteHandle(ql.SimpleQuote(S)), curve(q), curve(r),
                                        ql.BlackVolTermStructureHandle(ql.BlackConstantVol(today, ql.NullCalendar(), v, dc)))


def pricer(requests):
    """Runs `pricer price` on the requests (dicts; each gets its index as id) and returns the
    replies, one per request, in order."""
    lines = [json.dumps(dict(id=i, **q)) for i, q in enumerate(requests)]
    out = subprocess.run([os.path.join(BIN, "pricer"), "price"], input="\n".join(lines) + "\n",
                         capture_output=True, text=True, check=True).stdout.splitlines()
    return [json.loads(line) for line in out]


class Tally:
    """Counts checks, prints each failure, and ends the test with its exit status."""
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, message):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL", message)

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed or not self.passed else 0)
