#!/usr/bin/env python3
"""QuantLib's timings for `bench quant`, measured in the same run: one JSON object of
microseconds per option. Python's call overhead is part of these numbers; they are what a
Python user of QuantLib gets, not QuantLib's C++ floor."""
import json, math, random, time
import QuantLib as ql

random.seed(1)
today = ql.Date(2, 1, 2026)
ql.Settings.instance().evaluationDate = today
dc = ql.Actual365Fixed()
spot = ql.SimpleQuote(100.0)
rate = ql.YieldTermStructureHandle(ql.FlatForward(today, 0.03, dc))
div = ql.YieldTermStructureHandle(ql.FlatForward(today, 0.01, dc))
vol = ql.SimpleQuote(0.25)
process = ql.BlackScholesMertonProcess(ql.QuoteHandle(spot), div, rate,
                                       ql.BlackVolTermStructureHandle(ql.BlackConstantVol(today, ql.NullCalendar(), ql.QuoteHandle(vol), dc)))


def per_option(options, work, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for o in options:
            work(o)
        best = min(best, (time.perf_counter() - start) / len(options))
    return best * 1e6


def vanillas(n, american=False):
    out = []
    for _ in range(n):
        payoff = ql.PlainVanillaPayoff(random.choice([ql.Option.Call, ql.Option.Put]), random.uniform(70, 130))
        expiry = today + random.randint(7, 730)
        exercise = ql.AmericanExercise(today, expiry) if american else ql.EuropeanExercise(expiry)
        out.append(ql.VanillaOption(payoff, exercise))
    return out


result = {}
options = vanillas(20000)
engine = ql.AnalyticEuropeanEngine(process)
for o in options:
    o.setPricingEngine(engine)
def bs(o):
    o.recalculate()  # prices now, whatever the cache holds
    o.NPV(); o.delta(); o.gamma(); o.vega(); o.theta(); o.rho()
result["bs_greeks"] = per_option(options, bs)
# Implied volatility where the price carries it (QuantLib's solver refuses the rest).
def solvable(o, p):
    try:
        o.impliedVolatility(p, process, 1e-12, 200, 1e-4, 5.0)
        return True
    except RuntimeError:
        return False
priced = [(o, o.NPV()) for o in options[:8000]]
priced = [(o, p) for o, p in priced if solvable(o, p)][:5000]
result["iv"] = per_option(priced, lambda p: p[0].impliedVolatility(p[1], process, 1e-12, 200, 1e-4, 5.0))
american = vanillas(5000, american=True)
for name, make in (("baw", ql.BaroneAdesiWhaleyApproximationEngine), ("bjs1993", ql.BjerksundStenslandApproximationEngine)):
    e = make(process)
    for o in american:
        o.setPricingEngine(e)
    result[name] = per_option(american, lambda o: (o.recalculate(), o.NPV()))
heston = ql.HestonModel(ql.HestonProcess(rate, div, ql.QuoteHandle(spot), 0.05, 2.0, 0.06, 0.7, -0.65))
he = ql.AnalyticHestonEngine(heston)
for o in options[:3000]:
    o.setPricingEngine(he)
result["heston"] = per_option(options[:3000], lambda o: (o.recalculate(), o.NPV()))
print(json.dumps(result))
