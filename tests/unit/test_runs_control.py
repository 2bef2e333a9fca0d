"""Stopping runs from outside: cancel (cooperative, then by force) and the clean-up at start-up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import multiprocess
import psutil
import pytest
from sqlalchemy import update

from dash_app.jobs.config import TrainConfig
from dash_app.runs import processes, schema
from dash_app.runs.control import LostTasks, cancel_run, interrupt_orphans, reap, reap_dead, resume_run
from dash_app.runs.executor import execute_run
from dash_app.runs.schema import CANCELLED, INTERRUPTED, QUEUED, RUNNING
from dash_app.runs.store import ProcessRef, current_process, open_store
from tests.unit.runs_support import allow_epochs, wait_until

# Spawned, not forked: this test process has run torch, and a fork of it could hang in torch's thread pool.
# (The app forks from a web process that never imports torch.)
SPAWN = multiprocess.get_context("spawn")
LONG = TrainConfig(dataset="digits", epochs=1000, batch_size=8)


def _train_in_child(url: str, run_id: int, data_dir: str) -> None:
    """A job held after its first epoch (executor.EpochHold): still running whenever the test cancels it."""
    from pathlib import Path

    holds = Path(data_dir) / "holds"
    allow_epochs(holds, run_id, 1)
    execute_run(open_store(url), run_id, data_dir=Path(data_dir), max_running=1, databases={}, holds_dir=holds)


def _stuck_in_child(url: str, run_id: int) -> None:
    """A job that claims its run and then never looks at the cancel flag (a stuck step, a hung query)."""
    store = open_store(url)
    store.claim_slot(run_id, 1, current_process())
    time.sleep(600)


def _started(store, url, target, run_id, *args):
    store.engine.dispose()
    job = SPAWN.Process(target=target, args=(url, run_id, *args))
    job.start()
    return job


def test_cancel_stops_a_running_job_itself_and_keeps_what_it_logged(store, store_url, tmp_path):
    run_id = store.create_run(LONG.to_json(), "long", user=None, backend="diskcache")
    job = _started(store, store_url, _train_in_child, run_id, str(tmp_path))
    wait_until(lambda: len(store.metrics([run_id])[run_id]) >= 1)
    # A grace long enough for any machine: a job that reads the flag is never killed, however slowly it exits.
    run = cancel_run(store, run_id, grace_s=120)
    assert run.status == CANCELLED
    job.join(120)
    assert job.exitcode == 0, "the job stopped on its own: it read the flag"
    assert store.metrics([run_id])[run_id], "epochs logged before the cancel stay"
    assert store.artifacts(run_id) == []


def test_a_job_that_ignores_the_cancel_is_killed_and_is_really_gone(store, store_url):
    run_id = store.create_run(LONG.to_json(), "stuck", user=None, backend="diskcache")
    job = _started(store, store_url, _stuck_in_child, run_id)
    wait_until(lambda: store.get(run_id).status == RUNNING)
    process = store.get(run_id).process
    assert processes.is_alive(process)
    run = cancel_run(store, run_id, grace_s=0.5)
    assert run.status == CANCELLED
    assert not psutil.pid_exists(process.pid), "killed and reaped: the process is really gone"
    assert not processes.is_alive(process)


def test_a_stuck_celery_run_is_revoked_with_terminate_and_its_pool_process_is_never_killed_by_pid(store):
    """A Celery pool process outlives its run and takes the next task: Cancel stops the task, not the process."""
    run_id = store.create_run(LONG.to_json(), "on a worker", user=None, backend="celery")
    store.claim_slot(run_id, 1, current_process())  # this test's own process stands for the pool process
    store.set_task(run_id, "task-7")
    revoked = []

    class Launcher:
        def revoke(self, task_id, *, terminate, signal="SIGTERM"):
            revoked.append((task_id, terminate, signal if terminate else None))

    run = cancel_run(store, run_id, launcher=Launcher(), grace_s=0.2)
    assert run.status == CANCELLED
    assert revoked == [("task-7", False, None), ("task-7", True, "SIGTERM")], "revoked at once, terminated after the grace"
    assert psutil.pid_exists(os.getpid())


def test_a_queued_celery_run_is_sent_again_only_once_its_turn_has_lasted_the_whole_timeout(store):
    sent = []

    class Launcher:  # the broker's side is tests/services/test_celery_runs.py
        def launch(self, run_id, attempt=1):
            sent.append((run_id, attempt))

    running = store.create_run(LONG.to_json(), "running", user=None, backend="celery")
    store.claim_slot(running, 2, current_process())
    queued = store.create_run(LONG.to_json(), "queued", user=None, backend="celery")
    store.create_run(LONG.to_json(), "standalone", user=None, backend="diskcache")  # in the store's queue
    store.create_run(LONG.to_json(), "behind", user=None, backend="celery")  # its turn comes after the first's
    lost, launcher = LostTasks(timeout_s=20), Launcher()

    def look(at: float, max_running: int = 2) -> list[int]:
        return lost.resend(launcher, store.list_runs(active_only=True), max_running, now=at)

    assert look(1000) == [] and look(1019) == [], "waiting less than the timeout is a task on its way"
    assert look(1020, max_running=1) == [], "no slot free: waiting is what its task should do"
    assert look(1030) == [] and look(1049) == [], "the wait starts again once a slot is free again"
    assert look(1050) == [queued], "its turn for 20 s and still queued: its task is gone"
    assert sent == [(queued, 1)], "one slot free: only the first run's task should have taken it"
    assert look(1051) == [] and look(1070) == [queued], "sent again once per timeout while nothing takes it"


def test_a_queued_run_is_cancelled_at_once(store):
    run_id = store.create_run(LONG.to_json(), "waiting", user=None, backend="diskcache")
    assert store.get(run_id).status == QUEUED
    assert cancel_run(store, run_id).status == CANCELLED
    assert cancel_run(store, 999) is None


def _orphan_job(url: str, run_id: int) -> int:
    """Start a job that claims ``run_id`` from a process that then exits, as a web process killed mid-run
    leaves its job behind; return the job's pid."""
    job = (f"import time; from dash_app.runs.store import open_store, current_process; "
           f"open_store({url!r}).claim_slot({run_id}, 5, current_process()); time.sleep(600)")
    launcher = ("import subprocess, sys; "
                f"print(subprocess.Popen([sys.executable, '-c', {job!r}], start_new_session=True, stdin=subprocess.DEVNULL, "
                "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).pid)")
    output = subprocess.run([sys.executable, "-c", launcher], capture_output=True, text=True, check=True, timeout=60)
    return int(output.stdout)


