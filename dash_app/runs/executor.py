"""A run's life inside its job process: wait for a slot, train, write artifacts, record how it ended.

Called by the Dash background callback in the job process (a multiprocess child with diskcache, a
Celery worker otherwise), never in the web process: this is the only module of ``dash_app.runs`` that
imports torch, and only inside :func:`execute_run`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from dash_app.jobs.config import ConfigError, parse_config
from dash_app.runs.schema import CANCELLED, FAILED, RUNNING, SUCCEEDED
from dash_app.runs.store import CLAIMED, GONE, RunStore, current_process

log = logging.getLogger(__name__)
QUEUE_POLL_S = 0.5
CANCEL_POLL_S = 0.2
SetProgress = Callable[[Any], None]


def run_folder(data_dir: Path, run_id: int) -> Path:
    """Where a run's artifacts live: ``<data_dir>/runs/<id>/``."""
    return data_dir / "runs" / str(int(run_id))


def execute_run(
    store: RunStore, run_id: int, *, data_dir: Path, max_running: int, databases: Mapping[str, str],
    set_progress: SetProgress | None = None,
) -> str:
    """Run ``run_id`` to its end and return its final status."""
    me = current_process()
    while (outcome := store.claim_slot(run_id, max_running, me)) != CLAIMED:
        if outcome == GONE:
            run = store.get(run_id)
            return run.status if run else CANCELLED
        run = store.get(run_id)
        if set_progress is not None and run is not None:
            set_progress({"status": run.status, "queue_position": run.queue_position})
        time.sleep(QUEUE_POLL_S)
    return _train_and_record(store, run_id, data_dir, databases, set_progress)


def _train_and_record(store, run_id, data_dir, databases, set_progress) -> str:
    run = store.get(run_id)
    reporter = StoreReporter(store, run_id, set_progress)
    try:
        config = parse_config(run.config)
        from dash_app.jobs.datasets import DataCancelled, DataError
        from dash_app.jobs.train import TrainingDiverged, pick_device, train

        reporter.device = pick_device().type
        try:
            result = train(config, report=reporter, should_stop=reporter.should_stop, databases=databases)
        except DataCancelled:
            return _end(store, run_id, CANCELLED)
        except (DataError, TrainingDiverged) as error:
            return _end(store, run_id, FAILED, str(error))
        if result.stopped:
            return _end(store, run_id, CANCELLED)
        from dash_app.jobs.artifacts import write_artifacts  # matplotlib: only once there is something to draw

        folder = run_folder(data_dir, run_id)
        names = write_artifacts(result, folder)
        return _end(store, run_id, SUCCEEDED, artifacts=[(name, (folder / name).stat().st_size) for name in names])
    except ConfigError as error:
        return _end(store, run_id, FAILED, f"Invalid settings: {error}")
    except Exception as error:  # the job's boundary: any failure must end the run with its reason, not "running"
        log.exception("run %s failed", run_id)
        return _end(store, run_id, FAILED, f"{type(error).__name__}: {error}")


def _end(store: RunStore, run_id: int, status: str, error: str | None = None, artifacts=()) -> str:
    store.finish(run_id, status, error=error, artifacts=artifacts)
    run = store.get(run_id)
    return run.status if run else status


class StoreReporter:
    """Adapts ``jobs.train``'s report/should_stop to the run store and to Dash's ``set_progress``."""

    def __init__(self, store: RunStore, run_id: int, set_progress: SetProgress | None) -> None:
        self.store, self.run_id, self.set_progress = store, run_id, set_progress
        self.device: str | None = None
        self.stop = False
        self.next_check = 0.0

    def __call__(self, progress) -> None:
        snapshot = {key: value for key, value in asdict(progress).items() if key != "completed"}
        snapshot["metrics"] = dict(progress.metrics)
        snapshot["status"] = RUNNING
        if not self.store.record_progress(self.run_id, snapshot, progress.completed, device=self.device):
            self.stop = True  # cancelled or interrupted by someone else: stop at the next check
        self.device = None  # written once
        if self.set_progress is not None:
            self.set_progress(snapshot)

    def should_stop(self) -> bool:
        """Read the cancel flag at most every CANCEL_POLL_S seconds, so asking is cheap."""
        now = time.monotonic()
        if not self.stop and now >= self.next_check:
            self.next_check = now + CANCEL_POLL_S
            self.stop = self.store.cancel_requested(self.run_id)
        return self.stop
