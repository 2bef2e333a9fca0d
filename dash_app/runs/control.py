"""Stop runs from outside their job: a user's cancel, and the clean-up when the server starts.

Cancel works from any page, tab or user because it goes through the store, not through the Dash call
that started the job: a queued run is cancelled at once; a running one gets ``cancel_requested``,
which its job reads within ``executor.CANCEL_POLL_S``; a job that has not stopped after
``CANCEL_GRACE_S`` (stuck in a long step or a slow query) is killed, children first, and the
cancelling side writes "cancelled", since a killed process cannot.
"""

from __future__ import annotations

import time

from dash_app.runs import processes
from dash_app.runs.schema import CANCELLED, RUNNING
from dash_app.runs.store import PROCESS_DIED, Run, RunStore

CANCEL_GRACE_S = 1.5
CANCEL_POLL_S = 0.05


def cancel_run(store: RunStore, run_id: int, *, grace_s: float = CANCEL_GRACE_S) -> Run | None:
    """Cancel the run and return it once it has stopped and its local process is gone (None if no such run)."""
    run = store.request_cancel(run_id)
    if run is None or run.status != RUNNING:
        return run
    process = run.process
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        time.sleep(CANCEL_POLL_S)
        run = store.get(run_id)
        if run.status != RUNNING and (process is None or not processes.is_alive(process)):
            return run
    if process is not None:
        processes.kill(process)
    store.finish(run_id, CANCELLED, error=None)
    return store.get(run_id)


def interrupt_orphans(store: RunStore, background: str) -> list[Run]:
    """At start-up, end the runs the previous server left queued or running; return them.

    With diskcache the job processes are the server's children: every queued or running run belongs to
    the server that stopped, and any of its processes still alive is killed so it cannot write later.
    With Celery the workers outlive the web server and keep their runs: only runs whose process is
    known to be gone are interrupted.
    """
    if background == "diskcache":
        orphans = store.mark_interrupted()
        for run in orphans:
            if run.process is not None:
                processes.kill(run.process)
        return orphans
    gone = [run.id for run in store.list_runs(active_only=True)
            if run.status == RUNNING and run.process is not None
            and processes.is_local(run.process) and not processes.is_alive(run.process)]
    return store.mark_interrupted(gone, reason=PROCESS_DIED) if gone else []


def reap_dead(store: RunStore, runs: list[Run]) -> list[int]:
    """Interrupt running runs whose local job process died without saying so (killed, out of memory)."""
    dead = [run.id for run in runs if run.status == RUNNING and run.process is not None
            and processes.is_local(run.process) and not processes.is_alive(run.process)]
    if dead:
        store.mark_interrupted(dead, reason=PROCESS_DIED)
    return dead

