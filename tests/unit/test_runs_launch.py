"""Launching runs from the server: a process per run that needs no page, and a run never left queued by its job."""

from __future__ import annotations

import psutil

from dash_app.background import build_background_manager, build_launcher
from dash_app.jobs.config import TrainConfig
from dash_app.runs.store import PROCESS_DIED, open_store
from dash_app.settings import load_settings
from tests.unit.runs_support import allow_epochs, wait_until

SMALL = TrainConfig(dataset="spirals", epochs=2, spiral_points=40)


def test_launched_runs_queue_run_and_a_run_whose_process_dies_never_blocks_the_queue(tmp_path):
    settings = load_settings(data_dir=tmp_path, hold_runs=True)
    store = open_store(settings.store_url)
    launcher = build_launcher(settings, build_background_manager(settings), lambda: store)
    first, second, third = (store.create_run(SMALL.to_json(), name, user=None, backend="diskcache")
                            for name in "abc")
    for run_id in (first, second, third):
        launcher.launch(run_id)
    wait_until(lambda: store.get(first).status == "running" and store.get(second).process is not None)
    assert store.get(second).status == "queued"

    psutil.Process(store.get(second).pid).kill()  # killed (or out of memory) while it waited for a slot
    wait_until(lambda: store.get(second).status == "interrupted")
    assert store.get(second).error == PROCESS_DIED

    allow_epochs(settings.holds_dir, first, 2)
    allow_epochs(settings.holds_dir, third, 2)
    wait_until(lambda: store.get(third).status == "succeeded")
    assert store.get(first).status == "succeeded", "the queue moved on past the dead run"
