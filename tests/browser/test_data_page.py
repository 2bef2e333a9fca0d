"""The Data page in Chromium: browse, sort, filter, scroll deep, follow a foreign key, export, chart, edit."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from browser_support import DEMO_ROWS, SCHEMES, WIDTHS, serve_app, theme_of
from PIL import Image, ImageChops
from scaled_support import store_url_of
from sqlalchemy import create_engine, text

from tests.unit.data_support import locked

ROW = ".ag-center-cols-container .ag-row"
CALLBACKS = re.compile(r"/_dash-update-component(\?|$)")
QUANTITY_HEADER = ".ag-header-cell[col-id='quantity'] .ag-header-cell-label"


@pytest.fixture(scope="session")
def editable_app(tmp_path_factory):
    """(base URL, data directory) of the app with the demo products table editable."""
    data_dir = tmp_path_factory.mktemp("editable-app")
    with serve_app(data_dir, DASH_APP_EDITABLE_TABLES=json.dumps({"demo": ["products"]})) as process:
        yield process.base_url, Path(data_dir)


def open_table(page, base, table, view=None, database="demo"):
    query = f"db={database}&table={table}" + (f"&v={quote(json.dumps(view))}" if view else "")
    page.goto(f"{base}data?{query}")
    page.wait_for_selector(f"{ROW}[row-index='0'] .ag-cell", timeout=30_000)


def loaded_cell(page, row_index, column, timeout=20_000):
    """The cell once its block has arrived (the grid shows empty stub rows while loading)."""
    selector = f".ag-row[row-index='{row_index}'] .ag-cell[col-id='{column}']"
    page.wait_for_function(f"() => (document.querySelector(\"{selector}\")?.innerText || '').trim() !== ''",
                           timeout=timeout)
    return page.locator(selector).first


def wait_for_column(page, column, values, count=5):
    """Wait until the first ``count`` rows of ``column`` show only ``values`` (the grid's refresh has landed)."""
    page.wait_for_function(
        """([column, values, count]) => [...Array(count).keys()].every(i => values.includes(
            (document.querySelector(`.ag-row[row-index='${i}'] .ag-cell[col-id='${column}']`)?.innerText || '').trim()))""",
        arg=[column, list(values), count], timeout=20_000)


def cell(page, row_index, column):
    return page.locator(f".ag-row[row-index='{row_index}'] .ag-cell[col-id='{column}']").first


def column_texts(page, column, count=5):
    return [loaded_cell(page, i, column).inner_text() for i in range(count)]


def view_in_url(page) -> dict:
    values = parse_qs(urlsplit(page.url).query)
    return json.loads(values["v"][0]) if "v" in values else {}


def test_open_sort_filter_search_and_scroll_deep(live_app, open_page):
    page = open_page()
    open_table(page, live_app, "order_lines")
    assert "order_lines" in page.inner_text("#data-title")
    assert page.inner_text("#data-count").strip() == f"{int(DEMO_ROWS):,} rows"

    page.click(QUANTITY_HEADER)  # ascending
    page.click(QUANTITY_HEADER)  # descending
    page.wait_for_function("() => new URLSearchParams(location.search).get('v')?.includes('desc')")
    quantities = [int(text) for text in column_texts(page, "quantity", 8)]
    assert quantities == sorted(quantities, reverse=True) and quantities[0] >= 10
    assert view_in_url(page)["s"] == [["quantity", "desc"]]

    # Scroll to the bottom: the database serves the last block; ids are unique and end at the table's size.
    page.evaluate("document.querySelector('.ag-body-viewport').scrollTop = 1e7")
    last = int(DEMO_ROWS) - 1
    assert loaded_cell(page, last, "quantity").inner_text() == "1"

    # The whole search box takes clicks: near its right end, as near its icon.
    box = page.locator("#data-search").bounding_box()
    page.mouse.click(box["x"] + box["width"] - 40, box["y"] + box["height"] / 2)
    page.keyboard.type("zzzz-no-such-text")
    page.wait_for_selector("#data-count:has-text('0 rows')")
    page.wait_for_function(  # in the page's words (case matters: the grid's own are Title Case)
        "() => document.querySelector('#data-grid .ag-overlay')?.innerText.includes('No rows to show')")
    page.fill("#data-search", "")
    page.wait_for_selector(f"#data-count:has-text('{int(DEMO_ROWS):,} rows')")
    assert page.console_errors == []


def record_grid_requests(page) -> list[dict]:
    """Every block request the grid sends (the callback bodies), in order."""
    sent = []
    page.on("request", lambda request: CALLBACKS.search(request.url) and "getRowsRequest" in (request.post_data or "")
            and sent.append(request.post_data_json))
    return sent


def callback_items(body: dict, key: str) -> list[dict]:
    """The inputs or states of a Dash callback request (a pattern-matching one nests them in lists)."""
    return [entry for item in body.get(key, []) for entry in (item if isinstance(item, list) else [item])]


def view_was_sent(grid_request: dict) -> bool:
    return any(item.get("id") == "data-view" and item.get("value") for item in callback_items(grid_request, "state"))


def test_the_page_opens_with_its_view_and_the_grid_asks_for_it_at_once(live_app, open_page):
    """The address's table and view come with the page: the grid's first block request already carries the
    view (no round trip to open the table first), and the first rows are the view's."""
    page = open_page()
    grid_requests = record_grid_requests(page)
    page.goto(f"{live_app}data?db=demo&table=orders&v=" + quote(json.dumps({"v": {"channel": ["store"]}})))
    assert loaded_cell(page, 0, "id").inner_text().strip() != ""
    assert grid_requests and view_was_sent(grid_requests[0]), "the first block is asked of the address's view"
    assert "orders" in page.inner_text("#data-title")
    assert set(column_texts(page, "channel", 5)) == {"store"}
    assert len(grid_requests) == 1, "the first block is not asked for again"
    assert page.console_errors == []


def test_two_quick_sort_clicks_end_in_the_second_order(live_app, open_page):
    page = open_page()
    page.goto(f"{live_app}data?db=demo&table=order_lines")
    page.click(QUANTITY_HEADER)  # ascending
    page.click(QUANTITY_HEADER)  # descending, at once
    page.wait_for_function("() => new URLSearchParams(location.search).get('v')?.includes('desc')")
    quantities = [int(text) for text in column_texts(page, "quantity", 8)]
    assert quantities == sorted(quantities, reverse=True) and quantities[0] >= 10

    # Again with the two blocks overlapping by construction: the first click's block is answered only once
    # the second click has changed the sort (descending -> none -> ascending).
    held = []
    page.route(CALLBACKS, lambda route, request: held.append(route) if "getRowsRequest" in (
        request.post_data or "") and not held else route.continue_())
    with page.expect_request(lambda request: CALLBACKS.search(request.url) and "getRowsRequest" in (
            request.post_data or "")):
        page.click(QUANTITY_HEADER)  # no sort
    page.click(QUANTITY_HEADER)  # ascending
    page.wait_for_function("() => dash_ag_grid.getApi('data-grid').getColumnState()"
                           ".some(c => c.colId === 'quantity' && c.sort === 'asc')")
    held[0].continue_()
    page.wait_for_function("() => new URLSearchParams(location.search).get('v')?.includes('asc')")
    quantities = [int(text) for text in column_texts(page, "quantity", 8)]
    assert quantities == sorted(quantities) and quantities[0] == 1
    assert page.console_errors == []


def test_column_filter_from_the_grid_menu_is_done_by_the_database(live_app, open_page):
    page = open_page()
    open_table(page, live_app, "orders")
    page.click(".ag-header-cell[col-id='status'] .ag-header-cell-filter-button")
    page.wait_for_selector(".ag-filter input[type='text'], .ag-filter .ag-input-field-input")
    page.locator(".ag-filter .ag-input-field-input").first.fill("cancel")
    page.wait_for_function("() => new URLSearchParams(location.search).get('v')?.includes('cancel')")
    page.keyboard.press("Escape")
    wait_for_column(page, "status", ["cancelled"])
    statuses = {text for text in column_texts(page, "status", 5)}
    assert statuses == {"cancelled"}
    count_text = page.inner_text("#data-count")
    assert "rows" in count_text and int(count_text.split()[0].replace(",", "")) < 2000
    assert view_in_url(page)["f"]["status"] == {"filterType": "text", "type": "contains", "filter": "cancel"}
    assert page.console_errors == []


def test_a_bookmarked_view_is_restored_and_a_hostile_one_is_explained(live_app, open_page):
    page = open_page()
    view = {"s": [["unit_price", "desc"]], "c": ["name", "unit_price", "id"],
            "f": {"category": {"filterType": "text", "type": "equals", "filter": "Books"}}}
    open_table(page, live_app, "products", view)
    headers = page.locator(".ag-header-cell:not(.ag-hidden)[col-id]").evaluate_all(
        "cells => cells.filter(c => c.offsetParent !== null).map(c => c.getAttribute('col-id'))")
    assert [h for h in headers if h in ("name", "unit_price", "id", "sku")] == ["id", "name", "unit_price"] or \
        set(h for h in headers if h in ("name", "unit_price", "id", "sku")) == {"id", "name", "unit_price"}
    prices = [float(text) for text in column_texts(page, "unit_price", 3)]
    assert prices == sorted(prices, reverse=True)

    page.goto(f"{live_app}data?db=demo&table=products&v=" + quote('{"s": [["price; DROP TABLE products", "asc"]]}'))
    page.wait_for_selector("#data-alert .alert")
    assert "was not applied" in page.inner_text("#data-alert")
    page.wait_for_selector(f"{ROW}[row-index='0']")
    page.goto(f"{live_app}data?db=demo&table=products&v=%7Bbroken")
    page.wait_for_selector("#data-alert .alert")
    assert "incomplete or damaged" in page.inner_text("#data-alert")
    assert page.console_errors == []


def test_the_column_chooser_hides_a_column_and_the_url_keeps_it(live_app, open_page):
    page = open_page()
    open_table(page, live_app, "customers")
    assert page.locator(".ag-header-cell[col-id='email']").count() == 1
    page.click("#data-columns-button")
    page.click("#data-columns-checklist label:text-is('email')")
    page.wait_for_selector(".ag-header-cell[col-id='email']", state="detached")
    page.wait_for_function("() => new URLSearchParams(location.search).get('v')?.includes('\"c\"')")
    assert "email" not in view_in_url(page)["c"] and "name" in view_in_url(page)["c"]
    # Reorder (the same grid event a header drag fires): the order is kept in the address too.
    page.evaluate("dash_ag_grid.getApi('data-grid').moveColumns(['city'], 1)")
    page.wait_for_function("() => JSON.parse(new URLSearchParams(location.search).get('v')).c[1] === 'city'")
    page.reload()
    loaded_cell(page, 0, "name")
    assert page.locator(".ag-header-cell[col-id='email']").count() == 0, "hidden after a reload too"
    order = page.locator(".ag-header-cell[col-id]").evaluate_all("cells => cells.map(c => c.getAttribute('col-id'))")
    assert order.index("city") < order.index("name"), order

    # Unticking every column leaves the last one: a view of no column would read as one of every column.
    shown = "() => dash_ag_grid.getApi('data-grid').getColumnState().filter(c => !c.hide).map(c => c.colId)"
    page.click("#data-columns-button")
    ticked = page.locator("#data-columns-checklist input:checked")
    for left in range(ticked.count() - 1, 0, -1):
        ticked.first.click()
        page.wait_for_function(f"n => ({shown})().length === n", arg=left)
    last = page.evaluate(shown)[0]
    page.click(f"#data-columns-checklist input[value='{last}']")
    page.wait_for_selector(f"#data-columns-checklist input[value='{last}']:checked")
    assert page.evaluate(shown) == [last]
    page.wait_for_function("c => JSON.stringify(JSON.parse(new URLSearchParams(location.search).get('v')).c) === c",
                           arg=json.dumps([last], separators=(",", ":")))
    assert page.console_errors == []


def test_a_foreign_key_opens_the_referenced_row(live_app, open_page):
    page = open_page()
    open_table(page, live_app, "orders")
    link = cell(page, 0, "customer_id").locator("a.data-fk-link")
    customer = link.inner_text().strip()
    link.click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('table') === 'customers'")
    loaded_cell(page, 0, "id")
    page.wait_for_function("() => document.querySelector(\"#data-count\").innerText.startsWith('1 row')")
    assert loaded_cell(page, 0, "id").inner_text() == customer
    assert page.locator(f"{ROW}").count() == 1
    assert page.console_errors == []


def test_export_downloads_every_row_of_the_view(live_app, open_page):
    page = open_page()
    open_table(page, live_app, "order_lines", {"f": {"quantity": {"filterType": "number", "type": "greaterThan",
                                                                  "filter": 2}}, "c": ["id", "quantity"]})
    page.wait_for_selector("#data-count:has-text('rows')")
    shown = int(page.inner_text("#data-count").split()[0].replace(",", ""))
    with page.expect_download() as download_info:
        page.click("#data-export-csv")
    download = download_info.value
    assert download.suggested_filename == "order_lines.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["id", "quantity"] and len(rows) - 1 == shown > 100
    assert all(int(row[1]) > 2 for row in rows[1:])
    with page.expect_download() as download_info:
        page.click("#data-export-xlsx")
    assert Path(download_info.value.path()).read_bytes()[:2] == b"PK"
    assert page.console_errors == []


def test_chart_of_the_view_follows_the_colour_mode(live_app, open_page):
    """Plotly's bundle (4.8 MB) is fetched with the first chart, not with the page."""
    page = open_page(scheme="light")
    scripts = []
    page.on("request", lambda request: request.resource_type == "script" and scripts.append(request.url))
    open_table(page, live_app, "orders")
    page.click(".data-tabs >> text=Chart")
    page.wait_for_selector("#data-chart-x option[value='status']", state="attached")
    assert not [url for url in scripts if "plotly" in url], "no chart on screen, no plotly"
    page.select_option("#data-chart-x", "status")
    page.select_option("#data-chart-agg", "count")
    page.click("#data-chart-run")
    page.wait_for_selector("#data-chart-graph .bars .point", timeout=30_000)
    assert [url for url in scripts if "plotly.min.js" in url]
    assert "groups in" in page.inner_text("#data-chart-status")
    light_text = page.locator("#data-chart-graph .gtitle").evaluate("e => getComputedStyle(e).fill")
    page.click("#shell-color-mode-switch")
    page.wait_for_function("document.documentElement.getAttribute('data-bs-theme') === 'dark'")
    page.wait_for_function(
        f"() => getComputedStyle(document.querySelector('#data-chart-graph .gtitle')).fill !== '{light_text}'")
    assert page.console_errors == []


@pytest.fixture(scope="module")
def lockable_app(tmp_path_factory):
    """(base URL, database file) of the app browsing a small SQLite file of its own, which a test can lock."""
    data_dir = tmp_path_factory.mktemp("lockable-app")
    path = data_dir / "events.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT)")
        connection.executemany("INSERT INTO events VALUES (?, ?)", [(i, "ab"[i % 2]) for i in range(1, 41)])
    connection.close()
    with serve_app(data_dir, DASH_APP_DATABASES=json.dumps({"events": f"sqlite:///{path}"}),
                   DASH_APP_QUERY_TIMEOUT_S="600") as process:
        yield process.base_url, path


