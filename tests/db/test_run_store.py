"""The run store on real databases: SQLite (the default), PostgreSQL and MariaDB.

Every engine must give the same answers: queue order and slot limit, conditional writes from jobs,
cancel of queued and running runs, interrupted runs at start-up, metrics and artifacts per run.
"""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from dash_app.runs import schema
from dash_app.runs.schema import CANCELLED, INTERRUPTED, QUEUED, RUNNING, SUCCEEDED
from dash_app.runs.store import CLAIMED, GONE, WAITING, ProcessRef, current_process, open_store

ME = ProcessRef("test-host", 4242, 1.0)


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return request.getfixturevalue(f"{request.param.replace('postgresql', 'postgres')}_url")


@pytest.fixture
def store(store_url):
    store = open_store(store_url)
    yield store
    schema.metadata.drop_all(store.engine)
    store.dispose()


def _queued(store, n=1, user="alice"):
    return [store.create_run({"epochs": 1}, f"run {i}", user=user, backend="diskcache") for i in range(n)]


def test_a_new_run_is_queued_with_its_config_and_user(store):
    (run_id,) = _queued(store)
    run = store.get(run_id)
    assert (run.status, run.config, run.user, run.queue_position) == (QUEUED, {"epochs": 1}, "alice", 1)
    assert run.created_at > 0 and run.started_at is None
    assert store.get(run_id + 1000) is None


def test_at_most_max_running_in_queue_order(store):
    first, second, third = _queued(store, 3)
    assert store.claim_slot(second, 1, ME) == WAITING, "the first in the queue goes first"
    assert store.claim_slot(first, 1, ME) == CLAIMED
    assert store.claim_slot(second, 1, ME) == WAITING, "one slot, taken"
    assert [run.queue_position for run in store.list_runs()] == [2, 1, None]
    assert store.claim_slot(second, 2, ME) == CLAIMED
    running = store.get(first)
    assert running.status == RUNNING and running.process == ME and running.started_at is not None
    assert store.claim_slot(first, 1, ME) == GONE


def test_a_celery_task_starts_its_run_in_queue_order_too_and_a_waiting_task_writes_nothing(store):
    first, second, third = _queued(store, 3)
    # The broker delivers tasks in whatever order their retries come round: the queue's order decides.
    assert store.claim_slot(second, 2, ME, waits_here=False) == WAITING, "the run shown first starts first"
    assert store.claim_slot(first, 2, ME, waits_here=False) == CLAIMED
    assert store.claim_slot(second, 2, ME, waits_here=False) == CLAIMED
    assert store.claim_slot(third, 2, ME, waits_here=False) == WAITING, "the limit still holds"
    waiting = store.get(third)
    assert (waiting.status, waiting.process, waiting.heartbeat_at) == (QUEUED, None, None)
    store.set_task(first, "task-1")
    assert store.get(first).task_id == "task-1"


def test_progress_and_metrics_are_written_only_while_running(store):
    (run_id,) = _queued(store)
    assert not store.record_progress(run_id, {"step": 1})
    store.claim_slot(run_id, 1, ME)
    assert store.record_progress(run_id, {"step": 5, "loss": float("nan")}, [{"epoch": 1, "val_loss": 0.5}], device="cpu")
    assert store.record_progress(run_id, {"step": 9}, [{"epoch": 2, "val_loss": 0.25}])
    run = store.get(run_id)
    assert run.progress == {"step": 9} and run.device == "cpu"
    assert store.metrics([run_id]) == {run_id: [{"epoch": 1, "val_loss": 0.5}, {"epoch": 2, "val_loss": 0.25}]}
    assert store.finish(run_id, SUCCEEDED, artifacts=[("curves.png", 10), ("weights.pt", 20)])
    assert store.artifacts(run_id) == ["curves.png", "weights.pt"]
    assert store.has_artifact(run_id, "weights.pt") and not store.has_artifact(run_id, "../store.sqlite")
    assert not store.record_progress(run_id, {"step": 10}), "a finished run takes no more progress"
    assert not store.finish(run_id, "failed", error="late"), "and keeps its end"


def test_cancel_a_queued_run_at_once_and_flag_a_running_one(store):
    running, queued = _queued(store, 2)
    store.claim_slot(running, 1, ME)
    assert store.request_cancel(queued).status == CANCELLED
    assert store.claim_slot(queued, 5, ME) == GONE, "a cancelled run never starts"
    assert not store.cancel_requested(running)
    flagged = store.request_cancel(running)
    assert flagged.status == RUNNING and flagged.cancel_requested
    assert store.cancel_requested(running)
    assert store.finish(running, CANCELLED)
    assert store.metrics([running]) == {running: []}


