extension DashboardPage {
    /// The page's script: loads each panel from the API, keeps it current from the event stream,
    /// and sends the operator's clicks (kill switch, flatten, confirm, veto, parameters, run now).
    static let script = #"""
"use strict";
const $ = (s) => document.querySelector(s);
let token = localStorage.getItem("voltaToken") || "";
if (location.hash.startsWith("#token=")) {
  token = decodeURIComponent(location.hash.slice(7));
  localStorage.setItem("voltaToken", token);
  history.replaceState(null, "", location.pathname);
}
let range = "month";

async function api(path, options = {}) {
  const headers = {};
  if (token) headers["Authorization"] = "Bearer " + token;
  if (options.body) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { ...options, headers });
  const text = await response.text();
  let body = text;
  try { body = JSON.parse(text); } catch (_) {}
  if (!response.ok) {
    const error = new Error((body && body.error) || ("HTTP " + response.status));
    error.status = response.status;
    throw error;
  }
  return body;
}

function toast(message, isError) {
  const t = $("#toast");
  t.textContent = message;
  t.className = isError ? "err" : "";
  t.style.display = "block";
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.style.display = "none"; }, 5000);
}

const isNum = (v) => typeof v === "number" && isFinite(v);
const num = (v, d = 2) => isNum(v) ? v.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d }) : "–";
const money = (v) => isNum(v) ? (v < 0 ? "−$" : "$") + Math.abs(v).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : "–";
const signClass = (v) => isNum(v) ? (v > 0 ? "pos" : v < 0 ? "neg" : "") : "dim";
const time = (ns) => isNum(ns) && ns > 0 ? new Date(ns / 1e6).toLocaleString() : "–";

/// columns: [label, key, format, classOf]
function table(el, columns, rows, emptyText, rowExtra) {
  el.textContent = "";
  const head = el.createTHead().insertRow();
  for (const c of columns) { const th = document.createElement("th"); th.textContent = c[0]; head.appendChild(th); }
  if (rowExtra) head.appendChild(document.createElement("th"));
  const body = el.createTBody();
  if (!rows.length) {
    const td = body.insertRow().insertCell();
    td.colSpan = columns.length + (rowExtra ? 1 : 0);
    td.className = "empty";
    td.textContent = emptyText;
    return;
  }
  for (const row of rows) {
    const tr = body.insertRow();
    for (const [, key, format, classOf] of columns) {
      const td = tr.insertCell();
      const v = row[key];
      td.textContent = format ? format(v, row) : (v === null || v === undefined ? "–" : String(v));
      if (classOf) td.className = classOf(v, row);
    }
    if (rowExtra) rowExtra(tr.insertCell(), row);
  }
}

function cards(list) {
  const el = $("#cards");
  el.textContent = "";
  for (const [label, value, cls, id] of list) {
    const card = document.createElement("div");
    card.className = "card";
    if (id) card.id = id;
    const k = document.createElement("div"); k.className = "k"; k.textContent = label;
    const v = document.createElement("div"); v.className = "v " + (cls || ""); v.textContent = value;
    card.append(k, v);
    el.appendChild(card);
  }
}

async function loadBook() {
  const [greeks, risk, pnl] = await Promise.all([api("/api/positions/greeks"), api("/api/positions/risk"), api("/api/pnl")]);
  const m = risk.metrics || {};
  const acct = (risk.accounts || [])[0] || {};
  cards([
    ["Net delta (sh)", num(greeks.net.delta, 1)], ["Net gamma", num(greeks.net.gamma, 3)],
    ["Theta / day", money(greeks.net.theta), signClass(greeks.net.theta)], ["Vega / vol pt", money(greeks.net.vega)],
    ["Maint. margin", money(acct.margin)], ["Margin used", isNum(acct.margin_used_pct) ? num(acct.margin_used_pct, 1) + "%" : "–"],
    ["Buying power", money(acct.buying_power)], ["Net liquidation", money(acct.net_liquidation)],
    ["Max loss (stops)", money(m.max_loss === null || m.max_loss === undefined ? null : -m.max_loss), "neg", "maxloss"],
    ["Max profit (TP)", money(m.max_profit), "pos", "maxprofit"],
    ["Realized P&L", money(pnl.realized), signClass(pnl.realized)], ["Unrealized P&L", money(pnl.unrealized), signClass(pnl.unrealized)],
    ["Total P&L", money(pnl.total), signClass(pnl.total), "totalpnl"], ["Realized today", money(pnl.realized_today), signClass(pnl.realized_today)],
  ]);
  table($("#limits"), [["Limit", "name"], ["Used", "used", (v) => num(v)], ["Limit", "limit", (v) => num(v)],
    ["Used %", "used_pct", (v) => isNum(v) ? num(v, 1) + "%" : "–", (v) => isNum(v) && v >= 80 ? "neg" : ""]],
    risk.limits || [], "no risk state heard yet");
  table($("#greeks"), [["Underlying", "underlying"], ["Positions", "positions"], ["Delta", "delta", (v) => num(v, 1)],
    ["Gamma", "gamma", (v) => num(v, 3)], ["Theta/day", "theta", money, signClass], ["Vega/pt", "vega", money],
    ["Unrealized", "unrealized_pnl", money, signClass]], greeks.by_underlying || [], "no positions");
}

