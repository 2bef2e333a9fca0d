"""Hand a queued run to what runs it: from the server, in the request that queued it.

Start writes the run to the store and launches it in the same request, so a run never depends on the
page that asked for it: a reload, a closed tab or a lost request after Start changes nothing. Two ways,
chosen by settings (dash_app/background.py builds the one):

- :class:`ProcessLauncher` (diskcache, one machine): queued runs wait in the store and cost nothing
  there, no process and no thread each. One dispatcher thread per web process starts the first queued
  run in a process of its own (``python -m dash_app.runs.job``, kept warm ahead by :meth:`ProcessLauncher.prepare`:
  torch is already imported when its run comes) when a slot is free: it is woken by a
  Start, a Resume and the end of one of its jobs, and polls every ``DISPATCH_POLL_S`` only while runs
  wait (for slots freed by other web processes). Its claim (``RunStore.claim_next``) is decided in the
  store under the queue lock, so two web processes never start the same run and the limit holds across
  them. The job process is started with fork and exec, never a bare fork: the web server has threads,
  and a forked copy of it can inherit a lock another thread held at that moment and wait on it for ever.
- :class:`CeleryLauncher` (DASH_APP_BACKGROUND=celery): the run's task goes to the broker's ``training``
  queue (dash_app/background.py routes it there; Dash's background callbacks stay on ``celery``), and a
  worker with a free process takes it: no loop of ours polls the queue. The task claims its slot in the
  store (the global limit, across all workers); one delivered when no slot is free goes back to the
  broker with a countdown (Celery's retry) instead of holding a worker process while it waits.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dash_app.runs import processes
from dash_app.runs.control import reap
from dash_app.runs.schema import FAILED, QUEUED, RUNNING
from dash_app.runs.store import PROCESS_DIED, RunStore

log = logging.getLogger(__name__)
BACKEND = "diskcache"
CELERY_BACKEND = "celery"  # the runs CeleryLauncher launches (Settings.background)
DISPATCH_POLL_S = 1.0


class LaunchError(RuntimeError):
    """The run could not be handed over; the message is for the user."""


class QueueDown(LaunchError):
    """The job queue (Celery's broker) does not answer. The run stays queued: a worker's reaper sends its task
    again once the queue answers and its turn has come (dash_app/runs/control.py ``LostTasks``)."""


@dataclass(frozen=True)
class HandedOver:
    """How a hand-over went: ``failed`` says why the run could not start (it ended failed with that reason);
    ``waiting``, that the job queue did not answer (the run stays queued until it does); ``unattended``, that
    no worker answers (the run waits in the queue until one starts)."""

    failed: str | None = None
    waiting: bool = False
    unattended: bool = False


def hand_over(store: RunStore, launcher: ProcessLauncher | CeleryLauncher, run_id: int,
              attempt: int = 1) -> HandedOver:
    """Launch the queued run's ``attempt``; if it cannot be, end it failed with the reason."""
    try:
        launcher.launch(run_id, attempt)
    except QueueDown:
        log.warning("run %s: the job queue does not answer; it stays queued until it does", run_id)
        return HandedOver(waiting=True)
    except LaunchError as error:
        store.finish(run_id, FAILED, error=f"Not started: {error}.", from_statuses=(QUEUED,))
        return HandedOver(failed=str(error))
    return HandedOver(unattended=launcher.unattended())


class ProcessLauncher:
    """Start queued runs in ``python -m dash_app.runs.job`` as slots free; a job that ends without ending its run interrupts it."""

    def __init__(self, settings_json: str, store: Callable[[], RunStore], *, max_running: int,
                 heartbeat_timeout_s: float, poll_s: float = DISPATCH_POLL_S) -> None:
        self.settings_json, self.store = settings_json.encode(), store
        self.max_running, self.heartbeat_timeout_s, self.poll_s = max_running, heartbeat_timeout_s, poll_s
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._spare: subprocess.Popen | None = None  # a job process that has imported torch and waits for a run
        self._keep_spare = False

    def unattended(self) -> bool:
        """Never: this web process starts the job processes itself."""
        return False

    def prepare(self) -> None:
        """Keep a warm job process ready from now on (the server calls this as it starts, dash_app/__main__.py).

        One process in all, not one per queued run: it has imported torch and waits for a run on its stdin,
        so the next run's first progress comes within about a second of Start instead of after torch's
        import; each run that takes it leaves a new one warming for the next. It ends with the server.
        """
        if self._pid != os.getpid():
            self._reset()
        with self._lock:
            self._keep_spare = True
            if self._spare is not None and self._spare.poll() is not None:
                self._spare = None
        self._replenish()

    def close(self) -> None:
        """Stop keeping a warm job process and let the one waiting end (it reads no run)."""
        with self._lock:
            spare, self._spare, self._keep_spare = self._spare, None, False
        if spare is not None and spare.poll() is None:
            spare.stdin.close()
            spare.wait(30)

    def launch(self, run_id: int, attempt: int = 1) -> None:  # noqa: ARG002 - the queue in the store says which run
        """The run waits in the store's queue: have this process' dispatcher look at the queue now."""
        self.wake()

    def wake(self) -> None:
        """Make the dispatcher look at the queue now, starting its thread if it is not running."""
        if self._pid != os.getpid():  # a forked copy of the web process: the parent's thread is not here
            self._reset()
        with self._lock:
            self._wake.set()
            if self._thread is None:
                self._thread = threading.Thread(target=self._dispatch_loop, name="run-dispatcher", daemon=True)
                self._thread.start()

    def _dispatch_loop(self) -> None:
        """Dispatch when woken, and every ``poll_s`` while runs wait; end when none waits (a wake restarts it)."""
        while True:
            self._wake.wait(self.poll_s)
            self._wake.clear()
            try:
                waiting = self.dispatch()
            except Exception:  # noqa: BLE001 - the store did not answer: the queue is looked at again next tick
                log.exception("the run dispatcher could not read the queue")
                waiting = True
            with self._lock:
                if not waiting and not self._wake.is_set():
                    self._thread = None
                    return

    def dispatch(self) -> bool:
        """End runs whose job is gone, start queued runs while slots are free; return whether runs still wait.

        Waiting costs reads only: a claim (a write under the queue lock) is tried only when a slot looks free.
        """
        store = self.store()
        active = store.list_runs(active_only=True)
        if reap(store, active, self.heartbeat_timeout_s):
            active = store.list_runs(active_only=True)
        queued = sum(run.status == QUEUED and run.backend == BACKEND for run in active)
        free = self.max_running - sum(run.status == RUNNING for run in active)
        while queued and free > 0 and (claimed := store.claim_next(self.max_running, BACKEND)) is not None:
            self._start(store, *claimed)
            queued, free = queued - 1, free - 1
        return queued > 0

    def _spawn(self) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "dash_app.runs.job"], stdin=subprocess.PIPE)

    def _job_process(self) -> subprocess.Popen:
        """The warm job process if one waits, else a fresh one."""
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None and spare.poll() is None:
            return spare
        return self._spawn()

    def _replenish(self) -> None:
        """Have a warm job process wait for the next run (when :meth:`prepare` asked for one)."""
        with self._lock:
            if self._keep_spare and self._spare is None:
                try:
                    self._spare = self._spawn()
                except (OSError, subprocess.SubprocessError):  # the next run starts a fresh one instead
                    log.warning("no warm job process could be started", exc_info=True)

    def _start(self, store: RunStore, run_id: int, attempt: int) -> None:
        """Hand a claimed run to a job process and watch it; a process that cannot start fails the run."""
        try:
            child = self._job_process()
        except (OSError, subprocess.SubprocessError) as error:
            reason = f"Not started: the job's process could not be started ({error.__class__.__name__})."
            store.finish(run_id, FAILED, error=reason)
            return
        reference = processes.reference(child.pid)
        if reference is not None:
            store.set_process(run_id, reference)
        threading.Thread(target=self._watch, args=(child, run_id, attempt), name=f"run-{run_id}-watch",
                         daemon=True).start()
        try:
            with child.stdin:  # one line of a few kB: fits the pipe's buffer, so this never waits for the job
                child.stdin.write(b"%d %d %s\n" % (run_id, attempt, self.settings_json))
        except OSError:  # the process ended at once; its watcher ends the run
            pass
        self._replenish()  # after the run is handed over: its start comes first

    def _watch(self, child: subprocess.Popen, run_id: int, attempt: int) -> None:
        """Reap the job's process, make sure its run has ended (a crash must not hold a slot), and dispatch."""
        child.wait()
        try:
            self.store().mark_interrupted([run_id], reason=PROCESS_DIED, attempt=attempt)
        finally:
            self.wake()