def test_start_up_marks_queued_and_running_runs_interrupted(store):
    done, running, queued = _queued(store, 3)
    store.claim_slot(done, 5, ME)
    store.finish(done, SUCCEEDED)
    store.claim_slot(running, 5, ME)
    interrupted = store.mark_interrupted()
    assert sorted(run.id for run in interrupted) == [running, queued]
    assert [run.status for run in store.list_runs()] == [INTERRUPTED, INTERRUPTED, SUCCEEDED]
    assert "server stopped" in store.get(running).error
    assert store.mark_interrupted() == []


def _claim_in_process(url: str, run_id: int, results) -> None:
    store = open_store(url)
    results.put((run_id, store.claim_slot(run_id, 1, current_process())))
    store.dispose()


def test_concurrent_claims_from_processes_never_exceed_the_limit(store, store_url):
    ids = _queued(store, 4)
    store.engine.dispose()  # forked children must not share pooled connections
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=_claim_in_process, args=(store_url, run_id, results)) for run_id in ids]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    outcomes = dict(results.get(timeout=5) for _ in ids)
    assert list(outcomes.values()).count(CLAIMED) <= 1
    assert sum(run.status == RUNNING for run in store.list_runs()) <= 1
    assert all(worker.exitcode == 0 for worker in workers), os.getpid()


def test_tables_are_prefixed_and_leave_other_tables_alone(store):
    from sqlalchemy import inspect

    names = set(inspect(store.engine).get_table_names())
    assert {"train_runs", "train_metrics", "train_artifacts", "train_queue_lock"} <= names
    assert all(name.startswith("train_") for name in schema.metadata.tables)
    open_store(str(store.engine.url.render_as_string(hide_password=False))).dispose()  # idempotent


def test_a_store_from_before_owners_were_kept_opens_and_gains_the_owner_column(store, store_url):
    from sqlalchemy import text

    (old_id,) = _queued(store)
    with store.engine.begin() as connection:  # as an earlier version left it: no owner_id column
        connection.execute(text("ALTER TABLE train_runs DROP COLUMN owner_id"))
    store.dispose()
    reopened = open_store(store_url)
    try:
        assert reopened.get(old_id).owner is None and reopened.get(old_id).user == "alice"
        new_id = reopened.create_run({"epochs": 1}, "new", user="Sam", backend="diskcache", owner="7")
        assert reopened.get(new_id).owner == "7"
        assert [run.id for run in reopened.list_runs(owner="7")] == [new_id]
        assert [run.queue_position for run in reopened.list_runs(owner="7")] == [2], "its place in the whole queue"
    finally:
        reopened.dispose()


def test_times_keep_their_seconds_also_in_a_store_made_when_mariadb_kept_them_in_single_precision(store, store_url):
    from sqlalchemy import text

    if store.engine.dialect.name == "mysql":  # as an earlier version left it: FLOAT, about two minutes' resolution
        with store.engine.begin() as connection:
            connection.execute(text("ALTER TABLE train_runs MODIFY COLUMN heartbeat_at FLOAT, "
                                    "MODIFY COLUMN created_at FLOAT NOT NULL"))
        store.dispose()
    reopened = open_store(store_url)
    try:
        (run_id,) = _queued(reopened)
        reopened.claim_slot(run_id, 1, ME)
        assert reopened.beat(run_id)
        run = reopened.get(run_id)
        now = time.time()
        assert now - 5 < run.heartbeat_at <= now and now - 5 < run.created_at <= now, "stored to the second"
        assert reopened.interrupt_silent([run_id], 30.0) == [], "a fresh heartbeat is not a stale one"
    finally:
        reopened.dispose()


def _claim_next_in_process(url: str, results) -> None:
    store = open_store(url)
    results.put(store.claim_next(2, "diskcache"))
    store.dispose()


def test_the_dispatchers_claim_takes_the_first_queued_run_within_the_limit(store):
    first, second, third = _queued(store, 3)
    celery = store.create_run({"epochs": 1}, "celery's", user=None, backend="celery")
    assert store.claim_next(1, "diskcache") == (first, 1)
    run = store.get(first)
    assert run.status == RUNNING and run.process is None and run.heartbeat_at is not None
    assert store.claim_next(1, "diskcache") is None, "one slot, taken"
    assert store.claim_next(3, "diskcache") == (second, 1)
    assert store.set_process(second, ME) and store.get(second).process == ME
    store.request_cancel(third)
    assert store.claim_next(5, "diskcache") is None, "a cancelled run never starts, another backend's run waits there"
    assert store.get(celery).status == QUEUED
    store.finish(second, SUCCEEDED)
    assert not store.set_process(second, ME), "a process is recorded only for a running run"