def _events_chart(lockable_app, open_page):
    """(page, database file): the Chart tab of the lockable app's events, set to count them by kind."""
    base, path = lockable_app
    page = open_page()
    open_table(page, base, "events", database="events")
    _count_by_kind(page)
    return page, path


def _count_by_kind(page) -> None:
    page.click(".data-tabs >> text=Chart")
    page.select_option("#data-chart-x", "kind")
    page.select_option("#data-chart-agg", "count")


def _wait_for_a_cancelled_chart(page):
    page.wait_for_selector("#data-chart-run:not([disabled])")
    assert page.locator("#data-chart-progress").is_hidden() and page.is_disabled("#data-chart-cancel")
    assert page.inner_text("#data-chart-status").strip() == "", "a cancelled chart shows no result and no error"


def test_a_running_chart_shows_its_elapsed_time_and_can_be_cancelled(lockable_app, open_page):
    """The page shows the time going by while the chart's query waits, until Cancel stops the job."""
    page, path = _events_chart(lockable_app, open_page)
    with locked(path):
        page.click("#data-chart-run")
        page.wait_for_selector("#data-chart-progress:has-text('Aggregating in the database…')")
        page.wait_for_function("() => parseFloat(document.querySelector('#data-chart-elapsed').innerText) >= 0.3")
        assert re.fullmatch(r"\d+\.\d s", page.inner_text("#data-chart-elapsed").strip())
        page.click("#data-chart-cancel")
        _wait_for_a_cancelled_chart(page)
    page.click("#data-chart-run")
    page.wait_for_selector("#data-chart-status:has-text('2 groups in')")
    page.wait_for_selector("#data-chart-graph .bars .point")  # plotly's bundle loads with the first chart
    assert page.locator("#data-chart-graph .bars .point").count() == 2
    assert page.console_errors == []


