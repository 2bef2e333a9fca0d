"""A run's life inside its job process: (wait for a slot,) train, write artifacts, record how it ended.

Called in the job process (``python -m dash_app.runs.job`` with diskcache, a Celery worker's task
otherwise, :func:`execute_if_free`; see dash_app/runs/launch.py), never in the web process: this is the only module of
``dash_app.runs`` that imports torch, and only inside :func:`run_claimed`.

While it trains, a :class:`Heartbeat` thread writes the run's ``heartbeat_at`` every few seconds,
whatever training is doing (loading a table, drawing artifacts, held by a test); a run whose heartbeat
stops is interrupted by whoever looks (dash_app/runs/control.py ``reap``). Every finished epoch leaves a
checkpoint in the run's folder (jobs/train.py), and a later attempt of a resumed run continues from it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from dash_app.jobs.config import ConfigError, parse_config
from dash_app.runs.schema import CANCELLED, FAILED, RUNNING, SUCCEEDED
from dash_app.runs.store import CLAIMED, GONE, WAITING, Run, RunStore, current_process

log = logging.getLogger(__name__)
QUEUE_POLL_S = 0.5
CANCEL_POLL_S = 0.2
HOLD_POLL_S = 0.05
HEARTBEAT_EVERY_S = 5.0  # the default heartbeat timeout (Settings.heartbeat_timeout_s) is 4 beats
# A store that does not answer for a while (restarted, failed over) does not end a training run: its progress
# waits for the next report, and its end is written once the store is back, tried for this long.
END_RETRY_S = 300.0
END_RETRY_EVERY_S = 2.0


def run_folder(data_dir: Path, run_id: int) -> Path:
    """Where a run's artifacts live: ``<data_dir>/runs/<id>/``."""
    return data_dir / "runs" / str(int(run_id))


def execute_run(
    store: RunStore, run_id: int, *, data_dir: Path, max_running: int, databases: Mapping[str, str],
    holds_dir: Path | None = None, attempt: int | None = None, heartbeat_s: float = HEARTBEAT_EVERY_S,
) -> str:
    """Wait until ``run_id`` (its ``attempt``, when given) claims a slot, run it to its end, return its final status.

    For callers that may wait in a process of their own (the tests' jobs); ``holds_dir`` is for tests (``Settings.hold_runs``):
    the run then starts an epoch only once ``<holds_dir>/<run id>`` allows it (see :class:`EpochHold`).
    """
    me = current_process()
    while (outcome := store.claim_slot(run_id, max_running, me, attempt)) != CLAIMED:
        if outcome == GONE:
            run = store.get(run_id)
            return run.status if run else CANCELLED
        time.sleep(QUEUE_POLL_S)
    return run_claimed(store, run_id, data_dir=data_dir, databases=databases, holds_dir=holds_dir,
                       heartbeat_s=heartbeat_s)


def execute_if_free(
    store: RunStore, run_id: int, *, data_dir: Path, max_running: int, databases: Mapping[str, str],
    heartbeat_timeout_s: float, holds_dir: Path | None = None, attempt: int | None = None,
    heartbeat_s: float = HEARTBEAT_EVERY_S,
) -> str:
    """Claim a slot for ``run_id`` once and run it to its end; WAITING (nothing done) if it may not start now.

    The Celery task's way (dash_app/background.py): a task whose run may not start yet (no slot free, or
    runs queued before it) is sent back to the broker (Celery's retry) rather than waiting here
    (``waits_here=False``). Runs whose job died are interrupted first (dash_app/runs/control.py ``reap``),
    so a slot a dead worker held is freed for this run.
    """
    from dash_app.runs.control import reap

    reap(store, store.list_runs(active_only=True), heartbeat_timeout_s)
    outcome = store.claim_slot(run_id, max_running, current_process(), attempt, waits_here=False)
    if outcome == WAITING:
        return WAITING
    if outcome == GONE:
        run = store.get(run_id)
        return run.status if run else CANCELLED
    return run_claimed(store, run_id, data_dir=data_dir, databases=databases, holds_dir=holds_dir,
                       heartbeat_s=heartbeat_s)


def run_claimed(
    store: RunStore, run_id: int, *, data_dir: Path, databases: Mapping[str, str], holds_dir: Path | None = None,
    attempt: int | None = None, heartbeat_s: float = HEARTBEAT_EVERY_S,
) -> str:
    """Run a claimed (running) run to its end, beating its heartbeat meanwhile; return its final status.

    The dispatcher's job process starts here (dash_app/runs/job.py). A run that is not running (or is
    at another ``attempt``) is left as it is. A later attempt continues from the run's checkpoint.
    """
    run = store.get(run_id)
    if run is None or run.status != RUNNING or (attempt is not None and run.attempt != attempt):
        return run.status if run else CANCELLED
    hold = EpochHold(holds_dir, run_id) if holds_dir is not None else None
    with Heartbeat(store, run_id, heartbeat_s) as heartbeat:
        return _train_and_record(store, run, data_dir, databases, hold, heartbeat)