def test_concurrent_dispatchers_in_processes_start_each_run_once_and_never_exceed_the_limit(store, store_url):
    ids = _queued(store, 5)
    store.engine.dispose()  # forked children must not share pooled connections
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=_claim_next_in_process, args=(store_url, results)) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    claims = [results.get(timeout=5) for _ in workers]
    started = [claim[0] for claim in claims if claim is not None]
    assert sorted(started) == ids[:2], "exactly the limit, in queue order, each run once"
    assert [run.id for run in store.list_runs() if run.status == RUNNING] == ids[1::-1]


def test_the_heartbeat_is_written_only_while_running_and_a_silent_run_is_interrupted(store):
    silent, beating, queued = _queued(store, 3)
    assert not store.beat(queued), "a queued run has no heartbeat"
    store.claim_slot(silent, 5, ME)
    store.claim_slot(beating, 5, ME)
    with store.engine.begin() as connection:  # the silent one last beat a minute ago
        connection.execute(schema.runs.update().where(schema.runs.c.id == silent).values(heartbeat_at=1.0))
    assert store.beat(beating)
    assert store.interrupt_silent([silent, beating, queued], 30.0) == [silent]
    run = store.get(silent)
    assert run.status == INTERRUPTED and "no sign of life for 30 s" in run.error
    assert store.get(beating).status == RUNNING and store.get(queued).status == QUEUED
    assert not store.beat(silent), "its job learns that it was given up"
    assert store.interrupt_silent([silent], 30.0) == []


def test_a_cancelled_or_interrupted_run_is_resumed_as_its_next_attempt(store):
    cancelled, interrupted, done = _queued(store, 3)
    for run_id in (cancelled, interrupted, done):
        store.claim_slot(run_id, 5, ME)
    store.record_progress(cancelled, {"epoch": 2}, [{"epoch": 1, "val_loss": 0.5}])
    store.request_cancel(cancelled)
    store.finish(cancelled, CANCELLED)
    store.mark_interrupted([interrupted], reason="gone")
    store.finish(done, SUCCEEDED)
    resumed = store.resume(cancelled)
    assert (resumed.status, resumed.attempt, resumed.cancel_requested, resumed.error) == (QUEUED, 2, False, None)
    assert resumed.process is None and resumed.progress is None and resumed.finished_at is None
    assert store.metrics([cancelled])[cancelled] == [{"epoch": 1, "val_loss": 0.5}], "what it learnt stays"
    assert store.claim_slot(cancelled, 5, ME, attempt=1) == GONE, "a late task of the first attempt never runs it"
    assert store.claim_slot(cancelled, 5, ME, attempt=2) == CLAIMED
    assert store.record_progress(cancelled, {"epoch": 2}, [{"epoch": 1, "val_loss": 0.5}, {"epoch": 2, "val_loss": 0.4}])
    assert [row["epoch"] for row in store.metrics([cancelled])[cancelled]] == [1, 2], "epochs sent again replace theirs"
    assert store.resume(interrupted).attempt == 2
    assert store.resume(done).status == SUCCEEDED and store.get(done).attempt == 1, "a finished run stays finished"
    assert store.resume(999) is None
    assert store.mark_interrupted([cancelled], reason="late watcher", attempt=1) == [], "an earlier attempt's end"


def test_a_store_made_before_attempts_gets_the_new_column_and_keeps_its_runs(tmp_path):
    """Checked on SQLite, the strictest about ALTER TABLE; the statement is the same on the other engines."""
    from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, insert, inspect

    store_url = f"sqlite:///{tmp_path / 'old-store.sqlite'}"
    old = MetaData()
    Table("train_runs", old, Column("id", Integer, primary_key=True), Column("config", Text, nullable=False),
          Column("summary", String(300), nullable=False), Column("status", String(16), nullable=False),
          Column("error", Text), Column("user_name", String(200)), Column("device", String(16)),
          Column("backend", String(16), nullable=False), Column("host", String(255)), Column("pid", Integer),
          Column("pid_started", Float), Column("cancel_requested", Integer, nullable=False),
          Column("progress", Text), Column("created_at", Float, nullable=False), Column("started_at", Float),
          Column("finished_at", Float), Column("heartbeat_at", Float))
    engine = create_engine(store_url)
    old.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(old.tables["train_runs"]).values(
            id=1, config="{}", summary="old", status=SUCCEEDED, backend="diskcache", cancel_requested=0,
            created_at=1.0))
    engine.dispose()
    upgraded = open_store(store_url)
    assert "attempt" in {column["name"] for column in inspect(upgraded.engine).get_columns("train_runs")}
    assert upgraded.get(1).attempt == 1 and upgraded.get(1).summary == "old"
    open_store(store_url).dispose()  # a second opening finds nothing to add
    schema.metadata.drop_all(upgraded.engine)
    upgraded.dispose()
