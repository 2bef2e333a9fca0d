"""One training run in a process of its own, and a Celery task's run in a worker's pool process.

``python -m dash_app.runs.job`` (diskcache mode) is started by the dispatcher of
:class:`dash_app.runs.launch.ProcessLauncher`, often before it has a run: it imports torch and the job's
modules first (:func:`warm_up`), then reads one line on stdin, ``RUN_ID ATTEMPT SETTINGS_JSON``, for a run
the dispatcher has already claimed, so a run's first progress does not wait for torch to load. A process
started for a run (no warm one was ready) has its run before torch has loaded: it beats that run's
heartbeat meanwhile (:class:`RunLine`), so a slow import on a busy machine is not taken for a dead job. The
settings come from the web process that launched the run, so a host that configured the product in code
(``init_app(server, load_settings(...))``) gets the same settings here. A process that reads no line
(its server stopped) ends.

A Celery worker's task calls :func:`run_task` instead: the run claims its slot there, once
(dash_app/runs/executor.py ``execute_if_free``). SIGTERM to its pool process (what
``revoke(task_id, terminate=True)`` sends, dash_app/runs/control.py ``cancel_run``) ends the run there
as cancelled, then the process, which the worker replaces.
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import TextIO

from dash_app.runs.executor import Heartbeat, execute_if_free, run_claimed
from dash_app.runs.store import PROCESS_DIED, open_store
from dash_app.settings import Settings

log = logging.getLogger(__name__)
SUPERSEDED = "superseded"  # a Celery task's outcome when the run's task was sent again since it was


def warm_up(*, exercise: bool = False) -> None:
    """Import torch and what a run's first steps need, before any run is known (seconds on a small CPU).

    torch loads much of itself lazily: the first optimizer imports its compiler front end, the first
    backward pass more. ``exercise``: also train a tiny model for a step with each optimizer (and ask which
    device runs use), so a run pays for none of it; never in a process that forks afterwards (a Celery
    worker's parent), since torch's thread pool and CUDA do not survive a fork.
    """
    import torch._dynamo  # noqa: F401 - what the first optimizer would import; imported for the import's sake

    import dash_app.jobs.artifacts  # matplotlib: the run's end
    import dash_app.jobs.datasets
    import dash_app.jobs.models
    import dash_app.jobs.train

    if not exercise:
        return
    from dash_app.jobs.config import OPTIMIZERS, TrainConfig

    dash_app.jobs.train.pick_device()
    for optimizer in OPTIMIZERS:
        config = TrainConfig(dataset="spirals", epochs=1, spiral_points=8, batch_size=8, optimizer=optimizer)
        dash_app.jobs.train.train(config, report=lambda _progress: None, should_stop=lambda: False)


def run_task(settings: Settings, run_id: int, attempt: int, task_id: str | None = None) -> str:
    """A Celery task's run: claim a slot once and run it to its end; WAITING when the run may not start now.

    Returns the run's final status (or WAITING: the task retries later, dash_app/background.py), or
    SUPERSEDED, doing nothing, when ``task_id`` is not the run's task: the run's task was sent again
    since (dash_app/runs/control.py ``LostTasks``) and this copy came back after all. SIGTERM
    in a pool process (``revoke(terminate=True)``, or the worker stopping at once) raises SystemExit in
    it: the run is ended here first, cancelled when a cancel was asked for (else interrupted), so the
    one who cancels sees it at once, and the process ends as the pool has it.
    """
    store = open_store(settings.store_url)
    holds_dir = settings.holds_dir if settings.hold_runs else None
    try:
        run = store.get(run_id)
        if task_id is not None and run is not None and run.task_id not in (None, task_id):
            log.info("run %s: task %s is not the run's task (%s): left alone", run_id, task_id, run.task_id)
            return SUPERSEDED
        return execute_if_free(store, run_id, data_dir=settings.data_dir, max_running=settings.max_concurrent_jobs,
                               databases=settings.databases, heartbeat_timeout_s=settings.heartbeat_timeout_s,
                               holds_dir=holds_dir, attempt=attempt, heartbeat_s=settings.heartbeat_timeout_s / 4)
    except SystemExit:
        log.info("run %s: its process was told to stop (SIGTERM)", run_id)
        store.mark_interrupted([run_id], reason=PROCESS_DIED, attempt=attempt)
        raise
    finally:
        store.dispose()


def run_job(settings: Settings, run_id: int, attempt: int | None = None) -> str:
    """Run the claimed ``run_id`` (its ``attempt``) to its end with its own store connection; its final status."""
    store = open_store(settings.store_url)
    holds_dir = settings.holds_dir if settings.hold_runs else None
    try:
        return run_claimed(store, run_id, data_dir=settings.data_dir, databases=settings.databases,
                           holds_dir=holds_dir, attempt=attempt, heartbeat_s=settings.heartbeat_timeout_s / 4)
    finally:
        store.dispose()


class RunLine:
    """The dispatcher's line for this process' run, read on a thread of its own from the process' start.

    A line that comes while torch is still loading (a process started for a run because no warm one was
    ready) has its run's heartbeat beaten here until :meth:`warmed`: the run was claimed before this
    process could beat for it, and an import slower than the heartbeat timeout (a busy machine) would
    otherwise get a live job interrupted. A warm process' line comes after :meth:`warmed` and costs nothing.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._line = ""
        self._arrived = threading.Event()
        self._warmed = threading.Event()
        self._thread = threading.Thread(target=self._read, name="run-line", daemon=True)
        self._thread.start()

    @property
    def arrived(self) -> bool:
        return self._arrived.is_set()

    def warmed(self) -> None:
        """torch has loaded: the run's own job beats from now on."""
        self._warmed.set()

    def take(self) -> str:
        """The line, once it came ("" when the server stopped before sending a run); call after :meth:`warmed`."""
        self._arrived.wait()
        self._thread.join()
        return self._line

    def _read(self) -> None:
        try:
            self._line = self._stream.readline()
        finally:
            self._arrived.set()
        if self._warmed.is_set() or not self._line.strip():
            return
        try:
            run_id, _attempt, settings = parse_line(self._line)
            store = open_store(settings.store_url)
        except Exception:  # noqa: BLE001 - the job reads the same line again and reports what is wrong
            log.warning("the run's line could not be read for its heartbeat", exc_info=True)
            return
        try:
            with Heartbeat(store, run_id, settings.heartbeat_timeout_s / 4):
                self._warmed.wait()
        finally:
            store.dispose()


def parse_line(line: str) -> tuple[int, int, Settings]:
    """``RUN_ID ATTEMPT SETTINGS_JSON`` as the dispatcher writes it (dash_app/runs/launch.py)."""
    run_id, attempt, settings_json = line.split(" ", 2)
    return int(run_id), int(attempt), Settings.model_validate_json(settings_json)


def main(stream: TextIO = sys.stdin, warm=warm_up) -> int:
    from dash_app.logs import configure_default

    run_line = RunLine(stream)
    try:
        warm()
        if not run_line.arrived:  # no run has come yet: time to exercise torch too
            warm(exercise=True)
    except Exception:  # noqa: BLE001 - the run itself reports what is wrong, in the store
        log.warning("warm-up failed", exc_info=True)
    finally:
        run_line.warmed()
    line = run_line.take()
    if not line.strip():
        return 0  # no run came: the server that started this process has stopped
    run_id, attempt, settings = parse_line(line)
    configure_default(settings.log_format)  # the web server's format: its job events read as its own lines
    status = run_job(settings, run_id, attempt)
    log.info("run %s (attempt %s) ended %s", run_id, attempt, status)
    return 0


if __name__ == "__main__":
    sys.exit(main())