async function loadPositions() {
  const data = await api("/api/positions");
  table($("#positions"), [
    ["Instrument", "instrument"], ["Account", "account", null, () => "l dim"], ["Qty", "quantity"],
    ["Avg cost", "avg_cost", (v) => num(v)], ["Mark", "mark", (v) => num(v)],
    ["P&L", "unrealized_pnl", money, signClass], ["DTE", "days_to_expiry"],
    ["Underlying", "underlying_price", (v) => num(v)], ["Stop", "stop_level", (v) => num(v)],
    ["Stop status", "stop_status", (v) => v || "–", () => "l"], ["Delta", "delta", (v) => num(v, 3)], ["IV", "iv", (v) => isNum(v) ? num(100 * v, 1) + "%" : "–"],
  ], data.positions, "no open positions", (td, row) => {
    const b = document.createElement("button");
    b.textContent = "Close";
    b.className = "close";
    b.onclick = () => closePosition(row);
    td.appendChild(b);
  });
  $("#positions").dataset.rows = String(data.positions.length);
}

async function closePosition(row) {
  if (!confirm("Close " + row.quantity + " " + row.instrument + " at a smart limit?")) return;
  const key = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now());
  try {
    const r = await api("/api/trade/trigger", { method: "POST", body: JSON.stringify({ action: "close", account: row.account, instrument: row.instrument, key }) });
    toast("Close sent: " + r.intent_id + " (" + r.stage + ")");
  } catch (e) { failed(e); }
}

/// A chart's canvas sized to its box at the screen's pixel ratio, cleared: its context and size.
function chartCanvas(canvas, defaultWidth, defaultHeight) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || defaultWidth, height = canvas.clientHeight || defaultHeight;
  canvas.width = width * ratio; canvas.height = height * ratio;
  const g = canvas.getContext("2d");
  g.scale(ratio, ratio);
  g.clearRect(0, 0, width, height);
  g.font = "12px system-ui, sans-serif";
  return { g, width, height };
}

function drawEquity(points) {
  const canvas = $("#equity");
  const { g, width, height } = chartCanvas(canvas, 900, 260);
  canvas.dataset.points = String(points.length);
  if (points.length === 0) {
    g.fillStyle = "#8a99aa";
    g.fillText("No P&L history yet: the recorder adds a point every recorder.snapshot_s.", 16, height / 2);
    return;
  }
  // Drawn in this order so the total, the line that matters, stays on top.
  const series = [["realized", "#58a6ff"], ["unrealized", "#d29922"], ["total", "#3fb950"]];
  const xs = points.map((p) => p.ts_ns);
  const values = points.flatMap((p) => series.map(([k]) => p[k]).filter(isNum));
  let lo = Math.min(0, ...values), hi = Math.max(0, ...values);
  if (hi - lo < 1) { hi += 1; lo -= 1; }
  const x0 = Math.min(...xs), x1 = Math.max(...xs) === x0 ? x0 + 1 : Math.max(...xs);
  const left = 70, right = 10, top = 20, bottom = 24;
  const X = (t) => left + (t - x0) / (x1 - x0) * (width - left - right);
  const Y = (v) => top + (hi - v) / (hi - lo) * (height - top - bottom);
  g.strokeStyle = "#263140"; g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const v = lo + (hi - lo) * i / 4;
    g.beginPath(); g.moveTo(left, Y(v)); g.lineTo(width - right, Y(v)); g.stroke();
    g.fillStyle = "#8a99aa"; g.fillText(money(v), 4, Y(v) + 4);
  }
  g.strokeStyle = "#8a99aa"; g.beginPath(); g.moveTo(left, Y(0)); g.lineTo(width - right, Y(0)); g.stroke();
  g.fillStyle = "#8a99aa";
  g.fillText(new Date(x0 / 1e6).toLocaleString(), left, height - 6);
  const endLabel = new Date(x1 / 1e6).toLocaleString();
  g.fillText(endLabel, width - right - g.measureText(endLabel).width, height - 6);
  series.forEach(([key, colour], i) => {
    g.strokeStyle = colour; g.lineWidth = key === "total" ? 3 : 2; g.beginPath();
    points.forEach((p, j) => { const y = Y(isNum(p[key]) ? p[key] : 0); j ? g.lineTo(X(p.ts_ns), y) : g.moveTo(X(p.ts_ns), y); });
    if (points.length === 1) { g.lineTo(X(points[0].ts_ns) + 4, Y(points[0][key] || 0)); }
    g.stroke();
    g.fillStyle = colour; g.fillRect(left + 10 + i * 110, 6, 10, 3); g.fillText(key, left + 24 + i * 110, 11);
  });
}

