#!/usr/bin/env python3
"""Implied volatility ("Let's Be Rational") through `pricer price` against 60-digit mpmath, over
log-moneyness up to ±60 and σ√T from 1e-4 to 20, calls and puts, in and out of the money.

The price of each case is the exact Black price rounded once to a double; the implied σ must then
be within a few ulps of the true one, times the problem's own conditioning: how far σ moves when
the price moves by an ulp (price/(σ·vega)) and when ln(F/K) does (a double K carries x only to an
ulp). Cases where a double no longer holds any time value (price at intrinsic or at its bound,
or a subnormal time value) must answer with an error line, never a number.

    test_implied_volatility.py BIN_DIR
"""
import math, random, sys

from mpmath import mp, mpf, erfc, exp, log, sqrt

from oracle import pricer

mp.dps = 60
random.seed(20261121)


def Phi(z):
    return erfc(-z / sqrt(2)) / 2


def normalized_call(x, s):
    return Phi(x / s + s / 2) * exp(x / 2) - Phi(x / s - s / 2) * exp(-x / 2)


def normalized_vega(x, s):
    return exp(-((x / s) ** 2 + s * s / 4) / 2) / sqrt(2 * mp.pi)


cases, requests = [], []
for i in range(3000):
    x = random.choice([-1, 1]) * math.exp(random.uniform(math.log(1e-6), math.log(60)))
    s = math.exp(random.uniform(math.log(1e-4), math.log(20)))
    kind = random.choice(["call", "put"])
    K = math.exp(-x)  # F = 1, T = 1, r = 0: σ is s itself
    xm = -log(mpf(K))  # the moneyness the double K carries
    w = 1 if kind == "call" else -1
    price = float(normalized_call(w * xm, s) * sqrt(mpf(K)))  # a put at x is a call at −x
    cases.append((xm, s, kind, price, K))
    requests.append({"op": "iv", "model": "black76", "type": kind, "S": 1.0, "K": K, "T": 1, "r": 0, "price": price})

out = pricer(requests)
passed = failed = errors = 0
worst = 0.0
for (xm, s, kind, price, K), got in zip(cases, out):
    w = 1 if kind == "call" else -1
    intrinsic = max(w * (1.0 - K), 0.0)
    bound = 1.0 if kind == "call" else K
    otm = -abs(xm)
    time_value = normalized_call(otm, s) * sqrt(mpf(K))
    undeterminable = price - intrinsic <= 1e-12 * price or price >= bound or time_value < 1e-300
    if "error" in got:
        errors += 1
        if undeterminable:
            passed += 1
        else:
            failed += 1
            print(f"FAIL error for a determinable case x={float(xm)} s={s} {kind}: {got['error']}")
        continue
    if not undeterminable:
        S = mpf(s)
        vega = normalized_vega(otm, S)
        price_conditioning = float(normalized_call(w * xm, S) / (S * vega))
        dbdx = (Phi(otm / S + S / 2) * exp(otm / 2) + Phi(otm / S - S / 2) * exp(-otm / 2)) / 2
        moneyness_conditioning = float(dbdx / (S * vega))
        tolerance = 4e-15 * max(1, price_conditioning) + 1e-15 * moneyness_conditioning
        error = abs(got["iv"] - s) / s
        worst = max(worst, error / tolerance * 4e-15)
        if error > tolerance:
            failed += 1
            print(f"FAIL x={float(xm)} s={s} {kind}: iv={got['iv']!r} relative error {error:.2e} > {tolerance:.2e}")
            continue
    passed += 1
print(f"implied volatility: {len(cases)} cases, {errors} error lines (undeterminable in doubles), "
      f"worst error scaled by conditioning {worst:.1e}")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or not passed else 0)
