#!/usr/bin/env python3
"""Drives headless Chromium (Debian's) through the Chrome DevTools Protocol against a running
dashboard: waits for the page to fill, checks the positions table and the equity chart's pixels,
takes a screenshot, and works the kill switch by clicking its buttons and accepting the confirm
dialog, as a trader would.

    dashboard_browser.py URL TOKEN OUTDIR

Prints one JSON object with what it saw; exits 1 with a reason when a step fails.
Needs chromium and websocket-client (ops/install-deps.sh installs both).
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib

import websocket


def fail(message):
    print(json.dumps({"error": message}))
    sys.exit(1)


class Browser:
    def __init__(self, width=1400, height=2200):
        exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if not exe:
            fail("no chromium on PATH (apt-get install chromium)")
        self.profile = tempfile.mkdtemp(prefix="volta-chromium-")
        self.process = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", f"--user-data-dir={self.profile}",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 30
        while not os.path.exists(port_file) or not open(port_file).read().strip():
            if time.time() > deadline or self.process.poll() is not None:
                fail("chromium did not open its DevTools port")
            time.sleep(0.1)
        port = int(open(port_file).read().split()[0])
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events = []
        self.console = []

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        return self.next_id

    def receive(self):
        message = json.loads(self.ws.recv())
        if "method" in message:
            self.events.append(message)
            if message["method"] == "Runtime.consoleAPICalled":
                self.console.append(" ".join(str(a.get("value", a.get("description", ""))) for a in message["params"]["args"]))
        return message

    def call(self, method, **params):
        wanted = self.send(method, **params)
        while True:
            message = self.receive()
            if message.get("id") == wanted:
                if "error" in message:
                    fail(f"{method}: {message['error']}")
                return message.get("result", {})

    def wait_event(self, name, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for e in self.events:
                if e["method"] == name:
                    self.events.remove(e)
                    return e
            self.ws.settimeout(max(0.1, deadline - time.time()))
            try:
                self.receive()
            except websocket.WebSocketTimeoutException:
                break
        fail(f"no {name} within {timeout} s")

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            fail(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, what, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(expression):
                return
            time.sleep(0.25)
        fail(f"{what} within {timeout} s (console: {self.console[-5:]})")

    def click(self, selector):
        """A real mouse click at the element's centre. The press is answered at once; the release
        may open a confirm dialog, which blocks its answer until the dialog is handled."""
        # The element's centre, measured until the element is what lies there: rows arriving
        # between the measure and the press move the page, and a click that lands beside the
        # button opens no dialog (a loaded run waited 10 s for one).
        deadline = time.time() + 10
        while True:
            x, y, hit = self.evaluate(
                f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView({{block: 'center'}}); "
                f"const r = e.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2; "
                f"return [x, y, e.contains(document.elementFromPoint(x, y))]; }})()")
            if hit or time.time() > deadline:
                break
            time.sleep(0.1)
        self.call("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
        self.call("Input.dispatchMouseEvent", type="mousePressed", x=x, y=y, button="left", clickCount=1)
        return self.send("Input.dispatchMouseEvent", type="mouseReleased", x=x, y=y, button="left", clickCount=1)

    def close(self):
        try:
            self.ws.close()
        finally:
            self.process.kill()
            self.process.wait()
            shutil.rmtree(self.profile, ignore_errors=True)


def png_facts(data):
    """Width, height and the number of distinct row bytes of a PNG: a blank page has very few."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("the screenshot is not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    idat, pos = b"", 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    return width, height, len(set(raw[::97]))


def accept_dialog(b, release):
    """Accepts the confirm dialog a click opened, and waits for the click's own answer."""
    dialog = b.wait_event("Page.javascriptDialogOpening")
    b.call("Page.handleJavaScriptDialog", accept=True)
    while not any(e.get("id") == release for e in [b.receive()]):
        pass
    return dialog["params"]["message"]