async function loadEquity() {
  const data = await api("/api/pnl/history?range=" + range);
  $("#equitynote").textContent = data.points.length + " points";
  drawEquity(data.points);
}

function tradeQuery() {
  const q = new URLSearchParams();
  if ($("#from").value) q.set("from", $("#from").value);
  if ($("#to").value) q.set("to", $("#to").value);
  q.set("status", $("#status").value);
  return q;
}

async function loadTrades() {
  const data = await api("/api/trades?" + tradeQuery());
  table($("#trades"), [
    ["Entry", "entry_ns", time], ["Exit", "exit_ns", time], ["Instrument", "instrument", null, () => "l"],
    ["Strategy", "strategy", null, () => "l"], ["Qty", "quantity"], ["Entry px", "entry_price", (v) => num(v)],
    ["Exit px", "exit_price", (v) => num(v)], ["Status", "status", null, () => "l"], ["Exit reason", "exit_reason", (v) => v || "–", () => "l"],
    ["P&L", "realized_pnl", money, signClass], ["Slippage", "slippage", (v) => num(v)],
  ], data.trades, "no trades in this range");
}

async function downloadCSV() {
  try {
    const q = tradeQuery(); q.set("format", "csv");
    const response = await fetch("/api/trades?" + q, { headers: token ? { "Authorization": "Bearer " + token } : {} });
    if (!response.ok) throw new Error((await response.json()).error);
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement("a"); a.href = url; a.download = "volta-trades.csv"; a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } catch (e) { failed(e); }
}

async function loadOrders() {
  const data = await api("/api/orders");
  table($("#orders"), [["Order", "order_id"], ["Instrument", "instrument", null, () => "l"], ["State", "state", null, () => "l"],
    ["Qty", "quantity"], ["Filled", "filled_quantity"], ["Limit", "limit_price", (v) => num(v)], ["Reprices", "reprices"]],
    data.pending, "no working orders");
}

async function loadStrategies() {
  const data = await api("/api/strategies");
  table($("#strategies"), [["Strategy", "strategy"], ["Trades", "trades"], ["Open", "open_trades"],
    ["Win rate", "win_rate", (v) => isNum(v) ? num(100 * v, 0) + "%" : "–"], ["Realized", "realized_pnl", money, signClass]],
    data.summary, "no trades yet");
  table($("#strategystates"), [["Strategy", "strategy", null, () => "l"], ["Key", "key", null, () => "l"], ["Status", "status", null, () => "l"],
    ["State", "summary", null, () => "l"], ["Worker", "worker", null, () => "l"], ["Updated", "updated_ns", time]],
    data.states || [], "no strategy state published yet");
  const enabled = new Set();
  for (const facts of Object.values(data.parameters)) for (const name of String(facts["strategy.enabled"] || "").split(",")) if (name) enabled.add(name.trim());
  const select = $("#runstrategy"), chosen = select.value;
  select.textContent = "";
  for (const name of [...enabled].sort()) { const o = document.createElement("option"); o.value = o.textContent = name; select.append(o); }
  if (enabled.has(chosen)) select.value = chosen;
  $("#runnow").hidden = enabled.size === 0;
}

