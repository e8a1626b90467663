extension DashboardPage {
    /// The market panel's script: each underlying's price with a sparkline (the VIX first), and
    /// the chosen expiry's chain beside its smile (the market's out-of-the-money mid IVs as dots,
    /// the pricer's fitted SVI slice as a line). Runs in the page's script element, after the
    /// main script, whose helpers (`api`, `num`, `quietly`) it uses.
    static let marketScript = #"""
let chainSymbol = localStorage.getItem("voltaChainSymbol") || "";
let chainExpiry = "";

/// An inline SVG line (the HTML parser gives it the SVG namespace; the numbers are the page's own).
function sparkline(points, colour) {
  const box = document.createElement("div");
  let line = "";
  if (points.length >= 2) {
    const ts = points.map((p) => p[0]), vs = points.map((p) => p[1]);
    const t0 = ts[0], t1 = ts[ts.length - 1] === t0 ? t0 + 1 : ts[ts.length - 1];
    let lo = Math.min(...vs), hi = Math.max(...vs);
    if (hi - lo < 1e-9) { hi += 0.5; lo -= 0.5; }
    const xy = points.map((p) => ((p[0] - t0) / (t1 - t0) * 120).toFixed(1) + "," + (28 - (p[1] - lo) / (hi - lo) * 26).toFixed(1)).join(" ");
    line = '<polyline fill="none" stroke="' + colour + '" stroke-width="1.5" vector-effect="non-scaling-stroke" points="' + xy + '"/>';
  }
  box.innerHTML = '<svg viewBox="0 0 120 30" preserveAspectRatio="none">' + line + "</svg>";
  return box.firstChild;
}

async function loadMarket() {
  const data = await api("/api/market");
  const el = $("#quotes");
  el.textContent = "";
  if (!data.underlyings.length) { el.innerHTML = '<div class="empty">no prices heard yet</div>'; return; }
  for (const u of data.underlyings) {
    const card = document.createElement("div");
    card.className = "quote" + (u.volatility_index ? " vix" : "");
    card.dataset.symbol = u.symbol;
    card.dataset.points = String(u.points.length);
    const k = document.createElement("div"); k.className = "k";
    k.textContent = u.symbol + (u.volatility_index ? " (volatility)" : "") + (u.stale ? " · stale" : "");
    const v = document.createElement("div"); v.className = "v";
    v.textContent = num(u.price);
    const c = document.createElement("span");
    c.className = signClass(u.change) + " dim";
    c.style.fontSize = "12px";
    c.textContent = isNum(u.change_pct) ? "  " + (u.change >= 0 ? "+" : "") + num(u.change_pct, 2) + "%" : "";
    c.title = isNum(u.since_ns) ? "since " + time(u.since_ns) : "";
    v.appendChild(c);
    const colour = u.volatility_index ? "#d29922" : (u.change < 0 ? "#f85149" : "#3fb950");
    card.append(k, v, sparkline(u.points, colour));
    el.appendChild(card);
  }
  const sel = $("#chainsymbol");
  const choices = data.underlyings.filter((u) => !u.volatility_index).map((u) => u.symbol);
  if (sel.options.length !== choices.length) {
    sel.textContent = "";
    for (const s of choices) sel.add(new Option(s, s));
    if (!choices.includes(chainSymbol)) chainSymbol = choices.includes("SPY") ? "SPY" : (choices[0] || "");
    sel.value = chainSymbol;
    quietly(loadChain);
  }
}

async function loadChain() {
  if (!chainSymbol) return;
  const q = new URLSearchParams({ underlying: chainSymbol });
  if (chainExpiry) q.set("expiry", chainExpiry);
  let data;
  try { data = await api("/api/market/chain?" + q); }
  catch (e) {
    $("#chainnote").textContent = e.message;
    $("#chain").textContent = "";
    if (e.status === 404 && chainExpiry) { chainExpiry = ""; }
    drawSmile(null);
    return;
  }
  chainExpiry = data.expiry;
  const sel = $("#chainexpiry");
  if ([...sel.options].map((o) => o.value).join() !== data.expiries.join()) {
    sel.textContent = "";
    for (const e of data.expiries) sel.add(new Option(e, e));
  }
  sel.value = data.expiry;
  $("#chainnote").textContent = "forward " + num(data.forward) + " · " + data.rows.length + " strikes" + (data.notes.length ? " · " + data.notes.join("; ") : "");
  drawChain(data);
  drawSmile(data);
}

function drawChain(data) {
  const el = $("#chain");
  el.textContent = "";
  el.dataset.rows = String(data.rows.length);
  const head = el.createTHead().insertRow();
  for (const h of ["Bid", "Ask", "IV", "Δ", "Strike", "Bid", "Ask", "IV", "Δ"]) {
    const th = document.createElement("th"); th.textContent = h; if (h === "Strike") th.className = "strike"; head.appendChild(th);
  }
  const body = el.createTBody();
  const f = data.forward;
  let atm = null;
  for (const r of data.rows) if (isNum(f) && (atm === null || Math.abs(r.strike - f) < Math.abs(atm - f))) atm = r.strike;
  const cells = (side, itm) => [side && side.bid, side && side.ask, side && side.iv, side && side.delta].map((v, i) => {
    const text = i === 2 ? (isNum(v) ? num(100 * v, 1) + "%" : "–") : num(v, i === 3 ? 3 : 2);
    return [text, itm ? "itm" : ""];
  });
  for (const r of data.rows) {
    const tr = body.insertRow();
    const row = [...cells(r.call, isNum(f) && r.strike < f), [num(r.strike), "strike"], ...cells(r.put, isNum(f) && r.strike > f)];
    for (const [text, cls] of row) {
      const td = tr.insertCell(); td.textContent = text;
      td.className = cls + (r.strike === atm ? " atm" : "");
    }
  }
  const at = [...body.rows].find((tr) => tr.querySelector("td.atm"));
  // The money strike in the middle of the table's own scroll box, once per choice (the page stays put).
  if (at && !el.dataset.scrolled) { el.dataset.scrolled = "1"; const box = el.parentElement; box.scrollTop = at.offsetTop - box.clientHeight / 2; }
}

function drawSmile(data) {
  const canvas = $("#smile");
  const { g, width, height } = chartCanvas(canvas, 600, 320);
  const market = data ? data.smile.market : [], fit = data ? data.smile.fit : [];
  canvas.dataset.points = String(market.length);
  canvas.dataset.fit = String(fit.length);
  if (!market.length && !fit.length) {
    g.fillStyle = "#8a99aa"; g.fillText("No implied volatilities for this expiry yet.", 16, height / 2); return;
  }
  const xs = market.map((p) => p.strike).concat(fit.map((p) => p.strike));
  const ys = market.map((p) => p.iv).concat(fit.map((p) => p.iv));
  const x0 = Math.min(...xs), x1 = Math.max(...xs) === x0 ? x0 + 1 : Math.max(...xs);
  let lo = Math.min(...ys), hi = Math.max(...ys);
  const pad = Math.max(0.01, (hi - lo) * 0.08); lo = Math.max(0, lo - pad); hi += pad;
  const left = 48, right = 10, top = 22, bottom = 24;
  const X = (k) => left + (k - x0) / (x1 - x0) * (width - left - right);
  const Y = (v) => top + (hi - v) / (hi - lo) * (height - top - bottom);
  g.strokeStyle = "#263140"; g.lineWidth = 1; g.fillStyle = "#8a99aa";
  for (let i = 0; i <= 4; i++) {
    const v = lo + (hi - lo) * i / 4;
    g.beginPath(); g.moveTo(left, Y(v)); g.lineTo(width - right, Y(v)); g.stroke();
    g.fillText(num(100 * v, 1) + "%", 4, Y(v) + 4);
  }
  g.fillText(num(x0, 0), left, height - 6);
  const endLabel = num(x1, 0); g.fillText(endLabel, width - right - g.measureText(endLabel).width, height - 6);
  if (isNum(data.forward) && data.forward > x0 && data.forward < x1) {
    g.strokeStyle = "#8a99aa"; g.setLineDash([4, 4]); g.beginPath(); g.moveTo(X(data.forward), top); g.lineTo(X(data.forward), height - bottom); g.stroke(); g.setLineDash([]);
    g.fillText("F " + num(data.forward), X(data.forward) + 4, height - bottom - 4);
  }
  if (fit.length) {
    g.strokeStyle = "#58a6ff"; g.lineWidth = 2; g.beginPath();
    fit.forEach((p, i) => i ? g.lineTo(X(p.strike), Y(p.iv)) : g.moveTo(X(p.strike), Y(p.iv)));
    g.stroke();
  }
  for (const p of market) {
    g.fillStyle = p.right === "P" ? "#f0883e" : "#3fb950";
    g.beginPath(); g.arc(X(p.strike), Y(p.iv), 3, 0, 2 * Math.PI); g.fill();
  }
  const legend = [["#f0883e", "put mid IV"], ["#3fb950", "call mid IV"], ["#58a6ff", "fitted SVI"]];
  legend.forEach(([c, label], i) => { g.fillStyle = c; g.fillRect(left + 10 + i * 110, 8, 10, 3); g.fillStyle = "#8a99aa"; g.fillText(label, left + 24 + i * 110, 13); });
  g.fillText(data.underlying + " " + data.expiry, width - right - g.measureText(data.underlying + " " + data.expiry).width, 13);
}

$("#chainsymbol").onchange = () => { chainSymbol = $("#chainsymbol").value; localStorage.setItem("voltaChainSymbol", chainSymbol); chainExpiry = ""; $("#chain").dataset.scrolled = ""; quietly(loadChain); };
$("#chainexpiry").onchange = () => { chainExpiry = $("#chainexpiry").value; $("#chain").dataset.scrolled = ""; quietly(loadChain); };
quietly(loadMarket);
setInterval(() => quietly(loadMarket), 5000);
setInterval(() => quietly(loadChain), 10000);
"""#
}
