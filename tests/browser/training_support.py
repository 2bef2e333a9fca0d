"""Helpers for the Training browser tests: the app in a subprocess, pattern-id selectors, form filling."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import importlib.util

from dash_app.runs.store import open_store


def _browser_conftest():
    """tests/browser/conftest.py by path: outside tests/browser, ``import conftest`` finds tests/conftest.py."""
    spec = importlib.util.spec_from_file_location("training_browser_conftest", Path(__file__).with_name("conftest.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_conftest = _browser_conftest()
DEMO_ROWS, CHROMIUM_ARGS = _conftest.DEMO_ROWS, _conftest.CHROMIUM_ARGS
_clean_environment, _serve, free_port = _conftest._clean_environment, _conftest._serve, _conftest.free_port


@contextmanager
def serve_app(data_dir: Path, **environment: str) -> Iterator[str]:
    """``python -m dash_app`` on ``data_dir`` (kept between starts), until the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "dash_app", "--port", str(port), "--data-dir", str(data_dir),
               "--demo-rows", DEMO_ROWS]
    data_dir.mkdir(parents=True, exist_ok=True)
    with _serve(command, f"http://127.0.0.1:{port}/", _clean_environment(**environment),
                data_dir / f"server-{port}.log") as process:
        process.base_url = f"http://127.0.0.1:{port}/"
        yield process


def pattern(**parts) -> str:
    """CSS selector of a component with a pattern-matching id (Dash writes the keys sorted)."""
    return "[id='" + json.dumps(dict(sorted(parts.items())), separators=(",", ":")) + "']"


def field(name: str) -> str:
    return pattern(field=name, type="train-field")


def choice(name: str) -> str:
    return pattern(field=name, type="train-choice")


def store_of(data_dir: Path):
    return open_store(f"sqlite:///{data_dir / 'store.sqlite'}")


def open_training(page, base_url: str) -> None:
    page.goto(base_url + "training")
    page.wait_for_selector("#train-page")
    page.wait_for_selector("#train-runs-grid .ag-root-wrapper")


def start_run(page, **numbers) -> int:
    """Fill number fields, press Start and return the id of the run it queued."""
    for name, value in numbers.items():
        page.fill(field(name), str(value))
    page.click("#train-start")
    page.wait_for_selector("#train-start-alert .alert-success")
    text = page.inner_text("#train-start-alert")
    return int(re.search(r"Run #(\d+) queued", text).group(1))


def active_card(run_id: int) -> str:
    return pattern(run=run_id, type="train-active-card")


def wait_for_status(data_dir: Path, run_id: int, statuses: tuple[str, ...], timeout_s: float = 300) -> str:
    store = store_of(data_dir)
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            run = store.get(run_id)
            if run is not None and run.status in statuses:
                return run.status
            time.sleep(0.2)
    finally:
        store.dispose()
    raise AssertionError(f"run {run_id} never reached {statuses}: {run}")


def step_shown(page, run_id: int) -> int | None:
    """The step the live card of a run shows, or None before training starts."""
    text = page.inner_text(active_card(run_id))
    match = re.search(r"STEP\s+([\d,]+)\s*/", text, re.IGNORECASE)
    return int(match.group(1).replace(",", "")) if match else None