def confirm_flow(b, url, out):
    """Confirm mode through the page: the mode chosen in its select, a position's Close clicked,
    the close waiting under "Waiting for you" until its Confirm button is clicked."""
    b.evaluate("(() => { const s = document.querySelector('#modeselect'); s.value = 'confirm'; s.dispatchEvent(new Event('change')); return true; })()")
    b.wait_for("document.querySelector('#mode').textContent === 'mode: confirm'", "the page did not show confirm mode", 15)
    dialog = accept_dialog(b, b.click("#positions tbody tr:first-child button.close"))
    b.wait_for("Number(document.querySelector('#pending').dataset.rows || 0) > 0",
               "the close did not wait on the page (toast: " + str(b.evaluate("document.querySelector('#toast').textContent"))
               + "; dialog: " + dialog + "; pending: " + urllib.request.urlopen(f"{url}/api/intents/pending").read().decode() + ")", 30)
    row = b.evaluate("Array.from(document.querySelector('#pending tbody tr').cells).slice(0, 4).map(c => c.textContent)")
    import base64
    png = base64.b64decode(b.call("Page.captureScreenshot", format="png")["data"])
    with open(os.path.join(out, "dashboard-confirm.png"), "wb") as f:
        f.write(png)
    b.call("Input.dispatchMouseEvent", type="mouseMoved", x=0, y=0)
    release = b.click("#pending tbody tr:first-child button.confirm")
    while not any(e.get("id") == release for e in [b.receive()]):
        pass
    b.wait_for("Number(document.querySelector('#pending').dataset.rows || 0) === 0", "the confirmed intent still waits", 30)
    b.evaluate("(() => { const s = document.querySelector('#modeselect'); s.value = 'auto'; s.dispatchEvent(new Event('change')); return true; })()")
    b.wait_for("document.querySelector('#mode').textContent === 'mode: auto'", "the page did not go back to auto", 15)
    return {"close_dialog": dialog, "waiting_row": row, "screenshot": os.path.join(out, "dashboard-confirm.png")}


def edit_parameter(b):
    """A strategy parameter edited in the Strategies panel: typed into its field, Saved, and shown
    back as the worker runs it, from the operator."""
    field = "#params input[data-key='strategy.stops.k']"
    b.wait_for(f"document.querySelector({json.dumps(field)}) !== null", "the stop manager's k has no field", 30)
    b.evaluate(f"(() => {{ const i = document.querySelector({json.dumps(field)}); i.focus(); i.value = '0.8'; return true; }})()")
    release = b.click(f"#params tr:has(input[data-key='strategy.stops.k']) button.save")
    while not any(e.get("id") == release for e in [b.receive()]):
        pass
    b.wait_for("document.querySelector('#toast').textContent.includes('strategy.stops.k = 0.8')", "the edit was not confirmed", 15)
    toast = b.evaluate("document.querySelector('#toast').textContent")
    b.wait_for(f"(document.querySelector({json.dumps(field)}) || {{}}).value === '0.8' && document.querySelector('#paramchanges') !== null",
               "the panel did not show the edit", 30)
    origin = b.evaluate("document.querySelector(\"#params tr:has(input[data-key='strategy.stops.k'])\").cells[2].textContent")
    return {"toast": toast, "origin": origin}


