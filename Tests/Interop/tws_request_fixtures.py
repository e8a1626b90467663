"""The requests IB's Python clients send, as fixtures for Volta's TWS encoder.

Each line is `client|server version|name|fields` with `|` for the NUL after each field. The
same requests are built by Tests/TWSTests/RequestEncodingTests.swift, which compares its bytes
with this file; test_tws_requests.py regenerates the file from the installed clients and
compares, so Volta's encoder is checked against the clients themselves, not a copy of them.

Usage: python3 tws_request_fixtures.py > ../TWSTests/Fixtures/requests.txt
"""
import sys


def common_calls(client, aapl, spy, execution_filter):
    """The requests both clients make, the same way."""
    return [
        ("startApi", lambda: client.startApi()),
        ("reqMktData stock", lambda: client.reqMktData(1001, aapl, "100,101,106", False, False, [])),
        ("reqMktData option", lambda: client.reqMktData(1002, spy, "", False, False, [])),
        ("cancelMktData", lambda: client.cancelMktData(1001)),
        ("reqContractDetails", lambda: client.reqContractDetails(5, spy)),
        ("reqSecDefOptParams", lambda: client.reqSecDefOptParams(6, "SPY", "", "STK", 756733)),
        ("reqHistoricalData", lambda: client.reqHistoricalData(7, aapl, "", "30 D", "1 day", "TRADES", 1, 1, False, [])),
        ("reqPositions", lambda: client.reqPositions()),
        ("reqAccountUpdates", lambda: client.reqAccountUpdates(True, "DU1234567")),
        ("reqExecutions", lambda: client.reqExecutions(8, execution_filter)),
        ("reqIds", lambda: client.reqIds(1)),
        ("reqMarketDataType", lambda: client.reqMarketDataType(3)),
        ("reqGlobalCancel", lambda: client.reqGlobalCancel()),
        ("reqOpenOrders", lambda: client.reqOpenOrders()),
        ("reqAllOpenOrders", lambda: client.reqAllOpenOrders()),
        ("cancelOrder", lambda: client.cancelOrder(42)),
    ]


def ib_async_requests(version=178):
    from ib_async.client import Client
    from ib_async.contract import ComboLeg, Contract, Option, Stock
    from ib_async.objects import ExecutionFilter, TagValue
    from ib_async.order import LimitOrder, MarketOrder, Order, StopOrder

    sent = []
    client = Client(wrapper=None)
    client._serverVersion = version
    client.connState = Client.CONNECTED
    client.clientId = 7
    client.sendMsg = lambda msg: sent.append(msg)

    spy = Option("SPY", "20261218", 450.0, "C", "SMART", multiplier="100", currency="USD", tradingClass="SPY")
    spy.conId = 0
    aapl = Stock("AAPL", "SMART", "USD")
    combo = Contract(symbol="SPY", secType="BAG", exchange="SMART", currency="USD",
                     comboLegs=[ComboLeg(conId=111, ratio=1, action="BUY", exchange="SMART"),
                                ComboLeg(conId=222, ratio=1, action="SELL", exchange="SMART")])

    def record(name, call):
        sent.clear()
        call()
        yield f"ib_async|{version}|{name}|" + sent[-1].replace("\0", "|")

    limit = LimitOrder("BUY", 100, 150.25, orderRef="volta-1", tif="DAY")
    stop = StopOrder("SELL", 1, 2.5, account="DU1234567", ocaGroup="oca-1", ocaType=1, parentId=41, transmit=False)
    adaptive = MarketOrder("BUY", 5, algoStrategy="Adaptive", algoParams=[TagValue("adaptivePriority", "Urgent")])
    credit = LimitOrder("BUY", 2, -1.25)
    trail = Order(action="SELL", totalQuantity=3, orderType="TRAIL", trailingPercent=5.0, trailStopPrice=140.0)
    calls = common_calls(client, aapl, spy, ExecutionFilter()) + [
        ("placeOrder limit", lambda: client.placeOrder(42, aapl, limit)),
        ("placeOrder stop child", lambda: client.placeOrder(43, spy, stop)),
        ("placeOrder adaptive", lambda: client.placeOrder(44, aapl, adaptive)),
        ("placeOrder combo", lambda: client.placeOrder(45, combo, credit)),
        ("placeOrder trail", lambda: client.placeOrder(46, aapl, trail)),
    ]
    for name, call in calls:
        yield from record(name, call)


def ibapi_requests(version=157):
    from ibapi.client import EClient
    from ibapi.contract import Contract
    from ibapi.execution import ExecutionFilter
    from ibapi.wrapper import EWrapper

    sent = []

    class Capture:
        def isConnected(self):
            return True

        def sendMsg(self, msg):
            sent.append(msg)

    client = EClient(EWrapper())
    client.conn = Capture()
    client.serverVersion_ = version
    client.connState = EClient.CONNECTED
    client.clientId = 7
    client.optCapab = ""
    aapl = Contract()
    aapl.symbol, aapl.secType, aapl.exchange, aapl.currency = "AAPL", "STK", "SMART", "USD"
    spy = Contract()
    spy.symbol, spy.secType, spy.exchange, spy.currency = "SPY", "OPT", "SMART", "USD"
    spy.lastTradeDateOrContractMonth, spy.strike, spy.right, spy.multiplier, spy.tradingClass = "20261218", 450.0, "C", "100", "SPY"

    calls = common_calls(client, aapl, spy, ExecutionFilter())
    for name, call in calls:
        sent.clear()
        call()
        payload = sent[-1][4:].decode() if isinstance(sent[-1], bytes) else sent[-1]
        yield f"ibapi|{version}|{name}|" + payload.replace("\0", "|")


def fixtures():
    return list(ibapi_requests()) + list(ib_async_requests())


if __name__ == "__main__":
    sys.stdout.write("\n".join(fixtures()) + "\n")
