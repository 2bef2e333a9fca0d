"""A run's life in its job process: queue, train, artifacts, and every way it can end, recorded in the store."""

from __future__ import annotations

import multiprocess

from dash_app.jobs.config import TrainConfig
from dash_app.runs.executor import execute_run, run_folder
from dash_app.runs.schema import FAILED, SUCCEEDED
from dash_app.runs.store import open_store
from tests.unit.runs_support import allow_epochs, wait_until

# Spawned, not forked: this test process has run torch, and a fork of it could hang in torch's thread pool.
# (The app forks from a web process that never imports torch.)
SPAWN = multiprocess.get_context("spawn")
SMALL = TrainConfig(dataset="spirals", epochs=3, spiral_points=60)


def _run(store, config: TrainConfig | dict, tmp_path, **kwargs):
    values = config.to_json() if isinstance(config, TrainConfig) else config
    run_id = store.create_run(values, "test", user="bob", backend="diskcache")
    status = execute_run(store, run_id, data_dir=tmp_path, max_running=1, databases={}, **kwargs)
    return run_id, status


def test_a_run_succeeds_with_metrics_artifacts_device_and_progress(store, tmp_path):
    run_id, status = _run(store, SMALL, tmp_path)
    run = store.get(run_id)
    assert status == run.status == SUCCEEDED
    assert run.device == "cpu" and run.started_at <= run.finished_at
    assert [row["epoch"] for row in store.metrics([run_id])[run_id]] == [1, 2, 3]
    names = store.artifacts(run_id)
    assert names == ["curves.png", "confusion_matrix.png", "decision_boundary.png", "weights.pt", "config.json"]
    assert all((run_folder(tmp_path, run_id) / name).stat().st_size > 0 for name in names)
    assert run.progress["done"] and run.progress["step"] == run.progress["total_steps"]
    assert run.progress["epoch"] == 3


def test_a_run_goes_on_through_a_store_that_stops_answering_for_a_while(store, tmp_path, monkeypatch):
    """A store restarted mid-run (PostgreSQL failed over): no progress is written meanwhile, training goes on,
    and every epoch and the run's end are written once it answers again."""
    import dash_app.runs.executor as executor
    from sqlalchemy.exc import OperationalError

    monkeypatch.setattr(executor, "END_RETRY_EVERY_S", 0.01)
    failed = {"record_progress": 0, "cancel_requested": 0, "finish": 0}
    final_reports = []  # the store answers again on the job's second try to write its last progress

    def stopped(name):
        real = getattr(store, name)

        def call(*args, **kwargs):
            if name == "record_progress" and args[1]["done"]:
                final_reports.append(args[1])
            if len(final_reports) < 2:
                failed[name] += 1
                raise OperationalError("SELECT 1", {}, ConnectionRefusedError("the server is restarting"))
            return real(*args, **kwargs)
        return call

    for name in failed:
        monkeypatch.setattr(store, name, stopped(name))
    run_id, status = _run(store, SMALL, tmp_path)
    assert failed["record_progress"] >= 2 and failed["cancel_requested"] >= 1, "the store did not answer meanwhile"
    assert status == store.get(run_id).status == SUCCEEDED
    assert [row["epoch"] for row in store.metrics([run_id])[run_id]] == [1, 2, 3], "no epoch lost"
    assert store.get(run_id).progress["done"]
    assert store.artifacts(run_id)


def test_a_diverging_loss_fails_the_run_with_its_reason(store, tmp_path):
    config = TrainConfig(dataset="spirals", optimizer="sgd", learning_rate=10.0, epochs=3, hidden_size=1024,
                         batch_size=1)
    run_id, status = _run(store, config, tmp_path)
    assert status == FAILED
    assert "training diverged" in store.get(run_id).error


def test_a_config_the_job_cannot_read_fails_with_its_reason(store, tmp_path):
    run_id, status = _run(store, {"epochs": -3}, tmp_path)
    assert status == FAILED
    assert store.get(run_id).error == "Invalid settings: epochs: Must be from 1 to 1,000."


def test_a_job_that_raises_fails_the_run_and_says_why(store, tmp_path, monkeypatch):
    import dash_app.jobs.train as train_module

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(train_module, "train", broken)
    run_id, status = _run(store, SMALL, tmp_path)
    assert status == FAILED and store.get(run_id).error == "RuntimeError: disk on fire"


def _execute_in_child(url: str, run_id: int, data_dir: str, max_running: int = 1) -> None:
    from pathlib import Path

    store = open_store(url)
    execute_run(store, run_id, data_dir=Path(data_dir), max_running=max_running, databases={},
                holds_dir=Path(data_dir) / "holds")