def _about_a_job(message) -> bool:
    """A request or answer of the page's look at a running chart's job (its address carries the handle)."""
    return CALLBACKS.search(message.url) is not None and "job=" in message.url


def _starts_the_chart(request) -> bool:
    """The request that starts a chart's job (the page's later looks at the job are ``_about_a_job``)."""
    body = request.post_data or ""
    return (CALLBACKS.search(request.url) is not None and not _about_a_job(request)
            and '"data-chart-run"' in body and '"data-chart-box"' in body)


def _sends_a_cancel(request) -> bool:
    """A request of Dash's cancel callback: its input is the chart's stop request that Cancel sets."""
    if CALLBACKS.search(request.url) is None:
        return False
    inputs = json.loads(request.post_data or "{}").get("inputs", [])
    return any(item.get("id") == "data-chart-stop" for item in inputs)


def _cancel_before_the_start_is_answered(page):
    """Run, then Cancel while the browser holds back the chart's start request (as a busy server would answer
    it late): the page does not know the chart's job yet. Returns the held request, for ``_let_go``."""
    held = []
    page.route(CALLBACKS, lambda route: held.append(route) if _starts_the_chart(route.request) else route.continue_())
    with page.expect_request(_starts_the_chart):
        page.click("#data-chart-run")
    page.wait_for_selector("#data-chart-cancel:not([disabled])")
    with page.expect_request(_sends_a_cancel):
        page.click("#data-chart-cancel")
    assert len(held) == 1, "the chart's start is still unanswered when the cancel is sent"
    return held[0]