// The enabled strategies' parameters as the workers run them; an editable one has a field and
// Save, refused with the reason when the value is not one the configuration would take.
async function loadParameters() {
  const data = await api("/api/strategies/parameters");
  const el = $("#params");
  if (el.contains(document.activeElement) && document.activeElement.tagName === "INPUT") return;
  el.textContent = "";
  const byStrategy = {};
  for (const p of data.parameters) (byStrategy[p.strategy] = byStrategy[p.strategy] || []).push(p);
  for (const [strategy, list] of Object.entries(byStrategy)) {
    const h = document.createElement("h2"); h.style.marginTop = "10px"; h.textContent = "Parameters: " + strategy;
    const t = document.createElement("table"); t.className = "params"; t.dataset.strategy = strategy;
    table(t, [["Parameter", "key", (v) => v.replace(/^strategy\.[^.]+\./, ""), () => "l"],
      ["Value", "value", null, () => "l"], ["From", "origin", (v) => v.replace(/^file .*\//, "file "), () => "l dim"]], list, "none", (td, row) => {
        if (!row.editable) { td.textContent = "fixed"; td.className = "dim"; td.title = "set in the configuration; a restart applies a change"; return; }
        const input = document.createElement("input"); input.size = 10; input.title = row.accepted + ". " + row.help;
        if (row.value.startsWith("(")) input.placeholder = row.value; else input.value = row.value;
        input.dataset.key = row.key;
        const save = document.createElement("button"); save.textContent = "Save"; save.className = "save";
        save.onclick = () => editParameter(row.key, input.value);
        td.append(input, " ", save);
        if (row.origin.startsWith("operator")) {
          const reset = document.createElement("button"); reset.textContent = "Reset"; reset.title = "back to the configured value";
          reset.onclick = () => editParameter(row.key, null);
          td.append(" ", reset);
        }
      });
    for (const [i, row] of list.entries()) t.tBodies[0].rows[i].title = row.help + " (" + row.accepted + "; default " + row["default"] + ")";
    el.append(h, t);
  }
  if (data.changes.length) {
    const h = document.createElement("h2"); h.style.marginTop = "10px"; h.textContent = "Parameter changes";
    const t = document.createElement("table"); t.id = "paramchanges";
    table(t, [["When", "ts_ns", time], ["Who", "who", null, () => "l"], ["Parameter", "key", null, () => "l"],
      ["From", "previous", null, () => "l"], ["To", "value", (v) => v === null ? "(configured)" : v, () => "l"]], data.changes.slice(0, 10), "");
    el.append(h, t);
  }
}

async function editParameter(key, value) {
  const body = value === null ? { key, reset: true } : { key, value };
  try {
    const r = await api("/api/strategies/parameters", { method: "POST", body: JSON.stringify(body) });
    toast(r.detail);
    document.activeElement && document.activeElement.blur();
    setTimeout(() => quietly(loadParameters), 500);
  } catch (e) { failed(e); }
}

function showRisk(risk) {
  if (!risk) return;
  const badge = $("#killstate");
  badge.textContent = "kill switch: " + risk.kill_switch;
  badge.dataset.state = risk.kill_switch;
  badge.className = "badge " + (risk.kill_switch === "ACTIVE" ? "ok" : risk.kill_switch === "HALTED" ? "bad" : "warn");
  $("#mode").textContent = "mode: " + risk.mode;
  for (const b of document.querySelectorAll("[data-kill]")) b.classList.toggle("active", b.dataset.kill === risk.kill_switch);
  if (risk.mode && document.activeElement !== $("#modeselect")) $("#modeselect").value = risk.mode;
  if (Array.isArray(risk.pending)) { waiting = risk.pending; drawPending(); }
}

// Intents risk holds for the operator; the countdown runs on the server's clock.
let waiting = [], serverOffsetMs = 0;
const countdown = (ns) => {
  if (!isNum(ns)) return "on Confirm";
  const s = Math.max(0, Math.ceil((ns / 1e6 - (Date.now() + serverOffsetMs)) / 1000));
  return s > 0 ? "in " + s + " s" : "going out";
};
// Rebuilt only when what waits changes, so a Confirm button never moves under the pointer;
// the countdowns tick in place.
let pendingShown = null;
function drawPending() {
  $("#waitingnote").textContent = waiting.length ? waiting.length + " intent(s) wait" : "";
  $("#pending").dataset.rows = String(waiting.length);
  const signature = JSON.stringify(waiting.map((w) => [w.intent_id, w.release_at_ns]));
  if (signature !== pendingShown) {
    pendingShown = signature;
    table($("#pending"), [["Intent", "intent_id", null, () => "l"], ["Strategy", "strategy", null, () => "l"],
      ["Order", "summary", null, () => "l"], ["Reason", "reason", null, () => "l"], ["Since", "first_seen_ns", time],
      ["Goes out", "release_at_ns", countdown, (v) => isNum(v) ? "caution" : "dim"]],
      waiting, "nothing waits for you (in confirm mode each intent waits here for Confirm or Veto)", (td, row) => {
        const ok = document.createElement("button"); ok.textContent = "Confirm"; ok.className = "confirm"; ok.onclick = () => decide(row, false);
        const no = document.createElement("button"); no.textContent = "Veto"; no.className = "veto danger"; no.onclick = () => decide(row, true);
        td.append(ok, " ", no);
      });
  }
  tickCountdowns();
}
function tickCountdowns() {
  document.querySelectorAll("#pending tbody tr").forEach((tr, i) => {
    if (waiting[i] && tr.cells.length > 5) tr.cells[5].textContent = countdown(waiting[i].release_at_ns);
  });
}
async function loadPending() {
  const d = await api("/api/intents/pending");
  serverOffsetMs = d.now_ns / 1e6 - Date.now();
  waiting = d.pending;
  if (document.activeElement !== $("#modeselect")) $("#modeselect").value = d.mode;
  drawPending();
}
async function decide(row, veto) {
  if (veto && !confirm("Veto " + row.summary + "?")) return;
  try {
    const r = await api("/api/intents/" + (veto ? "veto" : "confirm"), { method: "POST", body: JSON.stringify({ intent_id: row.intent_id }) });
    toast(row.intent_id + ": " + r.action);
    waiting = waiting.filter((w) => w.intent_id !== row.intent_id); drawPending();
  } catch (e) { failed(e); }
  quietly(loadPending);
}
async function setMode() {
  const mode = $("#modeselect").value;
  try { showRisk(await api("/api/mode", { method: "POST", body: JSON.stringify({ mode }) })); toast("Mode: " + mode); }
  catch (e) { failed(e); quietly(loadPending); }
}

async function loadStatus() {
  const s = await api("/api/status");
  showRisk(s.trading);
  $("#schedule").textContent = "Next scheduled trade: " + (s.next_scheduled ? time(s.next_scheduled.at_ns) + " (" + s.next_scheduled.strategy + ", " + s.next_scheduled.timer + ")" : "none (" + s.schedule + ")");
  table($("#services"), [["Service", "service"], ["Instance", "instance", null, () => "l"],
    ["State", "state", null, (v) => v === "RUNNING" ? "pos" : "neg"], ["Last heartbeat", "last_seen_ms_ago", (v) => num(v / 1000, 1) + " s ago"],
    ["Uptime", "uptime_ms", (v) => num(v / 60000, 1) + " min"], ["PID", "pid"], ["Version", "version"]],
    s.processes, "no heartbeats heard");
}

async function setKillSwitch(state) {
  if (!confirm("Set the kill switch to " + state + "?")) return;
  try { showRisk(await api("/api/killswitch", { method: "POST", body: JSON.stringify({ state }) })); toast("Kill switch: " + state); }
  catch (e) { failed(e); }
}

async function emergencyStop() {
  const reason = prompt("Emergency stop: every working order is cancelled and trading halts. Reason?");
  if (!reason) return;
  try { showRisk(await api("/api/killswitch", { method: "POST", body: JSON.stringify({ emergency_stop: reason }) })); toast("Emergency stop done"); }
  catch (e) { failed(e); }
}

async function loadAlerts() {
  const data = await api("/api/alerts");
  table($("#alerts"), [["Time", "time_ns", time], ["Level", "level", null, (v) => v === "critical" ? "neg" : v === "warning" ? "caution" : "dim"],
    ["Kind", "kind", null, () => "l"], ["Alert", "text", null, () => "l"]], data.alerts.slice(-12).reverse(), "no alerts yet");
}

let summaries = [];
async function loadSummary() {
  const data = await api("/api/summary/day");
  summaries = data.summaries;
  const select = $("#summarydate"), chosen = select.value;
  select.textContent = "";
  for (const s of summaries) { const o = document.createElement("option"); o.value = o.textContent = s.date; select.append(o); }
  if (summaries.some((s) => s.date === chosen)) select.value = chosen;
  showSummary();
}
function showSummary() {
  const s = summaries.find((x) => x.date === $("#summarydate").value) || summaries[0];
  $("#summary").textContent = s ? s.text : "no summary yet: one is made after each session's close";
  $("#summary").className = s ? "" : "dim";
}
async function summaryNow() {
  try { const r = await api("/api/summary/day", { method: "POST", body: "{}" }); toast("Summary of " + r.date + " made and sent"); }
  catch (e) { failed(e); }
  setTimeout(() => quietly(loadSummary), 500);
}

async function runNow() {
  const strategy = $("#runstrategy").value, force = $("#runforce").checked;
  if (!strategy) return;
  try {
    const r = await api("/api/trade/trigger", { method: "POST", body: JSON.stringify({ strategy, force }) });
    toast(strategy + ": " + r.detail);
  } catch (e) { failed(e); }
}

async function flattenAll() {
  const reason = prompt("Flatten: every working order is cancelled, then every position is closed at a smart limit. Reason?");
  if (!reason) return;
  const key = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now());
  try {
    const r = await api("/api/flatten", { method: "POST", body: JSON.stringify({ reason, key }) });
    toast("Flatten: " + r.intents.length + " close(s) sent");
  } catch (e) { failed(e); }
}

function failed(e) {
  if (e.status === 401 || e.status === 403) {
    toast(e.message + " — set the token with the Token button", true);
  } else toast(e.message, true);
}

function quietly(load) { return load().catch((e) => console.warn(e)); }
const loaders = {
  positions: [loadPositions, loadBook], orders: [loadOrders, loadTrades, loadBook, loadStrategies, loadPositions],
  account: [loadBook], risk: [loadBook, loadStatus, loadPending],
};
function refreshAll() {
  return Promise.all([loadBook, loadPositions, loadEquity, loadTrades, loadOrders, loadStrategies, loadStatus, loadAlerts, loadPending,
    loadParameters, loadSummary].map(quietly));
}

function connect() {
  const source = new EventSource("/api/events" + (token ? "?token=" + encodeURIComponent(token) : ""));
  source.addEventListener("hello", (e) => { $("#live").textContent = "live"; $("#live").className = "badge ok"; const h = JSON.parse(e.data); showRisk(h.risk); });
  source.addEventListener("risk", (e) => showRisk(JSON.parse(e.data)));
  source.addEventListener("alert", (e) => { quietly(loadAlerts); if (JSON.parse(e.data).kind === "summary") setTimeout(() => quietly(loadSummary), 500); });
  source.addEventListener("changed", (e) => {
    const due = new Set();
    for (const view of JSON.parse(e.data).views) for (const f of loaders[view] || []) due.add(f);
    due.forEach(quietly);
  });
  source.onerror = () => { $("#live").textContent = "reconnecting…"; $("#live").className = "badge warn"; };
}

for (const b of document.querySelectorAll("[data-kill]")) b.onclick = () => setKillSwitch(b.dataset.kill);
$("#estop").onclick = emergencyStop;
$("#flatten").onclick = flattenAll;
$("#runbtn").onclick = runNow;
$("#modeselect").onchange = setMode;
$("#summarynow").onclick = summaryNow;
$("#summarydate").onchange = showSummary;
$("#tokenbtn").onclick = () => { const t = prompt("Dashboard token (dashboard.token)", token); if (t !== null) { token = t; localStorage.setItem("voltaToken", t); } };
$("#apply").onclick = () => quietly(loadTrades);
$("#csv").onclick = downloadCSV;
for (const b of document.querySelectorAll("[data-range]")) b.onclick = () => {
  range = b.dataset.range;
  for (const o of document.querySelectorAll("[data-range]")) o.classList.toggle("active", o === b);
  quietly(loadEquity);
};
window.addEventListener("resize", () => quietly(loadEquity));
refreshAll().then(() => { document.body.dataset.loaded = "true"; });
connect();
setInterval(() => quietly(loadStatus), 2000);
setInterval(tickCountdowns, 1000);
setInterval(() => quietly(loadEquity), 15000);
setInterval(refreshAll, 30000);
"""#
}
