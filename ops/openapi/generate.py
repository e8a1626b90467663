#!/usr/bin/env python3
"""Writes the dashboard's OpenAPI 3 document into Services/Dashboard/DashboardService/OpenAPIDocument+JSON.swift,
the one place it is kept: run it after changing an endpoint (`python3 ops/openapi/generate.py`).
OpenAPIDocumentTests fail when a route the dashboard registers is missing here; the schemathesis
test fuzzes a running dashboard against it."""
import json
import os
E = {"$ref": "#/components/responses/Error"}
def errs(*codes):
    return {str(c): E for c in codes}
def ok(schema, desc="OK", ctype="application/json"):
    return {"description": desc, "content": {ctype: {"schema": schema}}}
def obj(required=(), **props):
    s = {"type": "object", "properties": props}
    if required: s["required"] = list(required)
    return s
S = lambda **k: dict(type="string", **k)
I = lambda **k: dict(type="integer", **k)
N = lambda **k: dict(type="number", **k)
B = {"type": "boolean"}
ROWS = {"type": "array", "items": {"type": "object"}}
READ_ERRS = errs(400, 401, 502, 503)
WRITE_ERRS = errs(400, 401, 403, 502, 503)
def q(name, schema, desc):
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": desc}
account = q("account", S(minLength=1), "Only this account's rows (SIM1, DU1234567, …)")
date = lambda name, d: q(name, S(format="date"), d)
def get(summary, schema, params=(), extra=None, tag="read"):
    op = {"summary": summary, "tags": [tag], "responses": {"200": ok(schema), **READ_ERRS}}
    if params: op["parameters"] = list(params)
    if extra: op["responses"].update(extra)
    return {"get": op}
def post(summary, body, schema, extra=(), desc=None, body_required=True):
    op = {"summary": summary, "tags": ["write"], "security": [{"bearer": []}],
          "requestBody": {"required": body_required, "content": {"application/json": {"schema": body}}},
          "responses": {"200": ok(schema), **WRITE_ERRS, **errs(*extra)}}
    if desc: op["description"] = desc
    return {"post": op}
risk_summary = obj(["kill_switch", "mode"], kill_switch=S(enum=["ACTIVE", "REDUCING", "HALTED"]), mode=S(), net_liquidation=N(nullable=True),
                   day_pnl=N(nullable=True), pending=ROWS, pending_intents={"type": "array", "items": S()})