def _train_and_record(store, run: Run, data_dir, databases, hold: EpochHold | None, heartbeat: Heartbeat) -> str:
    run_id = run.id
    reporter = StoreReporter(store, run_id, hold, heartbeat)
    folder = run_folder(data_dir, run_id)
    try:
        config = parse_config(run.config)
        from dash_app.jobs.datasets import DataCancelled, DataError
        from dash_app.jobs.train import REPORT_EVERY_S, TrainingDiverged, pick_device, train

        reporter.device = pick_device().type
        # A held run reports every step, so that it reports (and can wait) as each epoch begins.
        every_s = 0.0 if hold is not None else REPORT_EVERY_S
        try:
            result = train(config, report=reporter, should_stop=reporter.should_stop, databases=databases,
                           report_every_s=every_s, folder=folder, resume=run.attempt > 1)
        except DataCancelled:
            return _end(store, run_id, CANCELLED, reporter=reporter)
        except (DataError, TrainingDiverged) as error:
            return _end(store, run_id, FAILED, str(error), reporter=reporter)
        if result.stopped:
            return _end(store, run_id, CANCELLED, reporter=reporter)
        from dash_app.jobs.artifacts import write_artifacts  # matplotlib: only once there is something to draw

        names = write_artifacts(result, folder)
        return _end(store, run_id, SUCCEEDED, reporter=reporter,
                    artifacts=[(name, (folder / name).stat().st_size) for name in names])
    except ConfigError as error:
        return _end(store, run_id, FAILED, f"Invalid settings: {error}", reporter=reporter)
    except Exception as error:  # the job's boundary: any failure must end the run with its reason, not "running"
        log.exception("run %s failed", run_id)
        return _end(store, run_id, FAILED, f"{type(error).__name__}: {error}", reporter=reporter)


def _end(store: RunStore, run_id: int, status: str, error: str | None = None, artifacts=(),
         reporter: StoreReporter | None = None) -> str:
    """Write how the run ended, after the progress the store did not take yet; while the store does not answer,
    try again for END_RETRY_S."""
    deadline = time.monotonic() + END_RETRY_S
    while True:
        try:
            if reporter is not None:
                reporter.flush()
            store.finish(run_id, status, error=error, artifacts=artifacts)
            run = store.get(run_id)
            return run.status if run else status
        except SQLAlchemyError:
            if time.monotonic() >= deadline:
                raise
            log.warning("run %s: its end (%s) not written: the store does not answer; trying again", run_id, status)
            time.sleep(END_RETRY_EVERY_S)


class EpochHold:
    """For tests: the run may finish as many epochs as the file ``<folder>/<run id>`` says (none without it).

    A test that needs a run still running (to watch it live, cancel it, reload the page or stop the
    server under it) makes one that waits here by construction, whatever the machine's speed, and
    lets it go on by writing a larger number.
    """

    def __init__(self, folder: Path, run_id: int) -> None:
        self.path = folder / str(int(run_id))

    def allowed(self) -> int:
        try:
            return int(self.path.read_text().strip() or 0)
        except (OSError, ValueError):
            return 0

    def wait_before(self, epoch: int, should_stop: Callable[[], bool]) -> None:
        """Return once epoch ``epoch`` may start, or a stop was asked for."""
        while epoch > self.allowed() and not should_stop():
            time.sleep(HOLD_POLL_S)


class Heartbeat:
    """A thread that writes the run's heartbeat every ``every_s`` seconds while the job lives.

    It beats whatever the job's main thread is doing; it stops, and says so in ``lost``, once the run is
    no longer running (someone ended it), so the job stops too.
    """

    def __init__(self, store: RunStore, run_id: int, every_s: float) -> None:
        self.store, self.run_id, self.every_s = store, run_id, every_s
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"run-{run_id}-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        """Beat at once (the job has just started), then every ``every_s`` until told to stop."""
        while True:
            try:
                alive = self.store.beat(self.run_id)
            except Exception:  # noqa: BLE001 - a store that does not answer for a moment: beat again later
                log.warning("run %s: heartbeat not written", self.run_id, exc_info=True)
                alive = True
            if not alive:
                self.lost = True
                return
            if self._stop.wait(self.every_s):
                return


class StoreReporter:
    """Adapts ``jobs.train``'s report/should_stop to the run store (and to a test's :class:`EpochHold`)."""

    def __init__(self, store: RunStore, run_id: int, hold: EpochHold | None = None,
                 heartbeat: Heartbeat | None = None) -> None:
        self.store, self.run_id, self.hold, self.heartbeat = store, run_id, hold, heartbeat
        self.device: str | None = None
        self.stop = False
        self.next_check = 0.0
        self.snapshot: dict | None = None  # the last progress, and the finished epochs not written yet (the
        self.unsent: list = []  # store did not answer): sent with the next report, or before the run's end

    def __call__(self, progress) -> None:
        snapshot = {key: value for key, value in asdict(progress).items() if key != "completed"}
        snapshot["metrics"] = dict(progress.metrics)
        snapshot["status"] = RUNNING
        self.snapshot = snapshot
        self.unsent += progress.completed
        try:
            self.flush()
        except SQLAlchemyError:  # the store does not answer for a moment: training goes on, the next report sends
            log.warning("run %s: progress not written: the store does not answer", self.run_id)
        if self.hold is not None and not progress.done:
            self.hold.wait_before(progress.epoch, self.should_stop)

    def flush(self) -> None:
        """Write the last progress and the epochs the store has not taken yet (raise where it does not answer)."""
        if self.snapshot is None:
            return
        alive = self.store.record_progress(self.run_id, self.snapshot, self.unsent, device=self.device)
        self.snapshot, self.unsent, self.device = None, [], None  # the device is written once
        if not alive:
            self.stop = True  # cancelled or interrupted by someone else: stop at the next check

    def should_stop(self) -> bool:
        """Read the cancel flag at most every CANCEL_POLL_S seconds, so asking is cheap (and a store that does
        not answer for a moment is asked again next time)."""
        now = time.monotonic()
        if self.heartbeat is not None and self.heartbeat.lost:
            self.stop = True
        if not self.stop and now >= self.next_check:
            self.next_check = now + CANCEL_POLL_S
            try:
                self.stop = self.store.cancel_requested(self.run_id)
            except SQLAlchemyError:
                pass
        return self.stop