def _let_go(page, start) -> None:
    start.continue_()
    page.unroute(CALLBACKS)


def test_a_chart_cancelled_before_the_server_has_answered_its_start_is_cancelled(lockable_app, open_page):
    """A click on Cancel before the page knows the chart's job still stops the job. From the click on, the page
    says it is cancelling; the next chart says it is aggregating again."""
    page, path = _events_chart(lockable_app, open_page)
    with locked(path):
        start = _cancel_before_the_start_is_answered(page)
        page.wait_for_selector("#data-chart-cancelling", state="visible")  # the start is held: it stays so
        assert page.is_hidden("#data-chart-working")
        _let_go(page, start)
        _wait_for_a_cancelled_chart(page)
        page.click("#data-chart-run")
        page.wait_for_selector("#data-chart-working", state="visible")
        assert page.is_hidden("#data-chart-cancelling")
    page.wait_for_selector("#data-chart-status:has-text('2 groups in')")
    assert page.console_errors == []


def test_a_cancel_left_waiting_when_its_page_was_left_does_not_stop_the_next_chart(lockable_app, open_page):
    """Cancel, then off to another page before the chart has stopped: back on the Data page, the next chart runs
    to its result, however long it takes."""
    page, path = _events_chart(lockable_app, open_page)
    start = _cancel_before_the_start_is_answered(page)
    page.click('#shell-nav-links >> text="Training"')
    page.wait_for_selector("#data-chart-run", state="detached")
    answers = []
    page.on("response", lambda response: _about_a_job(response) and answers.append(response))
    _let_go(page, start)
    # That chart ends while its page is gone (its last answer has nowhere to show): the stop has not been
    # seen to take effect. Each look that finds no last answer yet waits for the page's next answer about it.
    while not any(answer.status == 204 or '"response"' in answer.text() for answer in answers):
        page.wait_for_event("response", predicate=_about_a_job)
    page.click('#shell-nav-links >> text="Data"')
    page.wait_for_selector(f"{ROW}[row-index='0'] .ag-cell", timeout=30_000)
    _count_by_kind(page)
    with locked(path):
        page.click("#data-chart-run")
        # Long enough for the old stop, were it still waiting (it is sent again each second), to stop this chart.
        page.wait_for_function("() => parseFloat(document.querySelector('#data-chart-elapsed').innerText) >= 2.5")
        assert page.is_visible("#data-chart-progress"), "the chart still runs"
    page.wait_for_selector("#data-chart-status:has-text('2 groups in')")
    assert page.console_errors == []


