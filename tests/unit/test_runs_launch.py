"""Launching runs from the server: queued runs cost no process, one dispatcher starts them as slots free,
and a run whose process dies never blocks the queue."""

from __future__ import annotations

import os
import signal
import threading
import time

import psutil
import pytest
from sqlalchemy import update

from dash_app.background import build_background_manager, build_launcher
from dash_app.jobs.config import TrainConfig
from dash_app.runs import schema
from dash_app.runs.control import reap
from dash_app.runs.job import RunLine, main
from dash_app.runs.store import PROCESS_DIED, open_store
from dash_app.settings import load_settings
from tests.unit.runs_support import allow_epochs, wait_until

SMALL = TrainConfig(dataset="spirals", epochs=2, spiral_points=40)


def _job_processes() -> list[psutil.Process]:
    """This test process' own training jobs: its direct children (a launcher starts them itself). Not those of a
    server another test started (a session's browser fixtures keep theirs, warm job processes included)."""
    jobs = []
    for child in psutil.Process().children(recursive=False):
        try:
            if "dash_app.runs.job" in child.cmdline():
                jobs.append(child)
        except psutil.NoSuchProcess:
            pass
    return jobs


def _launcher(tmp_path, **settings):
    settings = load_settings(data_dir=tmp_path, hold_runs=True, **settings)
    store = open_store(settings.store_url)
    return settings, store, build_launcher(settings, build_background_manager(settings), lambda: store)


def test_fifty_starts_make_one_job_process_and_the_queued_runs_wait_in_the_store(tmp_path):
    settings, store, launcher = _launcher(tmp_path)
    threads_before = {thread.ident for thread in threading.enumerate()}
    run_ids = []
    for index in range(50):
        run_ids.append(store.create_run(SMALL.to_json(), f"run {index}", user=None, backend="diskcache"))
        launcher.launch(run_ids[-1])
    first = run_ids[0]
    wait_until(lambda: store.get(first).status == "running" and store.get(first).progress is not None)
    jobs = _job_processes()
    assert [job.pid for job in jobs] == [store.get(first).pid], "one process: the running run's"
    waiting = [store.get(run_id) for run_id in run_ids[1:]]
    assert all(run.status == "queued" and run.process is None for run in waiting)
    assert [run.queue_position for run in waiting] == list(range(1, 50))
    threads = {thread.ident for thread in threading.enumerate()} - threads_before
    assert len(threads) <= 3, "a dispatcher and a watcher per running job, not a thread per queued run"

    for run_id in run_ids[2:]:
        store.request_cancel(run_id)
    allow_epochs(settings.holds_dir, first, 2)
    allow_epochs(settings.holds_dir, run_ids[1], 2)
    wait_until(lambda: store.get(run_ids[1]).status == "succeeded")
    assert store.get(first).status == "succeeded"
    assert store.get(run_ids[1]).started_at >= store.get(first).finished_at, "one slot: one after the other"
    wait_until(lambda: not _job_processes())


def test_the_limit_holds_with_two_dispatchers_on_one_store(tmp_path):
    settings, store, launcher = _launcher(tmp_path, max_concurrent_jobs=2)
    other = build_launcher(settings, build_background_manager(settings), lambda: store)  # a second web process'
    run_ids = [store.create_run(SMALL.to_json(), f"run {i}", user=None, backend="diskcache") for i in range(3)]
    for run_id in run_ids:
        launcher.launch(run_id)
        other.launch(run_id)
    wait_until(lambda: all(store.get(run_id).process is not None for run_id in run_ids[:2]))
    assert [store.get(run_id).status for run_id in run_ids] == ["running", "running", "queued"]
    assert len(_job_processes()) == 2
    for run_id in run_ids:
        allow_epochs(settings.holds_dir, run_id, 2)
    wait_until(lambda: all(store.get(run_id).status == "succeeded" for run_id in run_ids))
    runs = [store.get(run_id) for run_id in run_ids]
    spans = sorted((run.started_at, run.finished_at) for run in runs)
    for start, _ in spans:
        assert sum(begin <= start < end for begin, end in spans) <= 2, "never more than two at once"


def test_a_job_process_started_for_a_run_beats_its_heartbeat_while_torch_still_loads(tmp_path):
    settings = load_settings(data_dir=tmp_path, heartbeat_timeout_s=20)
    store = open_store(settings.store_url)
    run_id = store.create_run(SMALL.to_json(), "cold start", user=None, backend="diskcache")
    assert store.claim_next(1, "diskcache") == (run_id, 1)
    with store.engine.begin() as connection:  # the claim's beat, as old as a slow import makes it
        connection.execute(update(schema.runs).where(schema.runs.c.id == run_id).values(heartbeat_at=time.time() - 60))
    read, write = os.pipe()
    with os.fdopen(read) as stream, os.fdopen(write, "w") as dispatcher:
        run_line = RunLine(stream)  # as the job process starts, before it imports torch
        dispatcher.write(f"{run_id} 1 {settings.model_dump_json()}\n")  # what ProcessLauncher writes
        dispatcher.flush()
        wait_until(lambda: time.time() - store.get(run_id).heartbeat_at < 20)
        assert reap(store, store.list_runs(active_only=True), settings.heartbeat_timeout_s) == []
        assert store.get(run_id).status == "running", "a job still loading torch is alive, not interrupted"
        run_line.warmed()  # torch has loaded: the run's own job beats from here
        assert run_line.take().startswith(f"{run_id} 1 ")


