"""Training with DASH_APP_BACKGROUND=celery: a real Redis, a real worker started here, the app and Chromium.

The same user story as with diskcache: start, live progress, cancel, finish; the job runs in the
worker, the page follows it through the store.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from dash_app.background import WorkerWatch
from tests.unit.runs_support import wait_until

pytestmark = pytest.mark.browser

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "browser"))
from training_support import (  # noqa: E402
    CHROMIUM_ARGS, active_card, allow, open_training, serve_app, start_run, step_shown, store_of, wait_for_status,
)

ENDED = ("succeeded", "failed", "cancelled", "interrupted")


def chromium_path() -> str:
    path = os.environ.get("TEST_CHROMIUM") or "/usr/bin/chromium"
    if not os.path.isfile(path):
        if os.environ.get("TEST_REQUIRE_SERVICES") == "1":
            pytest.fail(f"no Chromium at {path}")
        pytest.skip(f"no Chromium at {path} (set TEST_CHROMIUM)")
    return path


def in_own_browser_thread(story) -> None:
    """Run ``story(page)`` with a Chromium of its own, in a thread of its own.

    Playwright's sync API refuses to start where an event loop runs, and the browser tests keep one
    running for the whole session; a thread has no loop of its own.
    """
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    outcome: dict[str, BaseException] = {}

    def run() -> None:
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                page.console_errors = []
                page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
                page.on("pageerror", lambda error: page.console_errors.append(str(error)))
                try:
                    story(page)
                finally:
                    browser.close()
        except BaseException as error:  # handed to the test's own thread, which reports it
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(600)
    if "error" in outcome:
        raise outcome["error"]
    assert not thread.is_alive(), "the browser story did not end"


@pytest.fixture
def celery_app(tmp_path, redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()  # no task left from an earlier run may reach this worker
    client.close()
    data_dir = tmp_path / "data"
    environment = {"DASH_APP_BACKGROUND": "celery", "DASH_APP_REDIS_URL": redis_url, "DASH_APP_DATA_DIR": str(data_dir),
                   "DASH_APP_HOLD_RUNS": "true"}  # runs wait before each epoch until the test allows it
    with serve_app(data_dir, **environment) as server:
        worker_env = {k: v for k, v in os.environ.items() if not k.startswith("DASH_APP_")} | environment
        log = (tmp_path / "worker.log").open("w")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "dash_app.worker", "worker", "--loglevel", "info",
             "--hostname", f"training-{os.getpid()}@%h"],
            env=worker_env, stdout=log, stderr=subprocess.STDOUT,
        )
        server.data_dir = data_dir
        server.worker = worker
        try:
            # The worker is ready, as a deployment's is: a run started now is taken, not left for a worker to come.
            wait_until(WorkerWatch(redis_url, 30).alive, 120)
            yield server
        finally:
            worker.terminate()
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
            log.close()


def test_start_progress_cancel_and_finish_through_a_celery_worker(celery_app, tmp_path):
    in_own_browser_thread(lambda page: _story(page, celery_app, tmp_path))


def _story(page, celery_app, tmp_path) -> None:
    open_training(page, celery_app.base_url)

    long_run = start_run(page, epochs=1000, batch_size=32)
    # Functions, not bare expressions: Playwright evaluates an expression with eval, which the app's
    # Content-Security-Policy refuses (SECURITY.md, "7. Headers").
    page.wait_for_function(f"() => document.querySelector(`{active_card(long_run)}`)?.innerText.includes('EPOCH')",
                           timeout=120_000)
    first = step_shown(page, long_run)
    allow(celery_app.data_dir, long_run, 1)
    page.wait_for_function(
        f"() => !document.querySelector(`{active_card(long_run)}`).innerText.includes('STEP\\n{first:,} /')")
    assert step_shown(page, long_run) > first, "progress moves live while the worker trains"
    store = store_of(celery_app.data_dir)
    run = store.get(long_run)
    assert run.backend == "celery" and run.device == "cpu"
    assert run.pid != celery_app.pid, "the job runs in the worker, not in the web process"

    page.click(f"{active_card(long_run)} .train-cancel")
    page.wait_for_selector("#train-cancel-alert .alert")
    assert f"Run #{long_run} cancelled" in page.inner_text("#train-cancel-alert")
    assert store.get(long_run).status == "cancelled"

    short_run = start_run(page, epochs=3)
    page.reload()  # the page that pressed Start is gone at once: the worker still gets the run
    allow(celery_app.data_dir, short_run)
    assert wait_for_status(celery_app.data_dir, short_run, ENDED) == "succeeded", \
        (tmp_path / "worker.log").read_text()[-3000:]
    assert store.artifacts(short_run)[0] == "curves.png"
    page.wait_for_selector("#train-runs-grid .train-grid-succeeded")
    assert celery_app.worker.poll() is None, "the worker keeps serving after a cancel"
    store.dispose()
    assert page.console_errors == []
