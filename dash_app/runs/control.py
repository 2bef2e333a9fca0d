"""Stop runs from outside their job (a user's cancel, a dead job, the clean-up when the server starts), and resume them.

Cancel works from any page, tab or user because it goes through the store, not through the Dash call
that started the job: a queued run is cancelled at once; a running one gets ``cancel_requested``,
which its job reads within ``executor.CANCEL_POLL_S``; with Celery its task is revoked as well, which
reaches the worker running it on any machine; a job that has not stopped after ``CANCEL_GRACE_S``
(stuck in a long step or a slow query) is killed (a local process, children first; a Celery task by a
revoke with terminate), and the cancelling side writes "cancelled", since a killed process may not.

A job whose process died says nothing, so whoever looks at the runs (the Training pages' poll, the
dispatcher in dash_app/runs/launch.py) ends it with :func:`reap`: a local process that is gone, or a
heartbeat older than ``Settings.heartbeat_timeout_s`` (a worker on any machine). A queued Celery run
whose task was lost with a worker is sent again (:class:`LostTasks`). A cancelled or interrupted run can
be resumed (:func:`resume_run`) as a new attempt that continues from its checkpoint.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from dash_app.runs import processes
from dash_app.runs.schema import CANCELLED, QUEUED, RUNNING
from dash_app.runs.store import PROCESS_DIED, RESUMABLE, Run, RunStore

if TYPE_CHECKING:
    from dash_app.runs.launch import CeleryLauncher, ProcessLauncher

log = logging.getLogger(__name__)
CANCEL_GRACE_S = 1.5
CANCEL_POLL_S = 0.05


def cancel_run(store: RunStore, run_id: int, *, launcher: ProcessLauncher | CeleryLauncher | None = None,
               grace_s: float = CANCEL_GRACE_S) -> Run | None:
    """Cancel the run and return it once it has stopped and its local process is gone (None if no such run).

    With Celery (``launcher`` can revoke), the run's task is revoked on every worker too, through the
    broker, wherever it runs: a queued run's task never starts; a running one that has not stopped after
    ``grace_s`` (its job does not read the flag: a long step, a hung query) is terminated there
    (``revoke(task_id, terminate=True, signal="SIGTERM")``: its pool process ends the run and exits,
    dash_app/runs/job.py ``run_task``, and the worker starts a fresh one).
    """
    run = store.request_cancel(run_id)
    if run is None:
        return None
    revoke = getattr(launcher, "revoke", None) if run.task_id else None
    if revoke is not None and run.status in (CANCELLED, RUNNING):
        revoke(run.task_id, terminate=False)
    if run.status != RUNNING:
        return run
    # A Celery pool process outlives its run and takes the next task: never wait for it to end, nor kill it by
    # its pid (that would kill whatever it runs next); the revoke stops its task instead.
    process = run.process if run.task_id is None else None
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        time.sleep(CANCEL_POLL_S)
        run = store.get(run_id)
        if run.status != RUNNING and (process is None or not processes.is_alive(process)):
            return run
    if process is not None:
        processes.kill(process)
    if revoke is not None:
        revoke(run.task_id, terminate=True, signal="SIGTERM")
    store.finish(run_id, CANCELLED, error=None)
    return store.get(run_id)


def interrupt_orphans(store: RunStore, heartbeat_timeout_s: float, now: float | None = None) -> list[Run]:
    """At start-up, end the active runs whose job is gone; return them as they were.

    Gone means: a local job process that died, a heartbeat older than ``heartbeat_timeout_s`` (a job on
    any machine), or a diskcache job whose web process died (an orphan, which is killed so that it cannot
    write later). Never every running run: other web processes (gunicorn's workers, another server on the
    same store) and Celery workers keep their live runs, and queued runs stay queued for the next free slot.
    """
    active = store.list_runs(active_only=True)
    local_jobs = [run for run in active if run.status == RUNNING and run.backend == "diskcache"
                  and run.process is not None and processes.is_local(run.process)]
    for run in local_jobs:
        if processes.is_orphaned(run.process):
            processes.kill(run.process)
    gone = [run.id for run in local_jobs if not processes.is_alive(run.process)]
    ended = {run.id for run in store.mark_interrupted(gone)} if gone else set()  # "the server stopped"
    ended |= set(reap(store, [run for run in active if run.id not in ended], heartbeat_timeout_s, now))
    return [run for run in active if run.id in ended]


def reap_dead(store: RunStore, runs: list[Run]) -> list[int]:
    """Interrupt running runs whose local job process died without saying so (killed, out of memory)."""
    dead = [run for run in runs if run.status == RUNNING and run.process is not None
            and processes.is_local(run.process) and not processes.is_alive(run.process)]
    for run in dead:
        store.mark_interrupted([run.id], reason=PROCESS_DIED, attempt=run.attempt)
    return [run.id for run in dead]


def reap(store: RunStore, runs: list[Run], heartbeat_timeout_s: float, now: float | None = None) -> list[int]:
    """Interrupt the active runs (of ``runs``, as just read) whose job is gone; return their ids.

    Gone means a local process that died, or no heartbeat for ``heartbeat_timeout_s`` seconds wherever
    the job runs, counted only while the store answered this process (a store that did not answer took
    every job's heartbeat with it: its jobs are given the whole timeout again once it is back). Reading
    ``runs`` costs nothing more: the store is written only when one is found. A silent job process still
    alive on this machine (hung) is killed, so it holds no resources past its slot; never a Celery pool
    process (it outlives its run: its job stops by itself when it finds its run ended, ``Heartbeat.lost``).
    """
    dead = reap_dead(store, runs)
    now = time.time() if now is None else now
    silent = [run for run in runs if run.is_active and run.id not in dead and run.heartbeat_at is not None
              and now - max(run.heartbeat_at, store.unanswered_at) > heartbeat_timeout_s]
    if not silent:
        return dead
    ended = store.interrupt_silent([run.id for run in silent], heartbeat_timeout_s)
    for run in silent:
        if run.id in ended and run.process is not None and run.task_id is None:
            processes.kill(run.process)
    return dead + ended


class LostTasks:
    """Queued Celery runs whose task is gone, sent again: one per worker, called with the active runs as read.

    A queued run's task goes round the broker while its run may not start (back after ``SLOT_RETRY_S``,
    dash_app/background.py) and claims a slot within moments of its turn. A worker killed while it held
    the task (waiting out that countdown, or just after taking it) takes the task with it: the run would
    stay queued, and the runs behind it too (runs start in the queue's order, ``RunStore.claim_slot``),
    for good or until Redis gives the task back an hour later. So a run whose turn it has been for
    ``timeout_s`` (among the first queued, as many as slots are free, all along) has no task left: it is
    sent again under a new id (``CeleryLauncher.launch``). A copy that comes back later finds the run's
    task id changed and leaves the run alone (dash_app/runs/job.py ``run_task``).
    """

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._since: dict[tuple[int, int], float] = {}  # (run, attempt): its turn to start since

    def resend(self, launcher: CeleryLauncher, runs: list[Run], max_running: int,
               now: float | None = None) -> list[int]:
        """Send the tasks of the queued runs whose turn it has been for ``timeout_s``; return their ids."""
        from dash_app.runs.launch import CELERY_BACKEND, LaunchError

        now = time.time() if now is None else now
        free = max(0, max_running - sum(run.status == RUNNING for run in runs))
        queued = sorted((run for run in runs if run.status == QUEUED and run.backend == CELERY_BACKEND),
                        key=lambda run: run.id)[:free]  # no slot free: waiting is what the tasks should do
        waiting = {(run.id, run.attempt): self._since.get((run.id, run.attempt), now) for run in queued}
        self._since = waiting
        sent = []
        for run in queued:
            if now - waiting[(run.id, run.attempt)] < self.timeout_s:
                continue
            try:
                launcher.launch(run.id, run.attempt)
            except LaunchError:  # the broker does not answer: try again next time
                log.warning("run %s: its lost task could not be sent again", run.id)
                continue
            waiting[(run.id, run.attempt)] = now
            sent.append(run.id)
        return sent


def resume_run(store: RunStore, launcher: ProcessLauncher | CeleryLauncher, run_id: int,
               max_active: int | None = None) -> Run | None:
    """Queue a cancelled or interrupted run again as its next attempt and launch it; return it as it now is.

    A run in another state (or missing: None) is returned unchanged. The new attempt continues from the
    last epoch the run finished (its checkpoint), under the same id. With ``max_active`` (its owner's runs
    queued or running), the store raises TooManyRuns instead of resuming one past it.
    """
    from dash_app.runs.launch import hand_over

    run = store.get(run_id)
    if run is None or run.status not in RESUMABLE:
        return run
    resumed = store.resume(run_id, max_active)
    if resumed is not None and resumed.status == QUEUED and resumed.attempt == run.attempt + 1:
        hand_over(store, launcher, run_id, resumed.attempt)
    return store.get(run_id)