class CeleryLauncher:
    """Send the run's task to the broker's ``training`` queue; whichever worker has a free process takes it.

    Runs wait in the broker, not in a loop of ours; the store mirrors their state and place for the pages.
    The task's id is kept on the run before it is sent, so Cancel can revoke it (:meth:`revoke`) on any
    worker, wherever it runs, from the moment Start returns.
    """

    def __init__(self, task: Any, store: Callable[[], RunStore] | None = None, workers: Any = None) -> None:
        self.task, self.store, self.workers = task, store, workers  # workers: dash_app.background.WorkerWatch

    def unattended(self) -> bool:
        """Whether no worker answers (a run sent now waits in the broker until one starts); False when unknown."""
        try:
            return self.workers is not None and not self.workers.alive()
        except Exception:  # noqa: BLE001 - a broker that does not answer: the launch said so already
            return False

    def prepare(self) -> None:
        """Nothing to prepare here: each worker imports torch as it starts (dash_app/worker.py)."""

    def close(self) -> None:
        """Nothing to close: the workers outlive the web process."""

    def launch(self, run_id: int, attempt: int = 1) -> None:
        from uuid import uuid4

        task_id = str(uuid4())
        if self.store is not None:
            self.store().set_task(run_id, task_id)
        try:
            self.task.apply_async(args=[int(run_id), int(attempt)], task_id=task_id, retry=False)
        except Exception as error:  # noqa: BLE001 - kombu raises several kinds; each means the same to the user
            log.warning("run %s: its task was not sent: %s: %s", run_id, type(error).__name__, error)
            raise QueueDown("the job queue does not answer") from None

    def revoke(self, task_id: str, *, terminate: bool, signal: str = "SIGTERM") -> bool:
        """Revoke the task on every worker (Celery's control, through the broker); with ``terminate``, the
        worker running it sends ``signal`` to the pool process that runs it. False if the broker did not answer."""
        try:
            self.task.app.control.revoke(task_id, terminate=terminate, signal=signal)
        except Exception:  # noqa: BLE001 - the broker is down: the store's cancel flag still reaches the job
            log.warning("could not revoke task %s", task_id, exc_info=True)
            return False
        return True