@pytest.mark.looks
def test_number_columns_keys_included_are_right_aligned_under_their_headers(live_app, open_page):
    page = open_page()
    open_table(page, live_app, "orders")
    loaded_cell(page, 0, "customer_id")
    aligned = page.evaluate("""() => ['id', 'customer_id'].map(column => {
        const cell = document.querySelector(`.ag-row[row-index='0'] .ag-cell[col-id='${column}']`);
        const head = document.querySelector(`.ag-header-cell[col-id='${column}']`);
        return [getComputedStyle(cell).textAlign, head.classList.contains('ag-right-aligned-header')];
    })""")
    assert aligned == [["right", True], ["right", True]], "the key's values line up as every number column's do"


def test_the_tabs_are_one_tab_stop_and_the_arrow_keys_switch_them(live_app, open_page):
    """dbc.Tabs leaves every tab out of the Tab order (dash-bootstrap-components issue 891): assets/js/shell.js
    puts the active one back, as the WAI-ARIA tabs pattern has it."""
    page = open_page()
    open_table(page, live_app, "orders")
    focused = "() => document.activeElement.textContent.trim()"
    page.focus("#data-density-toggle")  # the control before the tabs
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "tab" and page.evaluate(focused) == "Rows"
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("#data-tabs .nav-link.active:text-is('Values')")
    assert page.evaluate(focused) == "Values"
    page.wait_for_selector("#data-values-column", state="visible")
    page.keyboard.press("End")
    page.wait_for_selector("#data-tabs .nav-link.active:text-is('Schema')")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "Schema", "the active tab is the list's one Tab stop"
    assert page.eval_on_selector_all("#data-tabs [role=tab]", "tabs => tabs.map(t => t.tabIndex)") == [-1, -1, -1, 0]
    assert page.console_errors == []


def test_values_panel_ticks_a_value_into_the_filter(live_app, open_page):
    page = open_page()
    open_table(page, live_app, "orders")
    page.click(".data-tabs >> text=Values")
    page.select_option("#data-values-column", "channel")
    page.wait_for_selector("#data-values-list .data-facet-label:text-is('store')")
    page.click("#data-values-list label:has(.data-facet-label:text-is('store'))")
    page.wait_for_selector(".data-chip:has-text('channel')")
    assert page.inner_text(".data-chip").strip() == "channel is store", "the chip reads as a sentence"
    page.click(".data-tabs >> text=Rows")
    wait_for_column(page, "channel", ["store"])
    assert set(column_texts(page, "channel", 5)) == {"store"}
    assert view_in_url(page)["v"] == {"channel": ["store"]}
    page.click(".data-chip-remove")
    page.wait_for_selector(".data-chip", state="detached")
    assert page.console_errors == []


