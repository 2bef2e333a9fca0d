"""The Training pages as a user meets them in Chromium, against ``python -m dash_app`` in a subprocess.

Start, live progress, cancel (and the process really gone), reload and a second tab, two starts in a
row, artifacts, compare, bad input, table training, a failed run, restart, and screenshots.

The servers run with ``DASH_APP_HOLD_RUNS``: each run waits before every epoch until the test allows it
(``allow``), so a test that needs a run still running has one by construction, on any machine.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import json
import re
import time

import psutil
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from browser_support import SCHEMES, WIDTHS
from scaled_support import SCALED
from training_support import (
    active_card, add_finished_runs, allow, choice, field, open_training, serve_app, start_run, step_shown,
    run_epochs, store_of, wait_for_status,
)

QUICK = {"epochs": 4, "batch_size": 64}
ENDED = ("succeeded", "failed", "cancelled", "interrupted")
LONG = {"epochs": 1000, "batch_size": 32}  # held: it never gets far, but it could not end on its own either
HELD = {"DASH_APP_HOLD_RUNS": "true"}


def _epoch_shown(page, run_id: int) -> None:
    page.wait_for_function(f"document.querySelector(`{active_card(run_id)}`)?.innerText.includes('EPOCH')")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("training-app")
    with serve_app(data_dir, **HELD) as process:
        process.data_dir = data_dir
        yield process


@pytest.fixture(scope="module")
def history_server(tmp_path_factory):
    """An app of its own whose store already holds 12 finished runs (the shared one's runs stay as tests left them)."""
    data_dir = tmp_path_factory.mktemp("training-history")
    run_ids = add_finished_runs(data_dir, 12)
    with serve_app(data_dir) as process:
        process.run_ids = run_ids
        yield process


def _assert_clean(page, base_url: str) -> None:
    assert page.console_errors == [], page.console_errors
    origin = urlsplit(base_url).netloc
    outside = [r.url for r in page.requests if urlsplit(r.url).scheme in {"http", "https"}
               and urlsplit(r.url).netloc != origin]
    assert outside == [], outside


def _cancel_everything(data_dir) -> None:
    """Leave no long run behind for the next test (they share the server and its one slot)."""
    from dash_app.runs.control import cancel_run

    store = store_of(data_dir)
    for run in store.list_runs(active_only=True):
        cancel_run(store, run.id)
    store.dispose()


def test_start_shows_live_progress_and_the_finished_run_has_its_artifacts(server, open_page):
    page = open_page()
    open_training(page, server.base_url)
    run_id = start_run(page, epochs=4, batch_size=16)
    _epoch_shown(page, run_id)
    steps = [step_shown(page, run_id)]
    for epochs in (1, 2):  # each epoch the run is allowed shows on the card, live
        allow(server.data_dir, run_id, epochs)
        page.wait_for_function(
            f"!document.querySelector(`{active_card(run_id)}`).innerText.includes('STEP\\n{steps[-1]:,} /')")
        steps.append(step_shown(page, run_id))
    assert steps == sorted(steps) and len(set(steps)) == 3, f"the step moved forward live: {steps}"
    allow(server.data_dir, run_id)
    assert wait_for_status(server.data_dir, run_id, ENDED) == "succeeded"
    page.wait_for_selector("#train-runs-grid .train-grid-succeeded")
    page.wait_for_selector(f"#train-live-title:has-text('Curves of the last run, #{run_id}')")

    page.click(f"#train-runs-grid a[href$='/training/runs/{run_id}']")
    page.wait_for_selector("#train-run-page img.train-artifact-image")
    page.wait_for_function("[...document.querySelectorAll('img.train-artifact-image')]"
                           ".every(i => i.complete && i.naturalWidth === 800 && i.naturalHeight === 600)")
    titles = page.inner_text("#train-run-artifacts")
    for title in ("Loss and accuracy", "Confusion matrix", "Sample predictions", "Trained weights", "configuration"):
        assert title in titles
    assert "Succeeded" in page.inner_text("#train-run-status")
    href = page.get_attribute("#train-run-artifacts a[href$='weights.pt?download=1']", "href")
    download = page.request.get(urljoin(server.base_url, href))
    assert download.status == 200 and "attachment" in download.headers["content-disposition"]
    image = page.request.get(urljoin(server.base_url, page.get_attribute("img.train-artifact-image", "src")))
    assert image.headers["content-type"] == "image/png" and image.body()[:8] == b"\x89PNG\r\n\x1a\n"
    _assert_clean(page, server.base_url)


def test_a_run_starts_and_ends_whatever_the_page_does_after_start(server, open_page):
    page = open_page()
    open_training(page, server.base_url)
    started = []

    def after_start_nothing_gets_through(route):
        if started:
            route.abort()  # the connection is lost the moment Start has been answered
            return
        response = route.fetch()
        if "train-start-alert" in (route.request.post_data or ""):
            started.append(response.text())
        route.fulfill(response=response)

    page.route("**/_dash-update-component*", after_start_nothing_gets_through)
    page.fill(field("epochs"), "3")
    page.click("#train-start")
    page.wait_for_selector("#train-start-alert .alert-success")
    run_id = int(re.search(r"Run #(\d+) queued", started[0]).group(1))
    page.close()
    allow(server.data_dir, run_id)
    assert wait_for_status(server.data_dir, run_id, ENDED) == "succeeded"


def test_artifact_route_serves_only_what_the_store_lists(server, open_page):
    page = open_page()
    base = server.base_url + "training-artifacts/"
    for path in ("1/../store.sqlite", "1/..%2Fstore.sqlite", "1/store.sqlite", "999/curves.png", "x/curves.png",
                 "1/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd"):
        assert page.request.get(base + path).status == 404, path


def test_cancel_stops_the_run_and_its_process_is_gone(server, open_page):
    page = open_page()
    open_training(page, server.base_url)
    run_id = start_run(page, **LONG)
    _epoch_shown(page, run_id)
    run_epochs(server.data_dir, run_id, 1)  # one epoch logged, to see that it stays
    store = store_of(server.data_dir)
    process = store.get(run_id).process
    assert psutil.pid_exists(process.pid)
    page.click(f"{active_card(run_id)} .train-cancel")
    page.wait_for_selector("#train-cancel-alert .alert", timeout=10_000)
    assert f"Run #{run_id} cancelled" in page.inner_text("#train-cancel-alert")
    run = store.get(run_id)
    assert run.status == "cancelled"
    if not SCALED:  # a Celery pool process outlives its run and takes the next task (tests/services/test_celery_runs.py)
        assert not psutil.pid_exists(process.pid) or psutil.Process(process.pid).status() == psutil.STATUS_ZOMBIE, \
            "the job process is really stopped when the page says cancelled"
    assert store.metrics([run_id])[run_id], "what it logged before the cancel stays"
    store.dispose()
    page.wait_for_selector(active_card(run_id), state="detached")
    _assert_clean(page, server.base_url)


def test_a_reloaded_page_and_a_second_tab_show_the_running_job_live(server, open_page):
    page = open_page()
    open_training(page, server.base_url)
    run_id = start_run(page, **LONG)
    _epoch_shown(page, run_id)
    page.reload()
    page.wait_for_selector(active_card(run_id))
    _epoch_shown(page, run_id)
    first = step_shown(page, run_id)
    allow(server.data_dir, run_id, 1)
    page.wait_for_function(f"!document.querySelector(`{active_card(run_id)}`).innerText.includes('STEP\\n{first:,}')")
    assert step_shown(page, run_id) > first, "still training, live, after the reload"

    page.click("#shell-navbar >> text=Data")  # leave the page mid-run and come back (dash#2650)
    page.wait_for_selector("#data-page")
    page.click("#shell-navbar >> text=Training")
    page.wait_for_selector(active_card(run_id))

    other = open_page(width=WIDTHS["narrow"])  # another browser: another user
    open_training(other, server.base_url)
    other.wait_for_selector(active_card(run_id))
    # The server cancels at once, but its answer is held until the live poll has taken the card (and the
    # pressed button) off the page: the confirmation must still come.
    answers = []
    other.route("**/_dash-update-component*", lambda route: answers.append((route, route.fetch()))
                if "train-cancel-alert" in (route.request.post_data or "") else route.continue_())
    other.click(f"{active_card(run_id)} .train-cancel")
    other.wait_for_selector(active_card(run_id), state="detached")
    page.wait_for_selector(active_card(run_id), state="detached")
    deadline = time.monotonic() + 60
    while not answers:  # the server's answer reaches the route handler, which runs only while Playwright waits
        assert time.monotonic() < deadline, "the server never answered the cancel"
        other.evaluate("() => new Promise(resolve => setTimeout(resolve, 20))")
    route, answer = answers[0]
    route.fulfill(response=answer)
    other.wait_for_selector("#train-cancel-alert .alert")
    assert f"Run #{run_id} cancelled" in other.inner_text("#train-cancel-alert")
    assert wait_for_status(server.data_dir, run_id, ("cancelled",)) == "cancelled"
    _assert_clean(page, server.base_url)
    _assert_clean(other, server.base_url)


def test_two_starts_in_a_row_both_run_one_after_the_other(server, open_page):
    page = open_page()
    open_training(page, server.base_url)
    first = start_run(page, **QUICK)
    second = start_run(page, epochs=5)
    assert second != first, "each Start queues a run of its own"
    page.wait_for_function(f"document.querySelector(`{active_card(second)}`)?.innerText.includes('next to start')")
    assert "Queued" in page.inner_text(active_card(second)), "the first run holds the one slot"
    allow(server.data_dir, first)
    allow(server.data_dir, second)
    assert wait_for_status(server.data_dir, first, ("succeeded", "failed", "cancelled")) == "succeeded", \
        "a second Start must not cancel the first run (dash#2751)"
    assert wait_for_status(server.data_dir, second, ("succeeded", "failed", "cancelled")) == "succeeded"
    store = store_of(server.data_dir)
    assert store.get(second).started_at >= store.get(first).finished_at - 0.5, "one slot: one run at a time"
    store.dispose()
    _assert_clean(page, server.base_url)


def test_compare_two_runs_overlays_curves_diffs_settings_and_shows_pictures(server, open_page):
    store = store_of(server.data_dir)
    finished = [run.id for run in store.list_runs() if run.status == "succeeded"][:2]
    store.dispose()
    assert len(finished) == 2, "earlier tests finished two runs"
    page = open_page()
    open_training(page, server.base_url)
    for run_id in finished:
        page.click(f"#train-runs-grid .ag-row[row-id='{run_id}'] .ag-checkbox-input")
    page.wait_for_selector("#train-compare-link:not(.disabled)")
    page.click("#train-compare-link")
    page.wait_for_selector("#train-compare-page .train-compare-table")
    legend = page.inner_text("#train-compare-graph")
    assert all(f"#{run_id}" in legend for run_id in finished)
    differing = page.locator("#train-compare-config tr.train-diff").all_inner_texts()
    assert any(text.startswith("Epochs") for text in differing), differing  # 4 against 5 epochs
    assert page.locator("#train-compare-config tr[data-differs='false']").count() > 3
    page.wait_for_function("document.querySelectorAll('#train-compare-artifacts img.train-artifact-image').length >= 6")
    sources = page.eval_on_selector_all("#train-compare-artifacts img", "els => els.map(e => e.getAttribute('src'))")
    assert any(f"/{finished[0]}/curves.png" in s for s in sources) and any(f"/{finished[1]}/curves.png" in s
                                                                            for s in sources)
    _assert_clean(page, server.base_url)


def test_out_of_range_values_are_marked_inline_and_nothing_starts(server, open_page):
    page = open_page()
    open_training(page, server.base_url)
    store = store_of(server.data_dir)
    before = len(store.list_runs())
    page.fill(field("epochs"), "0")
    page.fill(field("learning_rate"), "50")
    # Each fill is its own check of the form: wait for the answer that saw both values.
    page.wait_for_selector(f"{field('epochs')}.is-invalid")
    page.wait_for_selector(f"{field('learning_rate')}.is-invalid")
    feedback = page.inner_text("#train-form")
    assert "Must be from 1 to 1,000." in feedback and "Must be from 1e-06 to 10." in feedback
    page.click("#train-start")
    page.wait_for_selector("#train-start-alert .alert-warning")
    assert "Nothing started" in page.inner_text("#train-start-alert")
    assert len(store.list_runs()) == before
    store.dispose()
    page.fill(field("epochs"), "5")
    page.wait_for_selector(f"{field('epochs')}:not(.is-invalid)")
    _assert_clean(page, server.base_url)


def test_a_table_from_a_database_trains_and_bad_tables_are_explained(server, open_page):
    page = open_page()
    open_training(page, server.base_url)
    page.click(".train-dataset-choice label:has-text('Table')")
    page.wait_for_selector("#train-table-fields:not([hidden])")
    _pick(page, "database", "demo")
    _pick(page, "table", "demo_meta")
    page.wait_for_selector("text=has no numeric columns to learn from")
    _pick(page, "table", "products")
    _pick(page, "features", "unit_price")
    _pick(page, "features", "cost")
    _pick(page, "target", "category")
    run_id = start_run(page, epochs=5)
    allow(server.data_dir, run_id)
    assert wait_for_status(server.data_dir, run_id, ("succeeded", "failed")) == "succeeded"
    store = store_of(server.data_dir)
    run = store.get(run_id)
    assert run.config["features"] == ["unit_price", "cost"] and run.config["target"] == "category"
    store.dispose()
    _assert_clean(page, server.base_url)


CONTRAST = """(element) => {  // WCAG contrast of the element's text on what is painted behind it
    const rgba = (text) => text.match(/[\\d.]+/g).map(Number).concat([1]).slice(0, 4);
    let back = element, behind = [0, 0, 0, 0];
    while (back && behind[3] === 0) { behind = rgba(getComputedStyle(back).backgroundColor); back = back.parentElement; }
    const ink = rgba(getComputedStyle(element).color);
    const shown = ink.slice(0, 3).map((c, i) => c * ink[3] + behind[i] * (1 - ink[3]));
    const lum = (c) => c.map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
        .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    const [a, b] = [lum(shown), lum(behind.slice(0, 3))].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
}"""


@pytest.mark.looks
@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_table_fields_placeholders_are_readable_in_both_modes(server, open_page, scheme):
    page = open_page(scheme=scheme)
    open_training(page, server.base_url)
    page.click(".train-dataset-choice label:has-text('Table')")
    page.wait_for_selector("#train-table-fields:not([hidden]) .dash-dropdown-placeholder")
    placeholders = page.locator("#train-table-fields .dash-dropdown-placeholder")
    assert placeholders.count() == 4
    ratios = placeholders.evaluate_all(f"(all) => all.map({CONTRAST})")
    assert min(ratios) >= 3, f"placeholder contrast {ratios} (Choose a database, a table...)"


def _pick(page, name: str, option: str) -> None:
    """Choose an option of a dcc.Dropdown (Dash 4: a popover with a search box and a list of options).

    Options arrive from a callback; on a busy machine the list may still be the old one when it opens,
    so the choice is retried after closing and reopening the popover.
    """
    for attempt in range(3):
        page.click(choice(name))
        page.wait_for_selector(".dash-dropdown-options")
        page.keyboard.type(option)
        wanted = page.locator(".dash-dropdown-options").get_by_role("option", name=option, exact=True)
        try:
            wanted.click(timeout=10_000)
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            continue
        finally:
            page.keyboard.press("Escape")
            page.wait_for_selector(".dash-dropdown-options", state="detached")
        return


def test_a_failed_run_shows_its_error_in_the_history_and_on_its_page(server, open_page):
    page = open_page()
    open_training(page, server.base_url)
    page.click(".train-dataset-choice label:has-text('Spirals')")
    page.select_option(choice("optimizer"), "sgd")
    run_id = start_run(page, learning_rate=10, hidden_size=1024, batch_size=1, epochs=3)
    allow(server.data_dir, run_id)
    assert wait_for_status(server.data_dir, run_id, ("failed", "succeeded")) == "failed"
    page.wait_for_selector("#train-runs-grid .train-grid-failed")
    assert "training diverged" in page.inner_text("#train-runs-grid")
    page.goto(f"{server.base_url}training/runs/{run_id}")
    page.wait_for_selector(".train-run-error")
    assert "The loss became nan" in page.inner_text(".train-run-error")
    page.goto(f"{server.base_url}training/runs/99999")
    page.wait_for_selector("text=There is no run #99999.")
    assert page.is_hidden("#train-run-body"), "no empty cards: the message and the way back to every run"
    page.goto(f"{server.base_url}training/runs/1,5")
    page.wait_for_selector("text=“1,5” is not a run number.")
    # Both pages were answered with 404 (routing.py), which Chromium reports; nothing else went wrong.
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 404 (NOT FOUND)"] * 2
    page.console_errors.clear()
    _assert_clean(page, server.base_url)


def test_a_cancelled_run_resumes_from_its_page_and_finishes_its_epochs(server, open_page):
    page = open_page()
    open_training(page, server.base_url)
    run_id = start_run(page, epochs=4, batch_size=64)
    run_epochs(server.data_dir, run_id, 2)  # and held before its third
    page.click(f"{active_card(run_id)} .train-cancel")
    page.wait_for_selector("#train-cancel-alert .alert")
    assert f"Run #{run_id} cancelled" in page.inner_text("#train-cancel-alert")
    store = store_of(server.data_dir)
    logged = store.metrics([run_id])[run_id]

    page.goto(f"{server.base_url}training/runs/{run_id}")
    page.wait_for_selector("#train-run-status .train-resume")
    assert "Cancelled" in page.inner_text("#train-run-status")
    page.click("#train-run-status .train-resume")
    page.wait_for_selector("#train-run-alert .alert-success")
    assert f"Run #{run_id} resumed: attempt 2" in page.inner_text("#train-run-alert")
    page.wait_for_selector("#train-run-status .train-cancel")  # the page follows the run again
    allow(server.data_dir, run_id)
    page.wait_for_selector("#train-run-status .train-status-succeeded", timeout=120_000)
    page.wait_for_selector("#train-run-page img.train-artifact-image")
    assert "2 (resumed)" in page.inner_text("#train-run-progress")
    run = store.get(run_id)
    history = store.metrics([run_id])[run_id]
    assert run.attempt == 2 and [row["epoch"] for row in history] == [1, 2, 3, 4], history
    assert history[:2] == logged, "it continued after its second epoch: the first two are the ones it had"
    store.dispose()
    _assert_clean(page, server.base_url)


def test_cancel_on_a_runs_own_page_says_so_while_the_page_follows_the_run(server, open_page):
    """The heading is redrawn every second (Cancel turns into Resume): the answer to the press still shows."""
    page = open_page()
    open_training(page, server.base_url)
    run_id = start_run(page, epochs=3, batch_size=64)
    run_epochs(server.data_dir, run_id, 1)  # and held before its second
    page.goto(f"{server.base_url}training/runs/{run_id}")
    page.wait_for_selector("#train-run-status .train-cancel")
    page.click("#train-run-status .train-cancel")
    page.wait_for_selector("#train-run-status .train-resume")
    page.wait_for_selector("#train-run-alert .alert:has-text('cancelled')")
    assert f"Run #{run_id} cancelled." in page.inner_text("#train-run-alert")
    assert wait_for_status(server.data_dir, run_id, ("cancelled",)) == "cancelled"
    _assert_clean(page, server.base_url)


@pytest.mark.looks
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_screenshots_of_the_training_run_and_compare_pages(server, open_page, screenshot_dir, scheme, width_name):
    page = open_page(width=WIDTHS[width_name], scheme=scheme)
    open_training(page, server.base_url)
    finished = _finished_runs(page, server.data_dir, 2)
    run_id = start_run(page, epochs=400, batch_size=16)
    run_epochs(server.data_dir, run_id, 6)  # a few epochs on the live curves, then it waits for the screenshot
    page.wait_for_function("document.querySelector('#train-live-graph .js-plotly-plot')?.data?.[0]?.x?.length >= 6")
    # The whole page in the window, so that the history grid draws its rows for the size it is pictured at:
    # Chromium's full-page capture resizes the window, and the grid, redrawing for the new size, was caught blank.
    viewport = page.viewport_size
    page.set_viewport_size({**viewport, "height": page.evaluate("document.documentElement.scrollHeight")})
    page.wait_for_selector("#train-runs-grid .ag-row", state="visible")
    page.screenshot(path=screenshot_dir / f"training-live-{scheme}-{width_name}.png", full_page=True)
    page.set_viewport_size(viewport)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "nothing overflows sideways"
    if width_name == "wide":  # every column of the history shows whole, none cut at the grid's edge
        page.wait_for_function(HISTORY_FITS)
    page.goto(f"{server.base_url}training/runs/{finished[0]}")
    page.wait_for_function("[...document.querySelectorAll('img.train-artifact-image')].length >= 2 && "
                           "[...document.querySelectorAll('img.train-artifact-image')].every(i => i.complete)")
    page.wait_for_selector("#train-run-graph .js-plotly-plot .main-svg .scatterlayer .trace")  # curves drawn
    assert page.locator("#train-run-graph .modebar-btn").count() > 0, "the chart's mode bar is there"
    assert page.locator("#train-run-graph .modebar-btn[data-title^='Share']").count() == 0, "no upload to a cloud"
    assert page.locator("#train-run-graph .modebar-btn[data-attr='dragmode'][data-val='zoom']").count() == 1
    assert page.locator("#train-run-graph .modebar-btn[data-val='select'], #train-run-graph "
                        ".modebar-btn[data-val='lasso']").count() == 0, "no selection tools that do nothing"
    page.screenshot(path=screenshot_dir / f"training-run-{scheme}-{width_name}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.goto(f"{server.base_url}training/compare?runs={finished[0]},{finished[1]}")
    page.wait_for_selector("#train-compare-config table")
    page.wait_for_function("[...document.querySelectorAll('img.train-artifact-image')].every(i => i.complete)")
    page.wait_for_selector("#train-compare-graph .js-plotly-plot .main-svg .scatterlayer .trace")
    assert page.evaluate(LEGEND_BELOW_THE_AXES, "#train-compare-graph"), "the legend covers no axis, even on a phone"
    # Two panels fit a phone's width (three scroll sideways in their frame: tests/unit/test_runs_pages.py).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.eval_on_selector("#train-compare-graph-frame", "frame => frame.scrollWidth <= frame.clientWidth")
    page.screenshot(path=screenshot_dir / f"training-compare-{scheme}-{width_name}.png", full_page=True)
    _cancel_everything(server.data_dir)
    _assert_clean(page, server.base_url)


LEGEND_BELOW_THE_AXES = """graph => {
    const figure = document.querySelector(graph);
    const legend = figure.querySelector('.legend').getBoundingClientRect();
    const axes = [...figure.querySelectorAll('.xtick, .g-xtitle')].map(part => part.getBoundingClientRect().bottom);
    return axes.length > 0 && legend.top >= Math.max(...axes) - 0.5;
}"""

# Every header cell of the run history within the grid's frame, the last one's right edge included, each column's
# name whole, and every filter box of the header row wide enough to read a few typed characters (40 px).
HISTORY_FITS = """() => {
    const frame = document.querySelector('#train-runs-grid .ag-root-wrapper')?.getBoundingClientRect();
    const cells = [...document.querySelectorAll('#train-runs-grid .ag-header-row-column .ag-header-cell')];
    const names = [...document.querySelectorAll('#train-runs-grid .ag-header-row-column .ag-header-cell-text')];
    if (names.length < 11 || names.some(name => name.scrollWidth > name.clientWidth)) return false;
    const boxes = [...document.querySelectorAll('#train-runs-grid .ag-floating-filter input')]
        .filter(box => box.offsetParent !== null);  // a number filter's second box shows only for a range
    return frame && cells.length >= 11 && cells.every(cell => cell.getBoundingClientRect().right <= frame.right + 0.5)
        && boxes.length >= 11 && boxes.every(box => box.getBoundingClientRect().width >= 40);
}"""


def _finished_runs(page, data_dir, count: int) -> list[int]:
    """``count`` succeeded runs: those the stories before left, else small ones started here and let finish."""
    store = store_of(data_dir)
    finished = [run.id for run in store.list_runs() if run.status == "succeeded"]
    store.dispose()
    while len(finished) < count:
        run_id = start_run(page, epochs=2)
        allow(data_dir, run_id)
        assert wait_for_status(data_dir, run_id, ("succeeded", "failed", "interrupted")) == "succeeded"
        finished.append(run_id)
    return finished[:count]


RUN_ORDER_SHOWN = """() => [...document.querySelectorAll('#train-runs-grid .ag-center-cols-container .ag-row')]
    .sort((a, b) => Number(a.getAttribute('row-index')) - Number(b.getAttribute('row-index')))
    .map(row => Number(row.querySelector("[col-id='id']").innerText.replace('#', '')))"""


def _wait_for_run_order(page, expected: list[int]) -> None:
    # Polled on a timer, not on animation frames (the note on the header clicks below).
    try:
        page.wait_for_function(f"expected => JSON.stringify(({RUN_ORDER_SHOWN})()) === JSON.stringify(expected)",
                               arg=expected, timeout=15_000, polling=100)
    except PlaywrightTimeout:
        pass
    assert page.evaluate(RUN_ORDER_SHOWN) == expected


def test_the_run_column_sorts_by_run_number(history_server, open_page):
    page = open_page()
    open_training(page, history_server.base_url)
    page.locator("#train-runs-grid").scroll_into_view_if_needed()
    newest_first = sorted(history_server.run_ids, reverse=True)
    assert newest_first == list(range(12, 0, -1))
    _wait_for_run_order(page, newest_first)  # the page opens sorted by Run, descending
    # force: no wait for Playwright's 'stable' (two animation frames). In CI a click once waited its whole 30 s
    # there and nothing else: headless Chromium on a loaded machine may draw no frame for that long, while the
    # header, in place since the rows were shown, takes the click as a user's.
    header = page.locator("#train-runs-grid .ag-header-cell[col-id='id'] .ag-header-cell-label")
    for sort in ("none", "ascending", "descending"):  # a header click moves desc -> none -> asc -> desc
        header.click(force=True)
        page.wait_for_selector(f"#train-runs-grid .ag-header-cell[col-id='id'][aria-sort='{sort}']")
    _wait_for_run_order(page, newest_first)
    header.click(force=True)
    header.click(force=True)
    page.wait_for_selector("#train-runs-grid .ag-header-cell[col-id='id'][aria-sort='ascending']")
    _wait_for_run_order(page, sorted(newest_first))
    _assert_clean(page, history_server.base_url)


@pytest.fixture(scope="module")
def varied_history(tmp_path_factory):
    """An app whose three finished runs took 1.8 s, 1 min 22 s and 14.1 s, at 96.875 % (shown 96.9 %), 50 % and
    95 % accuracy."""
    import sqlalchemy as sa

    from dash_app.runs import schema

    data_dir = tmp_path_factory.mktemp("training-varied")
    run_ids = add_finished_runs(data_dir, 3)
    store = store_of(data_dir)
    with store.engine.begin() as connection:
        for run_id, took, accuracy in zip(run_ids, (1.8, 82.0, 14.1), (0.96875, 0.5, 0.95)):
            connection.execute(sa.update(schema.runs).where(schema.runs.c.id == run_id).values(
                started_at=1_000.0, finished_at=1_000.0 + took,
                progress=json.dumps({"epoch": 4, "metrics": {"val_accuracy": accuracy}})))
    store.dispose()
    with serve_app(data_dir) as process:
        process.run_ids = run_ids
        yield process


ROW_IDS_SHOWN = """() => [...document.querySelectorAll('#train-runs-grid .ag-center-cols-container .ag-row')]
    .sort((a, b) => Number(a.getAttribute('row-index')) - Number(b.getAttribute('row-index')))
    .map(row => Number(row.getAttribute('row-id')))"""


def _wait_for_rows(page, expected: list[int]) -> None:
    page.wait_for_function(f"expected => JSON.stringify(({ROW_IDS_SHOWN})()) === JSON.stringify(expected)",
                           arg=expected, polling=100)


def test_run_history_sorts_took_by_time_filters_accuracy_in_percent_and_selects_what_it_shows(varied_history,
                                                                                              open_page):
    fast, slow, medium = varied_history.run_ids
    page = open_page()
    open_training(page, varied_history.base_url)
    page.locator("#train-runs-grid").scroll_into_view_if_needed()
    _wait_for_rows(page, [medium, slow, fast])
    run_filter = "#train-runs-grid .ag-floating-filter[col-id='id'] input"
    page.fill(run_filter, "training")  # in every link's address, not in what the column shows
    _wait_for_rows(page, [])
    page.fill(run_filter, f"#{slow}")
    _wait_for_rows(page, [slow])
    page.fill(run_filter, "")
    _wait_for_rows(page, [medium, slow, fast])
    header = page.locator("#train-runs-grid .ag-header-cell[col-id='duration'] .ag-header-cell-label")
    header.click(force=True)
    page.wait_for_selector("#train-runs-grid .ag-header-cell[col-id='duration'][aria-sort='ascending']")
    _wait_for_rows(page, [fast, medium, slow])  # 1.8 s, 14.1 s, 1 min 22 s (as text: 1 min.., 1.8 s, 14.1 s)
    page.fill("#train-runs-grid .ag-floating-filter[col-id='val_accuracy'] input",
              "90")  # the column shows percent: at least 90 %
    _wait_for_rows(page, [fast, medium])
    page.fill("#train-runs-grid .ag-floating-filter[col-id='val_accuracy'] input", "96.9")  # as shown: kept
    _wait_for_rows(page, [fast])
    page.fill("#train-runs-grid .ag-floating-filter[col-id='val_accuracy'] input", "90")
    _wait_for_rows(page, [fast, medium])
    # The filter's field scrolled the grid sideways, as typing in it does for a user: back to its first column.
    page.evaluate("dash_ag_grid.getApi('train-runs-grid').ensureColumnVisible('ag-Grid-SelectionColumn')")
    page.click("#train-runs-grid .ag-header-cell[col-id='ag-Grid-SelectionColumn'] .ag-checkbox-input", force=True)
    page.wait_for_selector("#train-compare-link:not(.disabled)")
    href = page.get_attribute("#train-compare-link", "href")
    assert sorted(int(i) for i in href.split("runs=")[1].split(",")) == [fast, medium], "only the runs shown"
    _assert_clean(page, varied_history.base_url)


@pytest.mark.looks
def test_the_curves_card_of_a_run_keeps_its_size_while_the_chart_loads(history_server, open_page):
    page = open_page()
    # Every height the curves card has, from the first moment it is in the page (plotly.js loads later).
    page.add_init_script("""
        window.cardHeights = [];
        new MutationObserver(() => {
            const card = document.getElementById('train-run-graph')?.closest('.card');
            if (card) window.cardHeights.push(card.getBoundingClientRect().height);
        }).observe(document, {childList: true, subtree: true, attributes: true});
    """)
    page.goto(f"{history_server.base_url}training/runs/{history_server.run_ids[-1]}")
    page.wait_for_selector("#train-run-graph .js-plotly-plot .main-svg .scatterlayer .trace")
    assert page.locator("#train-run-graph .scatterlayer .trace").count() == 4, "losses and accuracies are drawn"
    heights = page.evaluate("window.cardHeights")
    final = page.evaluate("document.getElementById('train-run-graph').closest('.card').getBoundingClientRect().height")
    assert final > 420 and all(abs(height - final) <= 1 for height in heights), \
        f"the curves card has its size before the chart draws, so nothing below it moves: {sorted(set(heights))}"
    _assert_clean(page, history_server.base_url)


@pytest.mark.skipif(SCALED, reason="with Celery the run lives in its worker, not the web server: a web restart "
                    "keeps it running (tests/services/test_scaled_faults.py)")
def test_a_restart_marks_the_running_run_interrupted(tmp_path, open_page):
    data_dir = tmp_path / "data"
    with serve_app(data_dir, **HELD) as process:
        page = open_page()
        open_training(page, process.base_url)
        run_id = start_run(page, **LONG)
        wait_for_status(data_dir, run_id, ("running",))
        store = store_of(data_dir)
        job = store.get(run_id).process
        store.dispose()
        page.close()
        process.kill()  # the server dies mid-run; its job process is left behind as an orphan
        process.wait(10)
    with serve_app(data_dir) as restarted:
        page = open_page()
        open_training(page, restarted.base_url)
        page.wait_for_selector("#train-runs-grid .train-grid-interrupted")
        assert "server stopped" in page.inner_text("#train-runs-grid")
        assert "No run is queued or running" in page.inner_text("#train-active")
        assert not psutil.pid_exists(job.pid) or psutil.Process(job.pid).status() == psutil.STATUS_ZOMBIE, \
            "the orphaned job was stopped too"
        port = urlsplit(restarted.base_url).port
        log = (data_dir / f"server-{port}.log").read_text()
        assert f"training run {run_id} was running when the server stopped: marked interrupted" in log
        _assert_clean(page, restarted.base_url)
