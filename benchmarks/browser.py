"""Browser benchmark: four user actions on a 10,000,000-row SQLite table in headless Chromium, against Datasette.

The same file (``orders``: id, created, region, customer, amount indexed, status not indexed; built once
under benchmarks/.data/) is opened by the real app (``python -m dash_app``) and, in the same run, by
Datasette (installed in its own venv under benchmarks/.data/, as benchmarks/grid.py does). Playwright drives
Chromium at 1440x900 with a fresh browser context for every measurement; each figure is the median of
``--repeat`` runs, Workbench and Datasette taking turns. Each time runs from the user's action to what the
user sees, read in the page at the first animation frame that shows it:

1. first rows: from the navigation's start to the first data row's cells on screen (Workbench: in the page's
   first screen, which its HTML carries, or in the grid; dash_app/first_screen.py);
2. sort by amount descending: from the first click (Workbench: the header, twice; Datasette: its column
   menu, then "Sort descending") to the first row showing the largest amount;
3. filter status = one value: from the value typed in the grid's column filter, set to "Equals" (Datasette:
   the filter form's Apply, "="), to the first rows of that status and the row count shown (a count given up
   counts as shown: the app's "counting was stopped", Datasette's heading without a number);
4. deep: from asking for row 5,000,000 (the grid's ensureIndexVisible; Datasette: its ``?_next=`` page)
   to a row with an id near it on screen; each run asks for a place no run read before (5.0M, 4.75M, ...).

It also prints the bytes the Data page loads (response bodies by resource type and bytes on the wire, from
Chrome's network events) and the time to an interactive Training page (Start enabled) and Compose page (its
canvas background shown), with their bytes. The last line is one JSON object.

    .venv/bin/python benchmarks/browser.py [--repeat 3] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from grid import DATA, ROWS, build_sqlite_once, datasette_python, free_port, log, start, stop

DB_PATH = DATA / "browser.sqlite"
DATABASE = DB_PATH.stem  # Datasette names the database after the file; the app is told the same name
# Filter values, one per repetition (the app keeps a view's grid count for a minute: each run filters anew).
STATUSES = ("cancelled", "refunded", "paid", "shipped", "open")
DEEP_ROW = 5_000_000
# Each run goes to a place no earlier run read (5.0M, 4.75M, 4.5M, ...): the app remembers where blocks it
# has read start (dash_app/data/paging.py), so going back to a place is a seek and would not measure a jump.
DEEP_STEP = 250_000


def deep_row(repetition: int) -> int:
    return DEEP_ROW - repetition * DEEP_STEP
VIEWPORT = {"width": 1440, "height": 900}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # as tests/browser/browser_support.py launches it
TIMEOUT_MS = 120_000
ACTIONS = ("first_rows", "sort", "filter", "deep")

# Helpers the predicates below use, installed in every page of a context (both apps).
PAGE_HELPERS = """
window.__bench = {
  num(text) { const t = (text || '').replace(/[,\\s\\u2248]/g, ''); return t === '' ? NaN : Number(t); },
  shown(el) {
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight && r.left < innerWidth;
  },
  gridCells(row) {
    return [...document.querySelectorAll(`#data-grid .ag-row[row-index='${row}'] .ag-cell`)].filter(c => this.shown(c));
  },
  gridRowLoaded(row) {
    const cells = this.gridCells(row);
    return cells.length >= 2 && cells.every(c => c.innerText.trim() !== '');
  },
  gridText(row, column) {
    const cell = this.gridCells(row).find(c => c.getAttribute('col-id') === column);
    return cell ? cell.innerText.trim() : '';
  },
  firstScreenRow() {  // the first row of the first screen's grid (dash_app/first_screen.py): its cells' text
    const cells = [...document.querySelectorAll('.app-first-screen .app-first-grid tbody tr:first-child td')]
      .filter(c => this.shown(c));
    return cells.length >= 2 && cells.every(c => c.innerText.trim() !== '') ? cells.map(c => c.innerText.trim()) : null;
  },
  tableText(row, column) {
    const cell = document.querySelector(`table.rows-and-columns tbody tr:nth-child(${row + 1}) td.col-${column}`);
    return this.shown(cell) ? cell.innerText.trim() : '';
  },
};
"""
READY = {
    "workbench": {
        "first_rows": "() => (__bench.gridRowLoaded(0) && __bench.num(__bench.gridText(0, 'id')) === 1)"
                      " || __bench.num((__bench.firstScreenRow() || [])[0]) === 1",
        "sort": "(max) => __bench.gridRowLoaded(0)"
                " && Math.abs(__bench.num(__bench.gridText(0, 'amount')) - max) < 0.005",
        "filter": """([value, before]) => {
            const count = (document.querySelector('#data-count')?.innerText || '').trim();
            return count !== '' && count !== before
                && [0, 1, 2, 3, 4].every(i => __bench.gridRowLoaded(i) && __bench.gridText(i, 'status') === value);
        }""",
        "deep": """([low, high]) => [...document.querySelectorAll("#data-grid .ag-cell[col-id='id']")].some(
            c => __bench.shown(c) && __bench.num(c.innerText) >= low && __bench.num(c.innerText) <= high
                 && __bench.gridRowLoaded(c.closest('.ag-row').getAttribute('row-index')))""",
    },
    "datasette": {
        "first_rows": "() => __bench.num(__bench.tableText(0, 'id')) === 1 && __bench.tableText(0, 'status') !== ''",
        "sort": "(max) => Math.abs(__bench.num(__bench.tableText(0, 'amount')) - max) < 0.005",
        "filter": """([value]) => document.querySelector('h3') !== null
            && [0, 1, 2, 3, 4].every(i => __bench.tableText(i, 'status') === value)""",
        "deep": "(first) => __bench.num(__bench.tableText(0, 'id')) === first",
    },
}
# What each side shows instead when it fails (an error message), as text; '' while it has not failed.
FAILED = {
    "workbench": """() => [...document.querySelectorAll('#data-alert .alert-danger, #data-grid-note .alert')]
        .map(a => a.innerText.trim()).join(' ')""",
    "datasette": """() => document.readyState !== 'loading' && !document.querySelector('form.filters')
        ? `${document.title}: ${document.querySelector('h1 + div')?.innerText || ''}` : ''""",
}
WORKBENCH_SORT_HEADER = ".ag-header-cell[col-id='amount'] .ag-header-cell-label"
WORKBENCH_FILTER_BUTTON = ".ag-header-cell[col-id='status'] .ag-header-cell-filter-button"
WORKBENCH_FILTER_INPUT = ".ag-filter .ag-input-field-input"
WORKBENCH_FILTER_OPERATOR = ".ag-filter .ag-filter-select .ag-picker-field-wrapper"


# ---- data ----------------------------------------------------------------------------------------

def build_table() -> None:
    """``orders``: 10M rows, amount indexed, status (five values) not; built once in SQL like grid.py's table."""
    build_sqlite_once(DB_PATH, f"""
        CREATE TABLE orders (id INTEGER PRIMARY KEY, created TIMESTAMP NOT NULL, region TEXT NOT NULL,
                             customer TEXT NOT NULL, amount REAL NOT NULL, status TEXT NOT NULL);
        WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {ROWS})
        INSERT INTO orders
        SELECT x, datetime(1600000000 + x * 3, 'unixepoch'),
               CASE x % 4 WHEN 0 THEN 'north' WHEN 1 THEN 'south' WHEN 2 THEN 'east' ELSE 'west' END,
               'customer ' || ((x * 7907) % 50000),
               ((x * 7919) % 1000003) / 100.0,
               CASE WHEN x % 50 = 0 THEN 'refunded' WHEN x % 10 = 1 THEN 'cancelled'
                    WHEN x % 10 IN (2, 3, 4) THEN 'shipped' WHEN x % 10 IN (5, 6) THEN 'paid' ELSE 'open' END
        FROM c;
        CREATE INDEX ix_orders_amount ON orders(amount);
    """)