def test_runs_wait_in_the_queue_for_a_free_slot(store, store_url, tmp_path):
    first = store.create_run(SMALL.to_json(), "a", user=None, backend="diskcache")
    second = store.create_run(SMALL.to_json(), "b", user=None, backend="diskcache")
    allow_epochs(tmp_path / "holds", second, 3)
    store.engine.dispose()
    jobs = [SPAWN.Process(target=_execute_in_child, args=(store_url, run_id, str(tmp_path)))
            for run_id in (second, first)]  # the second asks first: the queue order still wins
    for job in jobs:
        job.start()
    # The first run is held before its first epoch, so it is running for as long as this test needs.
    wait_until(lambda: store.get(first).status == "running" and store.get(second).process is not None)
    assert store.get(second).status == "queued" and store.get(second).queue_position == 1
    allow_epochs(tmp_path / "holds", first, 3)
    for job in jobs:
        job.join(120)
    first_run, second_run = store.get(first), store.get(second)
    assert (first_run.status, second_run.status) == (SUCCEEDED, SUCCEEDED)
    assert second_run.started_at >= first_run.finished_at


def test_a_held_run_finishes_only_the_epochs_it_is_allowed_and_can_be_cancelled_meanwhile(store, store_url, tmp_path):
    run_id = store.create_run(SMALL.to_json(), "held", user=None, backend="diskcache")
    job = SPAWN.Process(target=_execute_in_child, args=(store_url, run_id, str(tmp_path)))
    job.start()
    wait_until(lambda: (store.get(run_id).progress or {}).get("epoch") == 1)
    assert store.metrics([run_id])[run_id] == [] and store.get(run_id).status == "running"
    allow_epochs(tmp_path / "holds", run_id, 2)
    wait_until(lambda: len(store.metrics([run_id])[run_id]) == 2)
    assert store.get(run_id).progress["epoch"] == 3 and store.get(run_id).status == "running"
    store.request_cancel(run_id)
    job.join(60)
    assert store.get(run_id).status == "cancelled"
    assert [row["epoch"] for row in store.metrics([run_id])[run_id]] == [1, 2]


def test_a_cancelled_run_resumed_ends_as_a_run_never_stopped_would(store, store_url, tmp_path):
    import torch

    from dash_app.jobs.artifacts import WEIGHTS

    config = TrainConfig(dataset="spirals", epochs=4, spiral_points=60)
    whole, _ = _run(store, config, tmp_path)
    run_id = store.create_run(config.to_json(), "stopped", user=None, backend="diskcache")
    allow_epochs(tmp_path / "holds", run_id, 2)
    store.engine.dispose()
    job = SPAWN.Process(target=_execute_in_child, args=(store_url, run_id, str(tmp_path)))
    job.start()
    wait_until(lambda: len(store.metrics([run_id])[run_id]) == 2)  # held before its third epoch
    store.request_cancel(run_id)
    job.join(60)
    assert store.get(run_id).status == "cancelled"
    logged = store.metrics([run_id])[run_id]

    assert store.resume(run_id).attempt == 2
    assert execute_run(store, run_id, data_dir=tmp_path, max_running=1, databases={}, attempt=2) == SUCCEEDED
    run = store.get(run_id)
    assert run.attempt == 2 and run.progress["step"] == run.progress["total_steps"]
    history = store.metrics([run_id])[run_id]
    assert [row["epoch"] for row in history] == [1, 2, 3, 4] and history[:2] == logged, "epochs continued"
    assert history == store.metrics([whole])[whole]
    resumed = torch.load(run_folder(tmp_path, run_id) / WEIGHTS, weights_only=True)
    uninterrupted = torch.load(run_folder(tmp_path, whole) / WEIGHTS, weights_only=True)
    for name, tensor in uninterrupted.items():
        assert torch.equal(tensor, resumed[name]), name


def test_a_job_stops_when_its_run_was_given_up_and_beats_while_it_waits(store, store_url, tmp_path):
    run_id = store.create_run(SMALL.to_json(), "held", user=None, backend="diskcache")
    assert store.claim_next(1, "diskcache") == (run_id, 1)
    store.engine.dispose()
    job = SPAWN.Process(target=_claimed_in_child, args=(store_url, run_id, str(tmp_path)))
    job.start()
    wait_until(lambda: store.get(run_id).progress is not None)  # held before its first epoch
    beat = store.get(run_id).heartbeat_at
    wait_until(lambda: store.get(run_id).heartbeat_at > beat)
    assert store.interrupt_silent([run_id], 0.0) == [run_id]  # as if it had been silent too long
    job.join(60)
    assert job.exitcode == 0, "the job learnt it was given up and ended on its own"
    assert store.get(run_id).status == "interrupted"


def _claimed_in_child(url: str, run_id: int, data_dir: str) -> None:
    from pathlib import Path

    from dash_app.runs.executor import run_claimed

    run_claimed(open_store(url), run_id, data_dir=Path(data_dir), databases={}, holds_dir=Path(data_dir) / "holds",
                heartbeat_s=0.1)