def test_a_read_only_table_refuses_editing_with_a_message(live_app, open_page):
    page = open_page()
    open_table(page, live_app, "products")
    assert "read-only" in page.inner_text("#data-title")
    loaded_cell(page, 0, "name").dblclick()
    page.wait_for_selector("#data-edit-note .alert:has-text('read-only')")
    assert page.locator(".ag-cell-inline-editing").count() == 0
    assert page.console_errors == []


def test_an_editable_table_saves_an_edit_and_audits_it(editable_app, open_page):
    base, data_dir = editable_app
    page = open_page()
    open_table(page, base, "products")
    assert "editable" in page.inner_text("#data-title")
    target = loaded_cell(page, 0, "name")  # a stub row still loading opens no editor
    target.dblclick()
    page.wait_for_selector(".ag-cell-inline-editing input")
    page.keyboard.press("Control+A")
    page.keyboard.type("Renamed by the browser test")
    page.keyboard.press("Enter")
    page.wait_for_selector("#data-edit-note .alert-success")
    with sqlite3.connect(data_dir / "demo.sqlite") as connection:
        assert connection.execute("select name from products where id = 1").fetchone()[0] == "Renamed by the browser test"
    store = create_engine(store_url_of(data_dir))  # SQLite, or PostgreSQL in the scaled pass
    with store.connect() as connection:
        audit = connection.execute(text("select user_name, table_name, column_name, new_value from data_edit_audit"
                                        " order by id")).fetchall()
    store.dispose()
    assert tuple(audit[-1]) == ("local user", "products", "name", "Renamed by the browser test")
    assert page.console_errors == []


# Rows of the grid whose top and bottom both lie inside the grid body's viewport and inside the window.
ROWS_ON_SCREEN = """() => {
    const body = document.querySelector('#data-grid .ag-body-viewport').getBoundingClientRect();
    const bottom = Math.min(body.bottom, window.innerHeight);
    return [...document.querySelectorAll('#data-grid .ag-center-cols-container .ag-row')]
        .map(row => row.getBoundingClientRect()).filter(box => box.top >= body.top && box.bottom <= bottom).length;
}"""


def rows_on_screen(page) -> int:
    return page.evaluate(ROWS_ON_SCREEN)


def first_row_height(page) -> float:
    """The first row's height once it is laid out (a row the grid has not laid out yet measures 0 px)."""
    row = f"{ROW}[row-index='0']"
    page.wait_for_function(f"() => document.querySelector(\"{row}\")?.getBoundingClientRect().height > 0")
    return page.locator(row).evaluate("row => row.getBoundingClientRect().height")


def press(page, selector, key="Enter"):
    """Reach a control with the keyboard's focus and press it the way a keyboard user does."""
    page.focus(selector)
    page.keyboard.press(key)


def test_the_compact_density_shows_twenty_rows_and_is_remembered(live_app, open_page):
    page = open_page()  # 1440 x 900
    open_table(page, live_app, "orders")
    toggle = "#data-density-toggle"
    assert page.get_attribute(toggle, "aria-pressed") == "false", "comfortable unless the user chose otherwise"
    assert rows_on_screen(page) < 20
    comfortable_row = first_row_height(page)

    press(page, toggle)
    page.wait_for_selector(f"{toggle}[aria-pressed='true']")
    page.wait_for_function(f"() => ({ROWS_ON_SCREEN})() >= 20")
    assert page.evaluate("window.scrollY") == 0
    assert page.locator("#data-grid").evaluate("grid => grid.getBoundingClientRect().bottom") <= 900, \
        "the whole grid is on screen without scrolling the page"

    page.reload()
    page.wait_for_selector(f"{ROW}[row-index='0'] .ag-cell", timeout=30_000)
    # The grid is made compact: its first rows already have the compact height (no jump after load).
    assert first_row_height(page) < comfortable_row
    assert first_row_height(page) == page.evaluate("dash_ag_grid.getApi('data-grid').getSizesForCurrentTheme().rowHeight")
    assert rows_on_screen(page) >= 20
    page.wait_for_selector(f"{toggle}[aria-pressed='true']")

    press(page, toggle, "Space")
    page.wait_for_selector(f"{toggle}[aria-pressed='false']")
    page.wait_for_function(f"() => ({ROWS_ON_SCREEN})() < 20")
    page.reload()
    page.wait_for_selector(f"{ROW}[row-index='0'] .ag-cell", timeout=30_000)
    assert page.get_attribute(toggle, "aria-pressed") == "false" and rows_on_screen(page) < 20
    assert page.console_errors == []


