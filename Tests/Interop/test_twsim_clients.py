#!/usr/bin/env python3
"""Third-party IB API clients against twsim, over loopback, with no Volta code in the client:

- ib_async (PyPI) connects, reads positions and account values, qualifies a stock and an
  option, sees the VIX and SPX quoted as TWS quotes an index (a last, no bid and no ask), reads the option chain, receives option quotes with model greeks, places a bracket
  order and sees the parent fill (with its commission), the children working, a position.
- IB's own client, ibapi 9.81 from PyPI (server version 157), completes a handshake and reqPositions.
- A second ib_async connection with the same client id is refused (error 326), as TWS does.

    test_twsim_clients.py BIN_DIR
Prints 'N passed, N failed' and exits non-zero on any failure.
"""
import asyncio, logging, os, subprocess, sys, threading

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug")
results = []
logging.basicConfig(level=logging.CRITICAL)


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {detail}"), flush=True)


def start_twsim():
    proc = subprocess.Popen([os.path.join(BIN, "twsim"), "--port", "0", "--tick-ms", "50", "--account-ms", "500",
                             "--log-level", "warning"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()  # "twsim listening on 127.0.0.1:PORT"
    return proc, int(line.rsplit(":", 1)[1])


async def with_ib_async(port):
    from ib_async import IB, Index, Option, Stock

    ib = IB()
    await ib.connectAsync("127.0.0.1", port, clientId=11, timeout=10)
    check("ib_async: handshake at server version 178", ib.client.serverVersion() == 178, ib.client.serverVersion())
    check("ib_async: the managed account is a paper account", ib.managedAccounts() == ["DU1234567"], ib.managedAccounts())
    values = {v.tag: v.value for v in ib.accountValues()}
    check("ib_async: account values", float(values.get("NetLiquidation", 0)) > 0, values)
    check("ib_async: positions start empty", ib.positions() == [], ib.positions())

    spy = Stock("SPY", "SMART", "USD")
    await ib.qualifyContractsAsync(spy)
    check("ib_async: stock qualified with a contract id", spy.conId > 0, spy)
    chains = await ib.reqSecDefOptParamsAsync("SPY", "", "STK", spy.conId)
    check("ib_async: option chain", chains and len(chains[0].expirations) > 3 and len(chains[0].strikes) > 10, chains)
    underlying = ib.reqMktData(spy)
    for _ in range(100):
        await asyncio.sleep(0.05)
        if underlying.bid > 0 and underlying.ask > 0:
            break
    check("ib_async: stock quotes", 0 < underlying.bid < underlying.ask, (underlying.bid, underlying.ask))

    # Indexes as TWS quotes them: a last and no market (−1 for the bid and the ask).
    for symbol in ("VIX", "SPX"):
        index = Index(symbol, "CBOE", "USD")
        await ib.qualifyContractsAsync(index)
        level = ib.reqMktData(index)
        for _ in range(100):
            await asyncio.sleep(0.05)
            if level.last > 0:
                break
        check(f"ib_async: {symbol} quoted by its last, with no bid or ask",
              index.conId > 0 and level.last > 0 and not level.bid > 0 and not level.ask > 0, (index, level.last, level.bid, level.ask))

    chain = chains[0]
    strike = min(chain.strikes, key=lambda k: abs(k - underlying.ask))
    option = Option("SPY", chain.expirations[1], strike, "C", "SMART", tradingClass=chain.tradingClass)
    await ib.qualifyContractsAsync(option)
    check("ib_async: option qualified", option.conId > 0 and option.multiplier == "100", option)
    ticker = ib.reqMktData(option, "100,101,106")
    for _ in range(100):
        await asyncio.sleep(0.05)
        if ticker.modelGreeks and ticker.bidGreeks and ticker.askGreeks and ticker.bid > 0:
            break
    g = ticker.modelGreeks
    check("ib_async: option greeks from tick 13", g is not None and 0.2 < g.delta < 0.8 and g.gamma > 0 and g.vega > 0
          and g.theta < 0 and 0.05 < g.impliedVol < 1 and abs(g.undPrice - underlying.ask) < 5, g)
    check("ib_async: option quotes", 0 < ticker.bid < ticker.ask, (ticker.bid, ticker.ask))
    b, a = ticker.bidGreeks, ticker.askGreeks
    check("ib_async: the bid's and the ask's computations (ticks 10, 11) around the model's volatility",
          b is not None and a is not None and 0 < b.impliedVol < g.impliedVol < a.impliedVol
          and abs(b.optPrice - ticker.bid) < 1e-9 and abs(a.optPrice - ticker.ask) < 1e-9, (b, a))

    bars = await ib.reqHistoricalDataAsync(spy, "", "30 D", "1 day", "TRADES", True)
    check("ib_async: daily bars", len(bars) == 30 and all(b.low <= b.close <= b.high for b in bars), len(bars))

    price = underlying.ask
    bracket = ib.bracketOrder("BUY", 10, limitPrice=round(price + 1, 2), takeProfitPrice=round(price + 40, 2),
                              stopLossPrice=round(price - 40, 2))
    bracket.parent.orderRef = "volta-parent"
    trades = [ib.placeOrder(spy, o) for o in bracket]
    for _ in range(100):
        await asyncio.sleep(0.05)
        if trades[0].orderStatus.status == "Filled" and all(t.orderStatus.status == "Submitted" for t in trades[1:]):
            break
    parent, profit, loss = trades
    check("ib_async: bracket parent filled", parent.orderStatus.status == "Filled" and parent.orderStatus.filled == 10,
          parent.orderStatus)
    check("ib_async: bracket children working", [t.orderStatus.status for t in (profit, loss)] == ["Submitted", "Submitted"],
          [t.orderStatus for t in (profit, loss)])
    for _ in range(40):
        await asyncio.sleep(0.05)
        if parent.fills and parent.fills[0].commissionReport.commission > 0:
            break
    check("ib_async: fill with execution and commission",
          sum(f.execution.shares for f in parent.fills) == 10 and parent.fills[0].commissionReport.commission > 0, parent.fills)
    for _ in range(40):
        await asyncio.sleep(0.05)
        if any(p.contract.symbol == "SPY" and p.position == 10 for p in ib.positions()):
            break
    check("ib_async: position after the fill", [(p.contract.symbol, p.position) for p in ib.positions()] == [("SPY", 10.0)],
          ib.positions())
    ib.cancelOrder(loss.order)
    for _ in range(40):
        await asyncio.sleep(0.05)
        if loss.orderStatus.status == "Cancelled":
            break
    check("ib_async: cancel", loss.orderStatus.status == "Cancelled", loss.orderStatus)

    # completedOrder (101) as ib_async decodes it: how a restarted gateway learns of an order
    # that ended with no execution. The filled parent and the cancelled stop; the target works on.
    completed = await ib.reqCompletedOrdersAsync(apiOnly=True)
    seen = sorted((t.order.action, t.order.orderType, t.order.totalQuantity, t.orderStatus.status, t.order.orderRef,
                   t.order.permId in (parent.order.permId, loss.order.permId), float(t.order.filledQuantity)) for t in completed)
    check("ib_async: completed orders", seen == [("BUY", "LMT", 10.0, "Filled", "volta-parent", True, 10.0),
                                                ("SELL", "STP", 10.0, "Cancelled", "", True, 0.0)], seen)

    twin = IB()
    refused = False
    try:
        await twin.connectAsync("127.0.0.1", port, clientId=11, timeout=3)
    except Exception:
        refused = True
    check("ib_async: a second connection with the same client id is refused", refused or not twin.isConnected())
    twin.disconnect()
    ib.disconnect()


def with_ibapi(port):
    from ibapi.client import EClient
    from ibapi.wrapper import EWrapper

    class App(EWrapper, EClient):
        def __init__(self):
            EClient.__init__(self, self)
            self.positions, self.ready, self.done = [], threading.Event(), threading.Event()

        def nextValidId(self, orderId):
            self.ready.set()

        def position(self, account, contract, position, avgCost):
            self.positions.append((account, contract.symbol, contract.secType, position, avgCost))

        def positionEnd(self):
            self.done.set()

        def error(self, reqId, code, message):
            pass

    app = App()
    app.connect("127.0.0.1", port, clientId=12)
    check("ibapi 9.81: handshake at server version 157", app.serverVersion() == 157, app.serverVersion())
    threading.Thread(target=app.run, daemon=True).start()
    check("ibapi 9.81: nextValidId after startApi", app.ready.wait(5))
    app.reqPositions()
    check("ibapi 9.81: reqPositions ends", app.done.wait(5))
    check("ibapi 9.81: the bracket's position", [(p[1], p[2], p[3]) for p in app.positions] == [("SPY", "STK", 10.0)],
          app.positions)
    app.disconnect()


def main():
    proc, port = start_twsim()
    try:
        asyncio.run(with_ib_async(port))
        with_ibapi(port)
    finally:
        proc.terminate()
        proc.wait(10)
    check("twsim exits cleanly on SIGTERM", proc.returncode == 0, proc.returncode)
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