key = S(pattern="^[A-Za-z0-9_-]{8,64}$", description="Names this click: the same key again is the same order")
paths = {
  "/health": get("Liveness: the processes heard on the bus", obj(["status"], status=S(), processes_heard=I(), event_clients=I())),
  "/metrics": {"get": {"summary": "Every process's metrics in Prometheus text", "tags": ["read"],
                        "responses": {"200": ok(S(), ctype="text/plain"), **READ_ERRS}}},
  "/openapi.json": {"get": {"summary": "This document", "tags": ["read"], "responses": {"200": ok({"type": "object"}), **READ_ERRS}}},
  "/api/positions": get("Open positions with marks, greeks, stops", obj(["positions"], positions=ROWS), [account]),
  "/api/positions/greeks": get("Net and per-underlying greeks", obj(["net", "by_underlying"], net={"type": "object"}, by_underlying=ROWS,
                                                                    beta_weighted=ROWS, units=S()), [account]),
  "/api/positions/risk": get("Risk metrics, margin and limits", obj(["metrics", "accounts", "limits"], metrics={"type": "object"},
                                                                   accounts=ROWS, limits=ROWS, kill_switch=S(nullable=True))),
  "/api/trades": {"get": {"summary": "Trade history; ?format=csv downloads it", "tags": ["read"],
      "parameters": [date("from", "First New York date, YYYY-MM-DD"), date("to", "Last New York date"),
                     q("status", S(enum=["open", "closed", "all"]), "Which trades"), q("strategy", S(minLength=1), "Only this strategy's"),
                     account, q("format", S(enum=["json", "csv"]), "json (default) or csv")],
      "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": obj(["trades"], trades=ROWS)},
                                                            "text/csv": {"schema": S()}}}, **READ_ERRS}}},
  "/api/orders": get("Working orders", obj(["pending"], pending=ROWS)),
  "/api/strategies": get("Strategies: summary, states, parameters heard", obj(["summary", "states"], summary=ROWS, states=ROWS,
                                                                               parameters={"type": "object"})),
  "/api/strategies/parameters": {**get("The enabled strategies' parameters as the workers run them, and the edits made",
                                        obj(["parameters", "changes"], parameters={"type": "array", "items": obj(
                                            ["strategy", "key", "value", "origin", "editable"], strategy=S(), key=S(), value=S(), default=S(),
                                            accepted=S(), help=S(), origin=S(), editable=B)}, changes=ROWS)),
                                 **post("Edit a strategy parameter (validated like the configuration; kept; logged with who and when)",
                                        obj(["key"], key=S(minLength=1, example="strategy.putseller.target_delta"),
                                            value={"oneOf": [S(), N(), B]}, reset=B, who=S(maxLength=64)),
                                        obj(["key", "previous", "strategy", "who", "at_ns"], key=S(), value=S(nullable=True), previous=S(),
                                            strategy=S(), who=S(), at_ns=I(), detail=S()), extra=(409,))},
  "/api/pnl": get("Realized and unrealized P&L", obj(["realized", "unrealized", "total"], realized=N(), unrealized=N(), total=N(),
                                                     realized_today=N(), accounts=ROWS)),
  "/api/pnl/history": get("The equity curve", obj(["range", "points"], range=S(), points=ROWS),
                          [q("range", S(enum=["day", "week", "month", "all"]), "How far back"), account]),
  "/api/status": get("Processes, trading state, the next scheduled trade", obj(["processes", "now_ns"], processes=ROWS,
                      alive_by_service={"type": "object"}, trading={"type": "object", "nullable": True},
                      next_scheduled_trade=I(nullable=True), now_ns=I())),
  "/api/alerts": get("The latest alerts", obj(["alerts"], alerts={"type": "array", "items": obj(["kind", "level", "text", "time_ns"],
                      kind=S(), level=S(enum=["info", "warning", "critical"]), text=S(), time_ns=I())})),
  "/api/intents/pending": get("Intents risk holds for an operator (confirm and window modes)",
                              obj(["mode", "pending", "now_ns"], mode=S(), now_ns=I(), pending={"type": "array", "items": obj(
                                  ["intent_id", "summary"], intent_id=S(), strategy=S(), summary=S(), reason=S(), first_seen_ns=I(),
                                  release_at_ns=I(nullable=True))})),
  "/api/intents/confirm": post("Confirm an intent risk holds", obj(["intent_id"], intent_id=S(minLength=1, maxLength=200)),
                               obj(["intent_id", "action"], intent_id=S(), action=S(), verdict=S(), reason_code=S(), detail=S()), extra=(404,)),
  "/api/intents/veto": post("Veto an intent risk holds", obj(["intent_id"], intent_id=S(minLength=1, maxLength=200)),
                            obj(["intent_id", "action"], intent_id=S(), action=S(), verdict=S(), reason_code=S(), detail=S()), extra=(404,)),
  "/api/mode": post("Set risk's operating mode", obj(["mode"], mode=S(enum=["confirm", "window", "auto"])), risk_summary),
  "/api/killswitch": post("Set the kill switch, or an emergency stop (cancel every working order, then HALTED)",
                          {"oneOf": [obj(["state"], state=S(enum=["ACTIVE", "REDUCING", "HALTED"])),
                                     obj(["emergency_stop"], emergency_stop=S(minLength=1))]}, risk_summary),
  "/api/flatten": post("Cancel every working order, then close every position at smart limits",
                       obj(["key"], key=key, reason=S()), obj(["intents"], intents=ROWS)),
  "/api/trade/trigger": post("Run a strategy's routine now, or a trader's own order",
      {"oneOf": [obj(["strategy"], strategy=S(minLength=1, example="putseller"), force=B),
                 obj(["action", "account", "key", "instrument"], action=S(enum=["close"]), account=S(minLength=1), key=key,
                     instrument=S(minLength=1, example="SPY 2027-02-19 P 575"),
                     quantity=I(minimum=1, nullable=True, description="null or absent: the whole position")),
                 obj(["action", "account", "key", "underlying", "expiry", "right", "strike", "side", "quantity"], action=S(enum=["open"]),
                     account=S(minLength=1), key=key, underlying=S(minLength=1), expiry=S(format="date"), right=S(enum=["C", "P", "c", "p"]),
                     strike=N(minimum=0, exclusiveMinimum=True, maximum=1000000, exclusiveMaximum=True), side=S(enum=["BUY", "SELL", "buy", "sell"]), quantity=I(minimum=1),
                     limit=N(minimum=0, exclusiveMinimum=True, maximum=1000000, exclusiveMaximum=True, nullable=True, description="null or absent: execution's smart limit"))]},
      {"type": "object"}, extra=(404, 409),
      desc="With 'strategy': 404 for a strategy not enabled, 409 while the market is closed unless 'force'. Otherwise a manual trade, whose intent id is manual-<key>."),
  "/api/summary/day": {**get("Kept end-of-day summaries (30), or one day's", obj(["summaries"], summaries={"type": "array", "items": obj(
                                  ["date", "text"], date=S(), made_ns=I(), text=S(), summary={"type": "object", "nullable": True})}),
                             [date("date", "The NYSE session, YYYY-MM-DD")]),
                       **post("Make the end-of-day summary now (the last closed session, or 'date') and send it to the alert sinks",
                              obj([], date=S(format="date")), obj(["date", "text"], date=S(), made_ns=I(), text=S(), summary={"type": "object"}),
                              extra=(409,), body_required=False)},
  "/api/market": get("Each underlying's price (the volatility index first) with its recent path for a sparkline",
                     obj(["volatility_index", "underlyings"], volatility_index=S(), sample_every_s=N(), underlyings={"type": "array", "items": obj(
                         ["symbol", "price", "points"], symbol=S(), volatility_index=B, price=N(nullable=True), bid=N(nullable=True),
                         ask=N(nullable=True), stale=B, updated_ns=I(), change=N(nullable=True), change_pct=N(nullable=True),
                         since_ns=I(nullable=True), points={"type": "array", "items": {"type": "array", "items": N()},
                                                            "description": "[bus time ns, price], oldest first"})})),
  "/api/market/chain": get("One expiry's option chain (bid, ask, IV, delta by strike) and its smile: the market's mid IVs and the pricer's fitted SVI slice",
                           obj(["underlying", "expiry", "expiries", "rows", "smile"], underlying=S(), expiry=S(), expiries={"type": "array", "items": S()},
                               underlying_price=N(nullable=True), forward=N(nullable=True), rows=ROWS,
                               smile=obj(["market", "fit"], market=ROWS, fit=ROWS, model=S()), notes={"type": "array", "items": S()}),
                           [dict(q("underlying", S(pattern="^[A-Za-z0-9._-]{1,32}$"), "An underlying with listed options (SPY)"), required=True),
                            date("expiry", "YYYY-MM-DD; absent: the expiry nearest 30 days")], extra=errs(404)),
  "/api/events": {"get": {"summary": "Server-sent events: hello, risk, alert, changed (the views to refetch)", "tags": ["read"],
                          "responses": {"200": ok(S(), ctype="text/event-stream"), **READ_ERRS}}},
}
doc = {"openapi": "3.0.3",
       "info": {"title": "Volta dashboard API", "version": "1",
                "description": "Reads come from the recorder and the bus; writes go to risk, execution and the strategy hosts. Writes need 'Authorization: Bearer <dashboard.token>'; reads from outside 127.0.0.1 need it too. Every refusal is a JSON {\"error\": ...}: 400 a request to fix, 401/403 who may write, 404 nothing of that name, 409 not now, 502/503 a service behind the dashboard failed or is not running."},
       "paths": paths,
       "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                      "schemas": {"Error": obj(["error"], error=S(minLength=1))},
                      "responses": {"Error": {"description": "A refusal, with the reason", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}}
# One line per path and per top-level part: a reviewable diff without a 2,000-line file.
def compact(value):
    return json.dumps(value, separators=(", ", ": "), ensure_ascii=False)
parts = [f' {compact(k)}: {compact(v)}' for k, v in doc.items() if k != "paths"]
paths_text = ",\n".join(f"  {compact(k)}: {compact(v)}" for k, v in doc["paths"].items())
text = "{\n" + ",\n".join(parts[:2]) + ',\n "paths": {\n' + paths_text + "\n },\n" + ",\n".join(parts[2:]) + "\n}"
assert json.loads(text) == doc
swift = '''extension OpenAPIDocument {
    /// The document (OpenAPI 3.0): every endpoint, its parameters, bodies and answers. Written by
    /// ops/openapi/generate.py (edit that, not this); `OpenAPIDocumentTests` fails when a route is
    /// missing from it, and the schemathesis run fuzzes the running dashboard against it.
    static let json = #"""
''' + text + '''
"""#
}
'''
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
open(os.path.join(root, "Services/Dashboard/DashboardService/OpenAPIDocument+JSON.swift"), "w").write(swift)