def test_a_density_switched_on_another_tab_applies_when_the_rows_are_shown_again(live_app, open_page):
    page = open_page()
    open_table(page, live_app, "orders")
    page.click(".data-tabs >> text=Schema")
    page.click("#data-density-toggle")
    page.wait_for_selector("#data-density-toggle[aria-pressed='true']")
    page.click(".data-tabs >> text=Rows")
    page.wait_for_function(f"() => ({ROWS_ON_SCREEN})() >= 20")
    assert page.console_errors == []


def grid_width(page) -> float:
    return page.locator("#data-grid").evaluate("grid => grid.getBoundingClientRect().width")


def column_fully_shown(page, column) -> bool:
    """Whether the column's header cell lies wholly inside the grid's scrolling part."""
    return page.evaluate("""column => {
        const cell = document.querySelector(`#data-grid .ag-header-cell[col-id='${column}']`);
        const viewport = document.querySelector('#data-grid .ag-body-viewport').getBoundingClientRect();
        if (!cell) return false;
        const box = cell.getBoundingClientRect();
        return box.left >= viewport.left && box.right <= viewport.right;
    }""", column)


@pytest.mark.looks
def test_prices_show_the_two_decimals_their_column_declares(live_app, open_page):
    """unit_price and cost are NUMERIC(10,2): 150.00 and 146.40 beside 388.43, in the grid as in the first screen."""
    page = open_page()
    open_table(page, live_app, "products", {"c": ["id", "unit_price", "cost"]})
    shown = column_texts(page, "unit_price", 10) + column_texts(page, "cost", 10)
    assert [text for text in shown if not re.fullmatch(r"\d+\.\d\d", text)] == [], shown
    assert page.console_errors == []


def test_finding_a_table_by_name_says_when_none_has_it(live_app, open_page):
    page = open_page()
    open_table(page, live_app, "orders")
    links = page.locator("#data-table-list [data-name]")
    page.fill("#data-table-search", "ORDER")
    page.wait_for_function("() => [...document.querySelectorAll('#data-table-list [data-name]')]"
                           ".filter(e => e.offsetParent !== null).length === 3")  # order_lines, orders, order_summary
    assert page.is_hidden("#data-table-list .data-table-none")
    page.fill("#data-table-search", "zzz")
    page.wait_for_selector("#data-table-list .data-table-none", state="visible")
    assert "No table or view has this in its name." in page.inner_text("#data-table-list")
    page.fill("#data-table-search", "")
    page.wait_for_selector("#data-table-list .data-table-none", state="hidden")
    assert all(links.nth(i).is_visible() for i in range(links.count()))
    assert page.console_errors == []


def test_hiding_the_side_panel_gives_the_grid_the_width_and_is_remembered(live_app, open_page):
    page = open_page()  # 1440 x 900
    open_table(page, live_app, "orders")
    narrow = grid_width(page)
    assert page.is_visible("#data-side-panel") and page.is_hidden("#data-panel-show")
    assert not column_fully_shown(page, "channel"), "the sixth column is cut off beside the panel"

    press(page, "#data-panel-hide")
    page.wait_for_selector("#data-side-panel", state="hidden")
    page.wait_for_function(f"() => document.querySelector('#data-grid').getBoundingClientRect().width > {narrow} + 200")
    assert page.evaluate("document.activeElement.id") == "data-panel-show", "the focus stays on the panel's control"
    assert page.get_attribute("#data-panel-show", "aria-expanded") == "false"
    page.wait_for_function("() => !!document.querySelector(\"#data-grid .ag-header-cell[col-id='channel']\")")
    assert column_fully_shown(page, "channel")

    page.reload()
    page.wait_for_selector(f"{ROW}[row-index='0'] .ag-cell", timeout=30_000)
    assert page.is_hidden("#data-side-panel") and grid_width(page) > narrow + 200
    press(page, "#data-panel-show", "Space")
    page.wait_for_selector("#data-side-panel", state="visible")
    page.wait_for_function(f"() => document.querySelector('#data-grid').getBoundingClientRect().width <= {narrow} + 1")
    assert page.evaluate("document.activeElement.id") == "data-panel-hide"
    assert page.get_attribute("#data-panel-hide", "aria-expanded") == "true"
    page.reload()
    page.wait_for_selector(f"{ROW}[row-index='0'] .ag-cell", timeout=30_000)
    assert page.is_visible("#data-side-panel")
    assert page.console_errors == []


COMPACT_AND_HIDDEN = """localStorage.setItem('data-density-store', '"compact"');
localStorage.setItem('data-panel-store', '"collapsed"');"""