def test_start_up_interrupts_only_runs_whose_job_is_gone_and_kills_the_orphans(store, store_url):
    live = store.create_run(LONG.to_json(), "live", user=None, backend="diskcache")
    live_job = _started(store, store_url, _stuck_in_child, live)  # its web process (this one) lives
    wait_until(lambda: store.get(live).status == RUNNING)
    orphaned = store.create_run(LONG.to_json(), "orphan", user=None, backend="diskcache")
    orphan_pid = _orphan_job(store_url, orphaned)
    wait_until(lambda: store.get(orphaned).status == RUNNING)
    dead = store.create_run(LONG.to_json(), "dead", user=None, backend="diskcache")
    me = current_process()
    store.claim_slot(dead, 5, ProcessRef(me.host, me.pid, me.started - 1000))  # a pid reused since
    silent = store.create_run(LONG.to_json(), "silent", user=None, backend="celery")
    store.claim_slot(silent, 5, ProcessRef("another-machine", 1, 1.0))
    with store.engine.begin() as connection:  # its worker, elsewhere, last beat long ago
        connection.execute(update(schema.runs).where(schema.runs.c.id == silent).values(heartbeat_at=time.time() - 60))
    queued = store.create_run(LONG.to_json(), "queued", user=None, backend="diskcache")

    try:
        interrupted = interrupt_orphans(store, heartbeat_timeout_s=20)
    finally:
        live_alive = live_job.is_alive()
        live_job.kill()
        live_job.join(30)
    assert sorted(run.id for run in interrupted) == [orphaned, dead, silent]
    assert {store.get(run_id).status for run_id in (orphaned, dead, silent)} == {INTERRUPTED}
    assert "server stopped" in store.get(orphaned).error
    assert not psutil.pid_exists(orphan_pid) or psutil.Process(orphan_pid).status() == psutil.STATUS_ZOMBIE, \
        "an orphan would otherwise keep training and write later"
    assert store.get(live).status == RUNNING and live_alive, "a live job of another web process goes on"
    assert store.get(queued).status == QUEUED, "a queued run waits for the next free slot"


def test_with_celery_only_runs_whose_process_is_gone_are_interrupted(store):
    alive = store.create_run(LONG.to_json(), "alive", user=None, backend="celery")
    store.claim_slot(alive, 5, current_process())
    dead = store.create_run(LONG.to_json(), "dead", user=None, backend="celery")
    gone = current_process()
    store.claim_slot(dead, 5, type(gone)(gone.host, gone.pid, gone.started - 1000))  # a pid reused since
    assert [run.id for run in interrupt_orphans(store, heartbeat_timeout_s=20)] == [dead]
    assert store.get(alive).status == RUNNING