def look(b, url, out):
    """Only looks: the page loaded, its positions and working orders, a screenshot."""
    b.wait_for("Number(document.querySelector('#orders tbody').rows.length || 0) > 0 && "
               "!document.querySelector('#orders tbody td.empty')", "the page shows no working orders", 30)
    positions = b.evaluate("""Array.from(document.querySelectorAll('#positions tbody tr')).map(
        r => Array.from(r.cells).slice(0, 7).map(c => c.textContent))""")
    orders = b.evaluate("document.querySelectorAll('#orders tbody tr').length")
    market = market_panel(b)
    import base64
    png = base64.b64decode(b.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"])
    path = os.path.join(out, "dashboard-default.png")
    with open(path, "wb") as f:
        f.write(png)
    print(json.dumps({"positions": positions, "orders": orders, "market": market, "screenshot": path, "screenshot_bytes": len(png)}))


def market_panel(b):
    """The market panel: each price's card and sparkline, the chain's rows, the smile's dots and fitted line."""
    b.wait_for("""(() => { const c = document.querySelector('#quotes .quote[data-symbol="SPY"]');
        return !!(c && Number(c.dataset.points) >= 2 && c.querySelector('polyline')); })()""", "SPY's sparkline did not draw", 30)
    b.wait_for("Number(document.querySelector('#chain').dataset.rows || 0) > 0 && "
               "Number(document.querySelector('#smile').dataset.points || 0) > 3 && Number(document.querySelector('#smile').dataset.fit || 0) > 0",
               "the chain or its smile did not draw", 30)
    return b.evaluate("""(() => {
        const c = document.querySelector('#smile'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let fit = 0; for (let i = 0; i < d.length; i += 4) if (d[i + 2] > 200 && d[i + 2] > d[i] + 100 && d[i + 1] > 120 && d[i + 1] < 200) fit++;
        return { quotes: Array.from(document.querySelectorAll('#quotes .quote')).map(q => q.dataset.symbol),
                 chain_rows: Number(document.querySelector('#chain').dataset.rows), expiry: document.querySelector('#chainexpiry').value,
                 smile_points: Number(c.dataset.points), smile_fit: Number(c.dataset.fit), fit_pixels: fit,
                 chain_first: Array.from(document.querySelector('#chain tbody td.atm')?.parentElement.cells || []).map(x => x.textContent) }; })()""")


def main():
    url, token, out = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(out, exist_ok=True)
    b = Browser()
    try:
        for domain in ("Page", "Runtime"):
            b.call(f"{domain}.enable")
        b.call("Page.navigate", url=f"{url}/#token={token}")
        b.wait_for("document.body && document.body.dataset.loaded === 'true'", "the page did not load its data")
        b.wait_for("Number(document.querySelector('#positions').dataset.rows || 0) > 0", "the positions table stayed empty")
        if "--look" in sys.argv:
            return look(b, url, out)
        b.wait_for("document.querySelector('#live').textContent === 'live'", "the event stream did not connect")
        b.wait_for("Number(document.querySelector('#equity').dataset.points || 0) > 0", "the equity curve got no points")
        # The chart's own pixels: how many are the total line's green (#3fb950), anti-aliased edges included.
        chart_pixels = b.evaluate("""(() => {
            const c = document.querySelector('#equity'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i + 1] > 120 && d[i + 1] > d[i] + 60 && d[i + 1] > d[i + 2] + 40) n++;
            return n; })()""")
        positions = b.evaluate("""Array.from(document.querySelectorAll('#positions tbody tr')).map(
            r => Array.from(r.cells).slice(0, 7).map(c => c.textContent))""")
        pnl_classes = b.evaluate("Array.from(document.querySelectorAll('#positions tbody tr')).map(r => r.cells[5].className)")
        cards = b.evaluate("Array.from(document.querySelectorAll('#cards .card')).map(c => c.textContent)")
        services = b.evaluate("document.querySelectorAll('#services tbody tr').length")

        shot = b.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        import base64
        png = base64.b64decode(shot["data"])
        path = os.path.join(out, "dashboard.png")
        with open(path, "wb") as f:
            f.write(png)
        width, height, distinct = png_facts(png)

        # The kill switch through the UI: click, accept the confirm, see the state change.
        states = {}
        for button, state in (("#halt", "HALTED"), ("#resume", "ACTIVE")):
            release = b.click(button)
            dialog = b.wait_event("Page.javascriptDialogOpening")
            b.call("Page.handleJavaScriptDialog", accept=True)
            while not any(e.get("id") == release for e in [b.receive()]):
                pass
            b.wait_for(f"document.querySelector('#killstate').dataset.state === '{state}'", f"the kill switch did not show {state}", 15)
            states[button] = {"dialog": dialog["params"]["message"], "shown": state}
            if button == "#halt":
                states["api_after_halt"] = json.load(urllib.request.urlopen(f"{url}/api/status"))["trading"]["kill_switch"]

        confirm = confirm_flow(b, url, out)
        parameter = edit_parameter(b)

        print(json.dumps({
            "confirm": confirm, "parameter": parameter, "positions": positions, "pnl_classes": pnl_classes, "cards": cards, "services": services,
            "chart_pixels": chart_pixels, "screenshot": path, "screenshot_bytes": len(png),
            "screenshot_size": [width, height], "screenshot_distinct": distinct, "kill_switch": states,
        }))
    finally:
        b.close()


if __name__ == "__main__":
    main()
