"""Faults in the scaled mode: every web worker restarted while a run trains on a Celery worker.

The processes are the ones a team deploys (tests/browser/scaled_support.py): gunicorn with two web workers, a
Celery worker of its own, the run store on PostgreSQL and Redis as broker. The run's state is constructed with
held runs (``DASH_APP_HOLD_RUNS``: each epoch waits until the test allows it), never caught by timing.
"""

from __future__ import annotations

import os
import sys

import pytest

pytestmark = pytest.mark.browser

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "browser"))
from scaled_support import celery_worker, scaled_environment, web_workers  # noqa: E402
from test_training_celery import in_own_browser_thread  # noqa: E402
from training_support import (  # noqa: E402
    active_card, allow, open_training, start_run, store_of, wait_for_epochs, wait_for_status,
)

HELD = {"DASH_APP_HOLD_RUNS": "true"}


def test_restarting_every_web_worker_mid_run_loses_nothing(tmp_path, postgres_url, redis_url):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = scaled_environment(data_dir, HELD)
    started: dict[str, int] = {}
    with celery_worker(data_dir, env) as worker:
        with web_workers(data_dir, env) as web:
            in_own_browser_thread(lambda page: _start(page, web.base_url, started))
            run_id = started["run"]
            allow(data_dir, run_id, 1)
            wait_for_epochs(data_dir, run_id, 1)
        # Every web worker is gone, the run goes on in the Celery worker.
        store = store_of(data_dir)
        try:
            assert store.get(run_id).status == "running", "a web restart interrupts nothing"
            allow(data_dir, run_id, 2)
            wait_for_epochs(data_dir, run_id, 2)
            with web_workers(data_dir, env) as restarted:
                in_own_browser_thread(lambda page: _follow(page, restarted.base_url, data_dir, run_id))
            assert store.get(run_id).status == "succeeded"
            assert [row["epoch"] for row in store.metrics([run_id])[run_id]] == [1, 2, 3]
        finally:
            store.dispose()
        assert worker.poll() is None, worker.log.read_text()[-3000:]


def _start(page, base_url: str, started: dict[str, int]) -> None:
    open_training(page, base_url)
    started["run"] = start_run(page, epochs=3, batch_size=64)
    assert page.console_errors == []


def _follow(page, base_url: str, data_dir, run_id: int) -> None:
    """The restarted app shows the run live where it is, and its end when the worker finishes it."""
    open_training(page, base_url)
    page.wait_for_function(f"() => document.querySelector(`{active_card(run_id)}`)?.innerText.includes('EPOCH')")
    allow(data_dir, run_id)
    assert wait_for_status(data_dir, run_id, ("succeeded", "failed", "cancelled", "interrupted")) == "succeeded"
    page.wait_for_selector("#train-runs-grid .train-grid-succeeded")
    assert page.console_errors == []