def test_a_running_run_whose_process_died_is_interrupted_by_the_page(store):
    run_id = store.create_run(LONG.to_json(), "died", user=None, backend="diskcache")
    me = current_process()
    store.claim_slot(run_id, 1, type(me)(me.host, 2**22 + 17, 1.0))
    assert reap_dead(store, store.list_runs()) == [run_id]
    assert "ended without finishing" in store.get(run_id).error


def _claimed_in_child(url: str, run_id: int, data_dir: str) -> None:
    """A job as the dispatcher starts one (its run claimed already), beating every 0.1 s, held before epoch 1."""
    from pathlib import Path

    from dash_app.runs.executor import run_claimed

    run_claimed(open_store(url), run_id, data_dir=Path(data_dir), databases={}, holds_dir=Path(data_dir) / "holds",
                heartbeat_s=0.1)


def test_a_job_killed_on_another_machine_is_interrupted_by_its_missing_heartbeat(store, store_url, tmp_path):
    run_id = store.create_run(LONG.to_json(), "remote", user=None, backend="celery")
    assert store.claim_next(1, "celery") == (run_id, 1)
    job = _started(store, store_url, _claimed_in_child, run_id, str(tmp_path))
    wait_until(lambda: store.get(run_id).progress is not None)  # running in the store
    timeout_s = 1.0

    def looked_at() -> str:
        reap(store, store.list_runs(active_only=True), timeout_s)  # what the page's poll and the dispatcher do
        return store.get(run_id).status

    beat = store.get(run_id).heartbeat_at

    def beating_for_a_while() -> bool:
        assert looked_at() == RUNNING, "a job that beats is never given up"
        return store.get(run_id).heartbeat_at > beat + 2 * timeout_s

    wait_until(beating_for_a_while)
    # Seen from here, the job runs on another machine: only its heartbeat says whether it lives.
    store.set_process(run_id, ProcessRef("another-machine", job.pid, 1.0))
    os.kill(job.pid, signal.SIGKILL)
    job.join(30)
    wait_until(lambda: looked_at() == INTERRUPTED, timeout_s=30)
    run = store.get(run_id)
    assert "no sign of life for 1 s" in run.error
    assert run.finished_at - run.heartbeat_at >= timeout_s


def test_silence_while_the_store_did_not_answer_is_not_counted_and_a_pool_process_is_never_killed(store):
    """A store that stopped for a while took every job's heartbeat with it: its jobs get the whole timeout again
    once it answers. A silent Celery run is interrupted without killing its pool process, which outlives it."""
    run_id = store.create_run(LONG.to_json(), "on a worker", user=None, backend="celery")
    store.claim_slot(run_id, 1, current_process())  # this test's own process stands for the pool process
    store.set_task(run_id, "task-9")
    with store.engine.begin() as connection:  # its last beat was 40 s ago
        connection.execute(update(schema.runs).where(schema.runs.c.id == run_id).values(heartbeat_at=time.time() - 40))
    store.unanswered_at = time.time() - 20  # and the store did not answer until 20 s ago
    assert reap(store, store.list_runs(active_only=True), 30) == []
    assert store.get(run_id).status == RUNNING, "20 s of silence since the store came back: not yet"
    store.unanswered_at = time.time() - 35
    assert reap(store, store.list_runs(active_only=True), 30) == [run_id]
    assert store.get(run_id).status == INTERRUPTED
    assert psutil.pid_exists(os.getpid()), "the pool process lives on"


def test_a_store_that_does_not_answer_is_noted_with_its_time(store):
    from sqlalchemy.exc import OperationalError

    from dash_app.runs.store import RunStore, _engine

    store.get(1)
    assert store.unanswered_at == 0.0, "a store that answers"
    stopped = RunStore(_engine("postgresql+psycopg://nobody@127.0.0.1:1/store"))  # nothing listens on port 1
    before = time.time()
    with pytest.raises(OperationalError):
        stopped.get(1)
    assert stopped.unanswered_at >= before


def test_a_cancelled_run_is_resumed_and_launched_as_its_next_attempt(store):
    launched = []

    class Launcher:
        def launch(self, run_id, attempt=1):
            launched.append((run_id, attempt))

        def unattended(self):
            return False

    run_id = store.create_run(LONG.to_json(), "waiting", user=None, backend="diskcache")
    assert resume_run(store, Launcher(), run_id).status == QUEUED and launched == [], "an active run is left alone"
    cancel_run(store, run_id)
    run = resume_run(store, Launcher(), run_id)
    assert (run.status, run.attempt, launched) == (QUEUED, 2, [(run_id, 2)])
    assert resume_run(store, Launcher(), 999) is None