@pytest.mark.looks
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_screenshots_of_the_compact_data_page_without_its_side_panel(live_app, open_page, screenshot_dir, scheme,
                                                                   width_name):
    page = open_page(width=WIDTHS[width_name], scheme=scheme)
    page.add_init_script(COMPACT_AND_HIDDEN)  # as a reader left them: the stored choices apply as the page loads
    open_table(page, live_app, "orders", {"s": [["ordered_at", "desc"]]})
    page.wait_for_load_state("networkidle")
    assert theme_of(page) == scheme
    assert page.is_hidden("#data-side-panel") and page.is_visible("#data-panel-show")
    page.wait_for_selector("#data-density-toggle[aria-pressed='true']")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width_name], "no sideways scrolling"
    if width_name == "wide":
        assert rows_on_screen(page) >= 20
    else:  # the panel no longer stacks above the grid: rows are on the first screen
        assert rows_on_screen(page) >= 10
    page.screenshot(path=screenshot_dir / f"data-compact-collapsed-{scheme}-{width_name}.png")
    assert page.console_errors == []


@pytest.mark.looks
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_screenshots_of_the_data_page(live_app, open_page, screenshot_dir, scheme, width_name):
    page = open_page(width=WIDTHS[width_name], scheme=scheme)
    open_table(page, live_app, "orders", {"s": [["ordered_at", "desc"]]})
    page.wait_for_load_state("networkidle")
    assert theme_of(page) == scheme
    assert page.evaluate("document.documentElement.getAttribute('data-ag-theme-mode')") == scheme
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width_name], "no sideways scrolling"
    page.screenshot(path=screenshot_dir / f"data-{scheme}-{width_name}.png", full_page=True)
    origin = urlsplit(live_app).netloc
    assert [r.url for r in page.requests if urlsplit(r.url).netloc not in (origin, "")] == []
    assert page.console_errors == []


# Without Dash's scripts the page stays at what its HTML shows: its first screen (dash_app/first_screen.py).
DASH_SCRIPTS = "**/_dash-component-suites/**"
FIRST_ROW_CELLS = ".app-first-screen .app-first-grid tbody tr:first-child td"


def screenshot_when_still(page, path: Path) -> Image.Image:
    page.evaluate("document.fonts.ready.then(() => true)")
    page.screenshot(path=path)
    return Image.open(path).convert("RGB")


@pytest.mark.looks
@pytest.mark.parametrize(("width_name", "scheme", "stored"), [
    ("wide", "light", ""), ("wide", "dark", COMPACT_AND_HIDDEN), ("narrow", "dark", ""), ("narrow", "light",
                                                                                          COMPACT_AND_HIDDEN)])
def test_the_first_screen_shows_the_table_as_the_page_will_look(live_app, open_page, screenshot_dir, width_name,
                                                                scheme, stored):
    """The page's HTML already shows the table with its first rows, before any script has run (here Dash's scripts
    never arrive); the app, once it shows its own rows, looks the same to the pixel, so nothing moves when the
    first screen goes. The reader's stored density and panel apply to both."""
    view = {"s": [["ordered_at", "desc"]]}
    name = f"{scheme}-{width_name}{'-compact-collapsed' if stored else ''}"
    frozen = open_page(width=WIDTHS[width_name], scheme=scheme)
    frozen.add_init_script(stored)
    frozen.route(DASH_SCRIPTS, lambda route: route.abort())
    frozen.goto(f"{live_app}data?db=demo&table=orders&v={quote(json.dumps(view))}")
    frozen.wait_for_selector(FIRST_ROW_CELLS)
    assert theme_of(frozen) == scheme
    first = [text.strip() for text in frozen.locator(FIRST_ROW_CELLS).all_inner_texts()]
    picture = screenshot_when_still(frozen, screenshot_dir / f"data-first-screen-{name}.png")
    frozen.keyboard.press("Tab")  # a reader who acts on the page acts on the app: the picture goes
    frozen.wait_for_selector(".app-first-screen", state="detached")

    page = open_page(width=WIDTHS[width_name], scheme=scheme)
    page.add_init_script(stored)
    open_table(page, live_app, "orders", view)
    page.wait_for_selector(".app-first-screen", state="detached")
    page.wait_for_load_state("networkidle")
    shown = screenshot_when_still(page, screenshot_dir / f"data-after-first-screen-{name}.png")
    row = page.locator(".ag-row[row-index='0']")
    assert first[0] == row.locator(".ag-cell[col-id='id']").inner_text().strip()
    assert first[1] == row.locator(".ag-cell[col-id='customer_id']").inner_text().strip()

    difference = ImageChops.difference(picture, shown).convert("L")
    changed = sum(1 for value in difference.get_flattened_data() if value > 40)
    assert changed <= 100, f"{changed} pixels differ between the first screen and the page (box {difference.getbbox()})"
    assert page.console_errors == []