def facts() -> dict:
    """What the pages must show: the largest amount and each status's row count."""
    with sqlite3.connect(f"file:{DB_PATH}?mode=ro", uri=True) as connection:
        largest = connection.execute("SELECT max(amount) FROM orders").fetchone()[0]
        counts = dict(connection.execute("SELECT status, count(*) FROM orders GROUP BY status"))
    connection.close()
    return {"max_amount": largest, "status_counts": counts}


# ---- servers ---------------------------------------------------------------------------------------

def start_workbench() -> tuple[subprocess.Popen, str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DASH_APP_")}
    environment["DASH_APP_DATABASES"] = json.dumps({DATABASE: f"sqlite:///{DB_PATH}"})
    command = [sys.executable, "-m", "dash_app", "--port", str(port), "--data-dir", str(DATA / "browser-app")]
    return start(command, base, environment, name="browser-app"), base


def start_datasette() -> tuple[subprocess.Popen | None, str, str]:
    """(process, base URL, version) of Datasette serving the file, or (None, "", why not)."""
    python, problem = datasette_python()
    if python is None:
        return None, "", problem
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    try:
        process = start([str(python), "-m", "datasette", "serve", str(DB_PATH), "-p", str(port)], base,
                        name="browser-datasette")
    except RuntimeError as error:
        return None, "", f"datasette did not serve: {error}"
    version = subprocess.run([str(python), "-m", "datasette", "--version"], capture_output=True, text=True)
    return process, base, version.stdout.strip().rsplit(" ", 1)[-1]


# ---- the browser -----------------------------------------------------------------------------------

def chromium_path(requested: str | None) -> str | None:
    """The Chromium to drive: --chromium / TEST_CHROMIUM, else /usr/bin/chromium, else Playwright's own (None)."""
    if requested:
        return requested
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


class Traffic:
    """What a page loads, from Chrome's network events: body bytes by resource type and bytes on the wire."""

    def __init__(self, context, page) -> None:
        self.kinds: dict[str, str] = {}
        self.urls: dict[str, str] = {}
        self.bodies: dict[str, int] = defaultdict(int)
        self.wire: dict[str, int] = {}
        session = context.new_cdp_session(page)
        session.on("Network.responseReceived", self._response)
        session.on("Network.dataReceived", self._data)
        session.on("Network.loadingFinished",
                   lambda event: self.wire.__setitem__(event["requestId"], event["encodedDataLength"]))
        session.send("Network.enable")

    def _response(self, event: dict) -> None:
        self.kinds[event["requestId"]] = event["type"]
        self.urls[event["requestId"]] = event["response"]["url"]

    def _data(self, event: dict) -> None:
        self.bodies[event["requestId"]] += event["dataLength"]

    def summary(self) -> dict:
        """{"body": {type: bytes}, "wire": {type: bytes}, "js": bytes, "transfer": bytes, "scripts": the
        largest scripts as [(file name, bytes)]}."""
        body, wire = defaultdict(int), defaultdict(int)
        for request, size in self.bodies.items():
            body[self.kinds.get(request, "Other")] += size
        for request, size in self.wire.items():
            wire[self.kinds.get(request, "Other")] += size
        scripts = sorted(((self.urls[request].split("?")[0].rsplit("/", 1)[-1], size)
                          for request, size in self.bodies.items() if self.kinds.get(request) == "Script"),
                         key=lambda item: -item[1])
        return {"body": dict(body), "wire": dict(wire), "js": body.get("Script", 0), "transfer": sum(wire.values()),
                "scripts": scripts[:5]}


def describe(traffic: dict) -> str:
    kinds = sorted(traffic["body"], key=lambda kind: -traffic["body"][kind])
    return ", ".join(f"{kind} {traffic['body'][kind] / 1e6:.2f} MB "
                     f"({traffic['wire'].get(kind, 0) / 1e6:.2f} on the wire)" for kind in kinds)


class NotShown(Exception):
    """The page showed an error, or nothing, instead of what the action should show."""


def shown_at(page, predicate: str, arg=None, failed: str = "() => ''") -> float:
    """Epoch ms (Date.now() in the page) of the first animation frame at which ``predicate(arg)`` holds.

    Raises NotShown with the page's message when ``failed()`` returns one first, or after TIMEOUT_MS.
    """
    try:
        handle = page.wait_for_function(
            f"(arg) => {{ if (({predicate})(arg)) return {{at: Date.now()}}; const failed = ({failed})();"
            " return failed ? {failed} : false; }", arg=arg, polling="raf", timeout=TIMEOUT_MS)
    except PlaywrightTimeout as error:
        raise NotShown(f"not shown within {TIMEOUT_MS / 1000:.0f} s") from error
    answer = handle.json_value()
    if "failed" in answer:
        raise NotShown(" ".join(answer["failed"].split())[:300])
    return answer["at"]


def now_ms() -> float:
    return time.time() * 1000  # the same clock as the page's Date.now()


def settle(page, timeout_ms: int = 15_000) -> None:
    """Let the page finish what it loads after the first screen (a user acts on a page that has loaded)."""
    try:
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
    except PlaywrightTimeout:
        pass  # a page that keeps polling never goes idle; it has loaded


class Session:
    """One browser; every measurement opens a fresh context (empty cache and storage) at 1440x900."""

    def __init__(self, browser, urls: dict[str, str], facts: dict) -> None:
        self.browser, self.urls, self.facts = browser, urls, facts

    def page(self):
        context = self.browser.new_context(viewport=VIEWPORT)
        context.add_init_script(PAGE_HELPERS)
        return context, context.new_page()

    @staticmethod
    def shown(page, side: str, action: str, arg=None) -> float:
        """When what ``action`` should show is on screen (epoch ms); NotShown when the side shows an error."""
        return shown_at(page, READY[side][action], arg, FAILED[side])

    def open_table(self, side: str, page, traffic: Traffic | None = None) -> float:
        """Open the table; seconds from the navigation's start to its first rows on screen."""
        page.goto(self.urls[side], wait_until="commit", timeout=TIMEOUT_MS)
        shown = self.shown(page, side, "first_rows")
        return (shown - page.evaluate("performance.timeOrigin")) / 1000

    def measure(self, side: str, action: str, repetition: int) -> tuple[float, dict]:
        """Seconds for one action in a fresh context, and what was seen (bytes, counts)."""
        context, page = self.page()
        try:
            if action == "first_rows":
                traffic = Traffic(context, page)
                seconds = self.open_table(side, page)
                settle(page)
                return seconds, traffic.summary()
            self.open_table(side, page)
            settle(page)
            return getattr(self, f"{side}_{action}")(page, repetition)
        finally:
            context.close()

    # -- Workbench ---------------------------------------------------------------------------------
    def workbench_sort(self, page, repetition: int) -> tuple[float, dict]:
        began = now_ms()
        page.click(WORKBENCH_SORT_HEADER)  # ascending
        page.click(WORKBENCH_SORT_HEADER)  # descending
        shown = self.shown(page, "workbench", "sort", self.facts["max_amount"])
        page.wait_for_function("() => dash_ag_grid.getApi('data-grid').getColumnState()"
                               ".some(c => c.colId === 'amount' && c.sort === 'desc')", timeout=TIMEOUT_MS)
        return (shown - began) / 1000, {}

    def workbench_filter(self, page, repetition: int) -> tuple[float, dict]:
        value = STATUSES[repetition % len(STATUSES)]
        page.click(WORKBENCH_FILTER_BUTTON)
        field = page.locator(WORKBENCH_FILTER_INPUT).first
        field.wait_for(timeout=TIMEOUT_MS)
        page.click(WORKBENCH_FILTER_OPERATOR)  # "Contains" by default: pick "Equals", as Datasette's form does
        page.get_by_role("option", name="Equals", exact=True).click()
        before = page.inner_text("#data-count").strip()
        began = now_ms()
        field.fill(value)
        shown = self.shown(page, "workbench", "filter", [value, before])
        page.wait_for_function("value => JSON.parse(new URLSearchParams(location.search).get('v') || '{}').f"
                               "?.status?.type === 'equals'", arg=value, timeout=TIMEOUT_MS)
        return (shown - began) / 1000, {"value": value, "count": page.inner_text("#data-count").strip()}

    def workbench_deep(self, page, repetition: int) -> tuple[float, dict]:
        row = deep_row(repetition)
        began = now_ms()
        page.evaluate("row => dash_ag_grid.getApiAsync('data-grid').then(api => api.ensureIndexVisible(row, 'top'))",
                      row - 1)
        shown = self.shown(page, "workbench", "deep", [row - 100, row + 100])
        return (shown - began) / 1000, {}

    # -- Datasette ---------------------------------------------------------------------------------
    def datasette_sort(self, page, repetition: int) -> tuple[float, dict]:
        began = now_ms()
        page.click("th.col-amount svg.dropdown-menu-icon")
        with page.expect_navigation(wait_until="commit", timeout=TIMEOUT_MS):
            page.click(".dropdown-menu a.dropdown-sort-desc")
        shown = self.shown(page, "datasette", "sort", self.facts["max_amount"])
        return (shown - began) / 1000, {}

    def datasette_filter(self, page, repetition: int) -> tuple[float, dict]:
        value = STATUSES[repetition % len(STATUSES)]
        page.select_option("select[name='_filter_column']", "status")
        page.select_option("select[name='_filter_op']", "exact")
        page.fill("input[name='_filter_value']", value)
        began = now_ms()
        with page.expect_navigation(wait_until="commit", timeout=TIMEOUT_MS):
            page.click(".filters input[type='submit']")
        shown = self.shown(page, "datasette", "filter", [value])
        return (shown - began) / 1000, {"value": value, "count": " ".join(page.inner_text("h3").split())}

    def datasette_deep(self, page, repetition: int) -> tuple[float, dict]:
        began = now_ms()
        row = deep_row(repetition)
        page.goto(f"{self.urls['datasette']}?_next={row}", wait_until="commit", timeout=TIMEOUT_MS)
        shown = self.shown(page, "datasette", "deep", row + 1)
        return (shown - began) / 1000, {}

    # -- the other pages ---------------------------------------------------------------------------
    def interactive(self, url: str, predicate: str) -> tuple[float, dict]:
        """Seconds from the navigation's start to ``predicate`` holding, and the page's bytes, in a fresh context."""
        context, page = self.page()
        try:
            traffic = Traffic(context, page)
            page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
            shown = shown_at(page, predicate)
            seconds = (shown - page.evaluate("performance.timeOrigin")) / 1000
            settle(page)
            return seconds, traffic.summary()
        finally:
            context.close()


# ---- measurements ----------------------------------------------------------------------------------

def run_actions(session: Session, sides: list[str], repeat: int, actions: tuple[str, ...] = ACTIONS
                ) -> tuple[dict, dict, dict]:
    """Median seconds per side and action (sides take turns, each first in every other run), the last
    first-rows page's bytes per side, and how many runs showed an error instead ("side_action": n); those
    are logged and left out of the medians."""
    times: dict[tuple[str, str], list[float]] = defaultdict(list)
    traffic: dict[str, dict] = {}
    failures: dict[str, int] = defaultdict(int)
    for side in sides:  # one unmeasured opening each: the servers' first request and the file's pages
        attempt(f"  warm-up    {side:<9}", session.measure, side, "first_rows", 0)
    for action in actions:
        for repetition in range(repeat):
            for side in (sides if repetition % 2 == 0 else sides[::-1]):
                label = f"  {action:<10} {side:<9} run {repetition + 1}:"
                measured = attempt(label, session.measure, side, action, repetition)
                if measured is None:
                    failures[f"{side}_{action}"] += 1
                    continue
                seconds, seen = measured
                times[side, action].append(seconds)
                if action == "first_rows":
                    traffic[side] = seen
                    seen = {"transfer_mb": round(seen["transfer"] / 1e6, 2)}
                log(f"{label} {seconds:6.3f} s" + (f"  {seen}" if seen else ""))
    return {key: statistics.median(values) for key, values in times.items()}, traffic, dict(failures)


def attempt(label: str, measurement, *args):
    """``measurement(*args)``, or None (logged) when the page showed an error or nothing instead."""
    try:
        return measurement(*args)
    except NotShown as error:
        log(f"{label} not measured: {error}")
        return None


def run_pages(session: Session, base: str, repeat: int) -> dict:
    """Time to an interactive Training and Compose page (medians, None if never) and the last load's bytes."""
    pages = {
        "training": (base + "training",
                     "() => (b => __bench.shown(b) && !b.disabled)(document.getElementById('train-start'))"),
        "compose": (base + "compose", "() => (i => __bench.shown(i) && i.complete && i.naturalWidth > 0)("
                                      "document.querySelector('.compose-surface img.compose-bg'))"),
    }
    figures = {}
    for name, (url, predicate) in pages.items():
        attempt(f"  {name} warm-up:", session.interactive, url, predicate)  # the page's first build
        results = [attempt(f"  {name}:", session.interactive, url, predicate) for _ in range(repeat)]
        results = [answer for answer in results if answer]
        if not results:
            figures[name] = {"seconds": None, "traffic": None}
            continue
        seconds = statistics.median(seconds for seconds, _ in results)
        traffic = results[-1][1]
        log(f"  {name}: interactive after {seconds:.3f} s (runs: {', '.join(f'{s:.3f}' for s, _ in results)}); "
            f"{traffic['transfer'] / 1e6:.2f} MB transferred; {describe(traffic)}")
        figures[name] = {"seconds": seconds, "traffic": traffic}
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh contexts per figure (median reported)")
    parser.add_argument("--chromium", default=os.environ.get("TEST_CHROMIUM"),
                        help="Chromium executable (default: TEST_CHROMIUM, else /usr/bin/chromium, else Playwright's)")
    parser.add_argument("--only", nargs="+", choices=ACTIONS, default=list(ACTIONS),
                        help="measure only these actions (and not the Training and Compose pages)")
    args = parser.parse_args()
    actions = tuple(action for action in ACTIONS if action in args.only)
    repeat = max(args.repeat, 1)
    began = time.perf_counter()
    build_table()
    known = facts()
    log(f"largest amount {known['max_amount']}; rows per status {known['status_counts']}")
    result: dict = {"benchmark": "browser"}
    app = datasette = None
    try:
        log("starting the app and Datasette")
        app, base = start_workbench()
        datasette, datasette_base, datasette_note = start_datasette()
        urls = {"workbench": f"{base}data?db={quote(DATABASE)}&table=orders"}
        if datasette is None:
            log(f"datasette: not measured: {datasette_note}")
        else:
            urls["datasette"] = f"{datasette_base}{DATABASE}/orders"
            log(f"datasette {datasette_note}")
        executable = chromium_path(args.chromium)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
            log(f"chromium {browser.version} ({executable or 'Playwright’s own'}), {VIEWPORT['width']}x"
                f"{VIEWPORT['height']}, a fresh context per run, medians of {repeat}")
            session = Session(browser, urls, known)
            medians, traffic, failures = run_actions(session, list(urls), repeat, actions)
            pages = run_pages(session, base, repeat) if actions == ACTIONS else {}
            browser.close()
        report(result, medians, traffic, pages)
        result.update({"rows": ROWS, "repeat": repeat, "chromium": browser.version,
                       "datasette_version": datasette_note if datasette else None})
        if failures:
            result["runs_not_measured"] = failures
        if datasette is None:
            result["datasette_not_measured"] = datasette_note
    finally:
        stop(app)
        stop(datasette)
    log(f"done in {time.perf_counter() - began:.0f} s")
    print(json.dumps(result))
    return 0


def rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def report(result: dict, medians: dict, traffic: dict, pages: dict) -> None:
    """Print the summary and fill the JSON line (None where a side or a figure could not be measured)."""
    log("seconds, medians (Workbench | Datasette | Workbench / Datasette):")
    for action in ACTIONS:
        mine, theirs = medians.get(("workbench", action)), medians.get(("datasette", action))
        both = mine is not None and theirs is not None
        result[f"{action}_vs_datasette"] = rounded(mine / theirs) if both else None
        shown = " | ".join(f"{value:7.3f}" if value is not None else "      -" for value in (mine, theirs))
        log(f"  {action:<10} {shown}" + (f" | {mine / theirs:.2f}x" if both else " |"))
    data_page, datasette_page = traffic.get("workbench"), traffic.get("datasette")
    if data_page:
        log(f"Data page: {data_page['js'] / 1e6:.2f} MB of JavaScript, {data_page['transfer'] / 1e6:.2f} MB "
            f"transferred; {describe(data_page)}")
        log("  largest scripts: " + ", ".join(f"{name} {size / 1e6:.2f} MB" for name, size in data_page["scripts"]))
    if datasette_page:
        log(f"Datasette's table page: {datasette_page['transfer'] / 1e6:.2f} MB transferred; "
            f"{describe(datasette_page)}")
    result.update({
        "first_rows_s": rounded(medians.get(("workbench", "first_rows"))),
        "js_bytes_data_page": data_page["js"] if data_page else None,
        "transfer_bytes_data_page": data_page["transfer"] if data_page else None,
        "js_transfer_bytes_data_page": data_page["wire"].get("Script", 0) if data_page else None,
        **{f"{side}_{action}_s": rounded(medians.get((side, action)))
           for side in ("workbench", "datasette") for action in ACTIONS},
        "datasette_transfer_bytes": datasette_page["transfer"] if datasette_page else None,
    })
    for name, figures in pages.items():
        result[f"{name}_interactive_s"] = rounded(figures["seconds"])
        result[f"js_bytes_{name}_page"] = figures["traffic"]["js"] if figures["traffic"] else None
        result[f"transfer_bytes_{name}_page"] = figures["traffic"]["transfer"] if figures["traffic"] else None


if __name__ == "__main__":
    sys.exit(main())
