"""Helpers for the Training browser tests: the app in a subprocess, pattern-id selectors, form filling."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from browser_support import CHROMIUM_ARGS, serve_app  # noqa: F401  (the training tests import them from here)
from scaled_support import store_url_of

from dash_app.runs.store import current_process, open_store
from tests.unit.runs_support import allow_epochs


def pattern(**parts) -> str:
    """CSS selector of a component with a pattern-matching id (Dash writes the keys sorted)."""
    return "[id='" + json.dumps(dict(sorted(parts.items())), separators=(",", ":")) + "']"


def field(name: str) -> str:
    return pattern(field=name, type="train-field")


def choice(name: str) -> str:
    return pattern(field=name, type="train-choice")


def store_of(data_dir: Path):
    return open_store(store_url_of(data_dir))


def open_training(page, base_url: str) -> None:
    page.goto(base_url + "training")
    page.wait_for_selector("#train-page")
    page.wait_for_selector("#train-runs-grid .ag-root-wrapper")


def start_run(page, **numbers) -> int:
    """Fill number fields, press Start and return the id of the run it queued.

    A second Start on the same page still shows the first run's alert until the server answers, so this
    waits for the alert to change (a new run always has a new id).
    """
    before = page.inner_text("#train-start-alert")
    for name, value in numbers.items():
        page.fill(field(name), str(value))
    page.click("#train-start")
    page.wait_for_function(
        "before => { const box = document.querySelector('#train-start-alert');"
        " return !!box.querySelector('.alert') && box.innerText !== before; }",
        arg=before,
    )
    text = page.inner_text("#train-start-alert")
    assert page.locator("#train-start-alert .alert-success").count() == 1, f"Start said: {text}"
    return int(re.search(r"Run #(\d+) queued", text).group(1))


def allow(data_dir: Path, run_id: int, epochs: int = 1_000_000) -> None:
    """Let a held run (``DASH_APP_HOLD_RUNS``) of the app on ``data_dir`` finish ``epochs`` epochs; by default all."""
    allow_epochs(data_dir / "holds", run_id, epochs)


def run_epochs(data_dir: Path, run_id: int, epochs: int) -> None:
    """Let a held run finish ``epochs`` epochs and wait until the store holds them: it then waits before the next."""
    allow(data_dir, run_id, epochs)
    wait_for_epochs(data_dir, run_id, epochs)


def wait_for_epochs(data_dir: Path, run_id: int, epochs: int, timeout_s: float = 300) -> None:
    """Wait until the store holds the metrics of ``epochs`` finished epochs of the run."""
    store = store_of(data_dir)
    try:
        deadline = time.monotonic() + timeout_s
        while len(store.metrics([run_id])[run_id]) < epochs:
            assert time.monotonic() < deadline, f"run {run_id} never logged {epochs} epochs: {store.get(run_id)}"
            time.sleep(0.1)
    finally:
        store.dispose()


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


def add_finished_runs(data_dir: Path, count: int, epochs: int = 4) -> list[int]:
    """Write ``count`` succeeded digits runs, with per-epoch metrics, straight into the store; their ids."""
    store = store_of(data_dir)
    run_ids = []
    try:
        for _ in range(count):
            run_id = store.create_run({"dataset": "digits", "epochs": epochs}, "Digits · MLP", user=None,
                                      backend="diskcache")
            store.claim_slot(run_id, 1, current_process())
            history = [{"epoch": epoch, "train_loss": 1 / epoch, "val_loss": 1.2 / epoch,
                        "train_accuracy": 0.5 + epoch / 10, "val_accuracy": 0.4 + epoch / 10}
                       for epoch in range(1, epochs + 1)]
            store.record_progress(run_id, {"epoch": epochs}, history)
            assert store.finish(run_id, "succeeded")
            run_ids.append(run_id)
    finally:
        store.dispose()
    return run_ids
