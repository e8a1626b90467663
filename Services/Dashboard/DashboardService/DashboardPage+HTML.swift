extension DashboardPage {
    /// The page: plain HTML, CSS and JavaScript, drawn from the API and kept current by the
    /// event stream (the page refetches the views an event names).
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Volta</title>
<style>
  :root { --bg:#0f1419; --panel:#171e26; --line:#263140; --text:#dde5ee; --dim:#8a99aa; --pos:#3fb950; --neg:#f85149; --warn:#d29922; --accent:#58a6ff; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--text); }
  header { display:flex; flex-wrap:wrap; gap:8px; align-items:center; padding:10px 16px; background:var(--panel); border-bottom:1px solid var(--line); position:sticky; top:0; }
  header h1 { font-size:18px; margin:0 12px 0 0; letter-spacing:.5px; }
  .spacer { flex:1; }
  .badge { padding:3px 8px; border-radius:10px; background:var(--line); font-size:12px; }
  .badge.ok { background:#1f4d2b; } .badge.bad { background:#5c1d1b; } .badge.warn { background:#5a4311; }
  button { background:var(--line); color:var(--text); border:1px solid #344255; border-radius:4px; padding:5px 10px; cursor:pointer; font:inherit; }
  button:hover { border-color:var(--accent); } button.danger { background:#5c1d1b; } button.active { outline:2px solid var(--accent); }
  main { padding:12px 16px; display:grid; gap:14px; grid-template-columns:repeat(auto-fit, minmax(560px, 1fr)); }
  section { background:var(--panel); border:1px solid var(--line); border-radius:6px; padding:10px 12px; overflow:auto; }
  section.wide { grid-column:1 / -1; }
  h2 { font-size:14px; margin:0 0 8px; color:var(--dim); text-transform:uppercase; letter-spacing:.6px; }
  .cards { display:grid; grid-template-columns:repeat(auto-fill, minmax(130px, 1fr)); gap:8px; }
  .card { background:var(--bg); border:1px solid var(--line); border-radius:4px; padding:6px 8px; }
  .card .k { color:var(--dim); font-size:11px; text-transform:uppercase; } .card .v { font-size:17px; font-variant-numeric:tabular-nums; }
  table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
  th, td { padding:4px 6px; border-bottom:1px solid var(--line); text-align:right; white-space:nowrap; }
  th { color:var(--dim); font-weight:normal; font-size:12px; } th:first-child, td:first-child { text-align:left; }
  td.l { text-align:left; } .pos { color:var(--pos); } .neg { color:var(--neg); } .dim { color:var(--dim); }
  .caution { color:#e0b040; } #runnow { margin-top:8px; } #runnow label { color:var(--dim); margin:0 8px; }
  .empty { color:var(--dim); padding:8px; }
  .filters { display:flex; flex-wrap:wrap; gap:6px; align-items:center; margin-bottom:8px; }
  input, select { background:var(--bg); color:var(--text); border:1px solid var(--line); border-radius:4px; padding:4px 6px; font:inherit; }
  canvas { width:100%; height:260px; background:var(--bg); border:1px solid var(--line); border-radius:4px; }
  #toast { position:fixed; right:16px; bottom:16px; max-width:420px; padding:10px 14px; border-radius:6px; background:#2d3a4b; display:none; }
  #toast.err { background:#5c1d1b; }
  pre { white-space:pre-wrap; margin:6px 0; font:13px/1.5 ui-monospace, monospace; }
  .quotes { display:grid; grid-template-columns:repeat(auto-fill, minmax(150px, 1fr)); gap:8px; margin-bottom:10px; }
  .quote { background:var(--bg); border:1px solid var(--line); border-radius:4px; padding:6px 8px; }
  .quote.vix { border-color:#6e5a1f; } .quote .k { color:var(--dim); font-size:11px; } .quote .v { font-size:17px; font-variant-numeric:tabular-nums; }
  .quote svg { display:block; width:100%; height:30px; margin-top:4px; }
  .chainwrap { display:grid; grid-template-columns:minmax(0, 1.4fr) minmax(0, 1fr); gap:12px; }
  .chaintable { max-height:420px; overflow:auto; } #chain td.atm { background:#1d2a3a; } #chain td.itm { background:#151f2a; }
  #chain th.strike, #chain td.strike { text-align:center; color:var(--text); font-weight:600; }
  canvas#smile { height:320px; }
  dl { display:grid; grid-template-columns:max-content 1fr; gap:2px 12px; margin:6px 0; } dt { color:var(--dim); } dd { margin:0; }
</style>
</head>
<body>
<header>
  <h1>Volta</h1>
  <span id="live" class="badge">connecting…</span>
  <span id="killstate" class="badge" data-state="">kill switch: ?</span>
  <span id="mode" class="badge dim">mode: ?</span>
  <span class="spacer"></span>
  <button id="resume" data-kill="ACTIVE">Resume trading</button>
  <button id="reduce" data-kill="REDUCING">Reduce only</button>
  <button id="halt" data-kill="HALTED">Halt (kill switch)</button>
  <button id="estop" class="danger">Emergency stop</button>
  <button id="flatten" class="danger" title="Cancel every working order, then close every position at smart limits">Flatten</button>
  <button id="tokenbtn" title="The dashboard.token for the kill switch and trades">Token</button>
</header>
<main>
  <section class="wide" id="waiting">
    <h2>Waiting for you</h2>
    <div class="filters">
      <label>Mode <select id="modeselect" title="confirm: every intent waits for Confirm; window: it goes out when its countdown ends unless vetoed; auto: at once">
        <option value="auto">auto</option><option value="window">window</option><option value="confirm">confirm</option></select></label>
      <span class="dim" id="waitingnote"></span>
    </div>
    <table id="pending"></table>
  </section>
  <section class="wide">
    <h2>Book</h2>
    <div class="cards" id="cards"></div>
  </section>
  <section class="wide" id="market">
    <h2>Market</h2>
    <div class="quotes" id="quotes"><div class="empty">no prices heard yet</div></div>
    <div class="filters">
      <label>Chain <select id="chainsymbol" title="An underlying with listed options"></select></label>
      <label>Expiry <select id="chainexpiry"></select></label>
      <span class="dim" id="chainnote"></span>
    </div>
    <div class="chainwrap">
      <div class="chaintable"><table id="chain"></table></div>
      <canvas id="smile" width="600" height="320"></canvas>
    </div>
  </section>
  <section class="wide">
    <h2>Open positions</h2>
    <table id="positions"></table>
  </section>
  <section>
    <h2>Equity curve</h2>
    <div class="filters" id="ranges">
      <button data-range="day">Day</button><button data-range="week">Week</button><button data-range="month" class="active">Month</button>
      <span class="dim" id="equitynote"></span>
    </div>
    <canvas id="equity" width="900" height="260"></canvas>
  </section>
  <section>
    <h2>Risk limits</h2>
    <table id="limits"></table>
    <h2 style="margin-top:12px">Greeks by underlying</h2>
    <table id="greeks"></table>
  </section>
  <section class="wide">
    <h2>Trade history</h2>
    <div class="filters">
      <label>From <input type="date" id="from"></label>
      <label>To <input type="date" id="to"></label>
      <label>Status <select id="status"><option value="all">all</option><option value="open">open</option><option value="closed">closed</option></select></label>
      <button id="apply">Apply</button>
      <button id="csv">Download CSV</button>
    </div>
    <table id="trades"></table>
  </section>
  <section>
    <h2>Pending orders</h2>
    <table id="orders"></table>
  </section>
  <section>
    <h2>Strategies</h2>
    <table id="strategies"></table>
    <table id="strategystates"></table>
    <p id="runnow"><select id="runstrategy" title="A strategy in strategy.enabled"></select>
      <label><input type="checkbox" id="runforce"> even if closed</label>
      <button id="runbtn" title="Run the strategy's routine now (POST /api/trade/trigger)">Run now</button></p>
    <div id="params"></div>
  </section>
  <section>
    <h2>Alerts</h2>
    <table id="alerts"></table>
  </section>
  <section>
    <h2>End of day</h2>
    <div class="filters"><select id="summarydate" title="A kept summary"></select>
      <button id="summarynow" title="Make the summary of the last closed session now (POST /api/summary/day)">Make now</button></div>
    <pre id="summary" class="dim">no summary yet: one is made after each session's close</pre>
  </section>
  <section class="wide">
    <h2>Services</h2>
    <p id="schedule" class="dim"></p>
    <table id="services"></table>
  </section>
</main>
<div id="toast"></div>
<script>
\#(script)
\#(marketScript)
</script>
</body>
</html>
"""#
}