def test_a_job_process_whose_server_stops_before_sending_a_run_ends_after_its_warm_up(tmp_path):
    read, write = os.pipe()
    warmed = []
    os.close(write)  # the server stopped: no line will come
    with os.fdopen(read) as stream:
        assert main(stream, warm=lambda exercise=False: warmed.append(exercise)) == 0
    assert warmed[0] is False, "torch's import comes first"


def test_a_job_killed_with_sigkill_is_interrupted_and_the_queue_moves_on(tmp_path):
    settings, store, launcher = _launcher(tmp_path)
    first, second = (store.create_run(SMALL.to_json(), name, user=None, backend="diskcache") for name in "ab")
    for run_id in (first, second):
        launcher.launch(run_id)
    wait_until(lambda: store.get(first).status == "running" and store.get(first).process is not None)
    os.kill(store.get(first).pid, signal.SIGKILL)  # killed (or out of memory) mid-run
    wait_until(lambda: store.get(first).status == "interrupted")
    assert store.get(first).error == PROCESS_DIED
    allow_epochs(settings.holds_dir, second, 2)
    wait_until(lambda: store.get(second).status == "succeeded")


def test_a_celery_task_is_taken_once_and_a_late_task_of_an_earlier_attempt_does_not_run_the_run(tmp_path):
    from dash_app.background import TRAIN_TASK, build_celery
    from dash_app.runs.launch import CeleryLauncher

    settings = load_settings(data_dir=tmp_path, background="celery")
    celery_app = build_celery(settings)  # builds the app only: nothing connects to Redis here
    assert celery_app.conf.task_acks_late is False, "acknowledged when taken: the broker never delivers it again"
    sent = []

    class Task:
        def apply_async(self, args, retry, task_id):
            sent.append(args)

    store = open_store(settings.store_url)
    CeleryLauncher(Task()).launch(7, 2)
    assert sent == [[7, 2]], "the task names the attempt it is for"

    run_id = store.create_run(SMALL.to_json(), "resumed", user=None, backend="celery")
    store.request_cancel(run_id)
    assert store.resume(run_id).attempt == 2
    assert celery_app.tasks[TRAIN_TASK].run(run_id, 1) == "queued", "the first attempt's task, delivered late"
    run = store.get(run_id)
    assert (run.status, run.process, run.started_at) == ("queued", None, None), "it left the run untouched"
    store.dispose()


def test_a_prepared_launcher_hands_runs_to_a_warm_job_process_and_keeps_one_ready(tmp_path):
    settings, store, launcher = _launcher(tmp_path)
    launcher.prepare()  # as the server does when it starts (dash_app/__main__.py)
    try:
        wait_until(lambda: len(_job_processes()) == 1)
        [waiting] = _job_processes()
        run_id = store.create_run(SMALL.to_json(), "warm", user=None, backend="diskcache")
        launcher.launch(run_id)
        wait_until(lambda: store.get(run_id).progress is not None)
        assert store.get(run_id).pid == waiting.pid, "the run went to the process that was already waiting"
        wait_until(lambda: len(_job_processes()) == 2)
        assert [job.pid for job in _job_processes() if job.pid != waiting.pid], "a new one waits for the next run"
        allow_epochs(settings.holds_dir, run_id, 2)
        wait_until(lambda: store.get(run_id).status == "succeeded")
    finally:
        launcher.close()
    wait_until(lambda: not _job_processes())


def test_a_celery_task_that_finds_no_free_slot_goes_back_to_the_broker_without_touching_its_run(tmp_path):
    from celery.exceptions import Retry

    from dash_app.background import TRAIN_TASK, TRAINING_QUEUE, build_celery
    from dash_app.runs.store import current_process

    settings = load_settings(data_dir=tmp_path, background="celery")
    celery_app = build_celery(settings)  # nothing connects to Redis here
    assert celery_app.amqp.router.route({}, TRAIN_TASK)["queue"].name == TRAINING_QUEUE
    store = open_store(settings.store_url)
    running, waiting = (store.create_run(SMALL.to_json(), name, user=None, backend="celery") for name in "ab")
    store.claim_slot(running, 1, current_process())
    with pytest.raises(Retry):  # a worker sends it back with a countdown; it holds no process meanwhile
        celery_app.tasks[TRAIN_TASK].run(waiting, 1)
    run = store.get(waiting)
    assert (run.status, run.process, run.started_at) == ("queued", None, None)
