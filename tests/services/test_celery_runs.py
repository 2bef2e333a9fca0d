"""Training runs on real Celery workers: a real Redis, workers started here as processes of their own.

Faults are constructed, never timed: a run is held before its first epoch (DASH_APP_HOLD_RUNS), so it is
running for as long as a test needs; a worker is killed only once its run has progress in the store.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import psutil
import pytest

from dash_app.background import TRAIN_TASK, TRAINING_QUEUE, build_celery
from dash_app.jobs.config import TrainConfig
from dash_app.runs.control import cancel_run, resume_run
from dash_app.runs.job import SUPERSEDED
from dash_app.runs.launch import CeleryLauncher
from dash_app.runs.store import HEARTBEAT_LOST, PROCESS_DIED, open_store
from dash_app.settings import load_settings
from tests.unit.runs_support import allow_epochs, wait_until

SMALL = TrainConfig(dataset="spirals", epochs=2, spiral_points=40)
HEARTBEAT_TIMEOUT_S = 3
WAIT_S = 180  # generous: the machine may be slow; each wait ends as soon as its state comes


class Cluster:
    """The test's settings, store and launcher, and the Celery workers it starts (each in its own session)."""

    def __init__(self, tmp_path, redis_url: str) -> None:
        self.tmp_path = tmp_path
        data_dir = tmp_path / "data"
        self.environment = {"DASH_APP_BACKGROUND": "celery", "DASH_APP_REDIS_URL": redis_url,
                            "DASH_APP_DATA_DIR": str(data_dir), "DASH_APP_HOLD_RUNS": "true",
                            "DASH_APP_HEARTBEAT_TIMEOUT_S": str(HEARTBEAT_TIMEOUT_S)}
        self.settings = load_settings(data_dir=data_dir, background="celery", redis_url=redis_url, hold_runs=True,
                                      heartbeat_timeout_s=HEARTBEAT_TIMEOUT_S)
        self.store = open_store(self.settings.store_url)
        self.celery_app = build_celery(self.settings)  # the web process' (dash_app/background.py build_launcher)
        self.launcher = CeleryLauncher(self.celery_app.tasks[TRAIN_TASK], lambda: self.store)
        self.workers: list[subprocess.Popen] = []

    def start_worker(self, name: str, queues: str) -> tuple[subprocess.Popen, str]:
        """A worker with one pool process serving ``queues``; returns it once it answers a ping."""
        hostname = f"{name}-{os.getpid()}@test"
        environment = {k: v for k, v in os.environ.items() if not k.startswith("DASH_APP_")} | self.environment
        log = (self.tmp_path / f"{name}.log").open("w")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "dash_app.worker", "worker", "-Q", queues, "--concurrency", "1",
             "--loglevel", "info", "--hostname", hostname],
            env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        self.workers.append(worker)
        wait_until(lambda: worker.poll() is not None or self.celery_app.control.ping([hostname], timeout=0.5),
                   WAIT_S)
        assert worker.poll() is None, self.log(name)
        return worker, hostname

    def log(self, name: str) -> str:
        return (self.tmp_path / f"{name}.log").read_text()[-4000:]

    def queue(self, config: TrainConfig = SMALL) -> int:
        run_id = self.store.create_run(config.to_json(), config.summary(), user=None, backend="celery")
        self.launcher.launch(run_id)
        return run_id

    def status(self, run_id: int, *statuses: str) -> bool:
        return self.store.get(run_id).status in statuses

    def close(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)  # held runs would keep a warm shutdown waiting
                worker.wait(30)
        self.store.dispose()


@pytest.fixture
def cluster(tmp_path, redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()  # no task left from an earlier test may reach these workers
    client.close()
    cluster = Cluster(tmp_path, redis_url)
    try:
        yield cluster
    finally:
        cluster.close()


def _process_tree(worker: subprocess.Popen) -> set[int]:
    parent = psutil.Process(worker.pid)
    return {parent.pid, *(child.pid for child in parent.children(recursive=True))}


def test_runs_go_to_the_training_queue_and_callbacks_stay_on_the_default_one(cluster):
    routes = cluster.celery_app.amqp.router.route({}, TRAIN_TASK)
    assert routes["queue"].name == TRAINING_QUEUE
    assert cluster.celery_app.conf.task_default_queue == "celery"
    assert cluster.celery_app.conf.worker_disable_prefetch is True, "a busy worker takes no further task"


def test_a_killed_worker_interrupts_its_run_the_queue_moves_on_and_resume_finishes_it(cluster):
    first_worker, _ = cluster.start_worker("first", "celery,training")
    first, second = cluster.queue(), cluster.queue()
    holds = cluster.settings.holds_dir
    wait_until(lambda: cluster.status(first, "running") and cluster.store.get(first).progress is not None, WAIT_S)
    assert cluster.status(second, "queued"), "one slot: the second run waits in the broker"
    assert cluster.store.get(first).pid in _process_tree(first_worker)

    os.killpg(first_worker.pid, signal.SIGKILL)  # the worker and its pool process, as when its machine goes
    first_worker.wait(30)
    second_worker, _ = cluster.start_worker("second", "training")
    wait_until(lambda: cluster.status(first, "interrupted"), WAIT_S)
    # Here the worker shares the test's machine, so its dead process is seen too; on another machine the
    # missing heartbeat says it.
    assert cluster.store.get(first).error in (HEARTBEAT_LOST.format(seconds=HEARTBEAT_TIMEOUT_S), PROCESS_DIED)

    wait_until(lambda: cluster.status(second, "running"), WAIT_S)
    assert cluster.store.get(second).pid in _process_tree(second_worker), "the new worker took the next run"
    allow_epochs(holds, second, 2)
    wait_until(lambda: cluster.status(second, "succeeded", "failed"), WAIT_S)
    assert cluster.status(second, "succeeded"), cluster.log("second")
    assert cluster.status(first, "interrupted"), "the broker never delivered the killed run's task again"

    resumed = resume_run(cluster.store, cluster.launcher, first)
    assert (resumed.status, resumed.attempt) == ("queued", 2)
    allow_epochs(holds, first, 2)
    wait_until(lambda: cluster.status(first, "succeeded", "failed", "interrupted"), WAIT_S)
    assert cluster.status(first, "succeeded"), cluster.log("second")
    assert len(cluster.store.metrics([first])[first]) == 2


def test_a_queued_run_whose_task_was_lost_is_sent_again_and_only_its_latest_task_runs_it(cluster):
    cluster.start_worker("trainer", "training")
    run_id = cluster.store.create_run(SMALL.to_json(), SMALL.summary(), user=None, backend="celery")
    # Queued as Start leaves a run whose task a worker took with it when it died: no task of it is anywhere.
    cluster.store.set_task(run_id, "lost-with-its-worker")
    late_copy = cluster.celery_app.tasks[TRAIN_TASK].apply_async(args=[run_id, 1], task_id=f"late-copy-{run_id}")
    assert late_copy.get(timeout=WAIT_S) == SUPERSEDED, "a task that is not the run's leaves the run alone"

    wait_until(lambda: cluster.store.get(run_id).task_id != "lost-with-its-worker", WAIT_S)
    allow_epochs(cluster.settings.holds_dir, run_id, 2)
    wait_until(lambda: cluster.status(run_id, "succeeded", "failed", "interrupted"), WAIT_S)
    assert cluster.status(run_id, "succeeded"), cluster.log("trainer")
    assert "their tasks were sent again" in cluster.log("trainer")


def test_queued_runs_start_in_the_order_their_page_shows_whatever_order_their_tasks_come_in(cluster):
    cluster.start_worker("order", "training")
    running = cluster.queue()
    wait_until(lambda: cluster.status(running, "running"), WAIT_S)
    first, second, third = cluster.queue(), cluster.queue(), cluster.queue()
    assert cancel_run(cluster.store, first, launcher=cluster.launcher).status == "cancelled"
    resume_run(cluster.store, cluster.launcher, first)  # its task now comes after the others', its place by its id
    assert [cluster.store.get(run_id).queue_position for run_id in (first, second, third)] == [1, 2, 3]

    holds, waiting, started = cluster.settings.holds_dir, [first, second, third], []
    allow_epochs(holds, running, 2)  # one slot: it frees, and each run ends before the next may start
    while waiting:
        wait_until(lambda: any(cluster.status(run_id, "running") for run_id in waiting), WAIT_S)
        started.append(next(run_id for run_id in waiting if cluster.status(run_id, "running")))
        waiting.remove(started[-1])
        allow_epochs(holds, started[-1], 2)
        wait_until(lambda: cluster.status(started[-1], "succeeded", "failed"), WAIT_S)
    assert started == [first, second, third], "the run shown next to start is the one that starts"


def test_cancel_reaches_a_run_on_a_worker_process_through_revoke(cluster):
    worker, hostname = cluster.start_worker("cancel", "celery,training")
    running, queued = cluster.queue(), cluster.queue()
    wait_until(lambda: cluster.status(running, "running") and cluster.store.get(running).progress is not None,
               WAIT_S)
    running_task, queued_task = (cluster.store.get(run_id).task_id for run_id in (running, queued))
    assert running_task and queued_task, "each run keeps its task's id"

    assert cancel_run(cluster.store, queued, launcher=cluster.launcher).status == "cancelled"
    assert cancel_run(cluster.store, running, launcher=cluster.launcher).status == "cancelled"

    def revoked_on_worker() -> set[str]:
        replies = cluster.celery_app.control.inspect([hostname], timeout=1).revoked() or {}
        return set(replies.get(hostname, []))

    wait_until(lambda: {running_task, queued_task} <= revoked_on_worker(), WAIT_S)
    # The queued run's task reaches the worker once its slot is free, and is dropped there: it never starts.
    wait_until(lambda: cluster.celery_app.AsyncResult(queued_task).state == "REVOKED", WAIT_S)
    assert cluster.store.get(queued).started_at is None
    assert worker.poll() is None, "the worker keeps serving after a cancel"
    assert cluster.status(running, "cancelled") and cluster.status(queued, "cancelled")


def test_a_revoke_with_terminate_ends_the_run_in_its_worker_process_and_the_worker_serves_on(cluster):
    """What Cancel sends when a job has not stopped within its grace (one that never reads the flag)."""
    worker, _ = cluster.start_worker("terminate", "celery,training")
    stuck = cluster.queue()
    wait_until(lambda: cluster.status(stuck, "running") and cluster.store.get(stuck).progress is not None, WAIT_S)
    process = psutil.Process(cluster.store.get(stuck).pid)
    assert process.pid in _process_tree(worker)

    cluster.launcher.revoke(cluster.store.get(stuck).task_id, terminate=True, signal="SIGTERM")
    wait_until(lambda: not process.is_running() or process.status() == psutil.STATUS_ZOMBIE, WAIT_S)
    wait_until(lambda: not cluster.status(stuck, "running"), WAIT_S)
    assert cluster.status(stuck, "interrupted"), "its process ended the run before it exited"
    assert cluster.celery_app.AsyncResult(cluster.store.get(stuck).task_id).state == "REVOKED"

    after = cluster.queue()  # a fresh pool process takes the next run
    allow_epochs(cluster.settings.holds_dir, after, 2)
    wait_until(lambda: cluster.status(after, "succeeded", "failed", "interrupted"), WAIT_S)
    assert cluster.status(after, "succeeded"), cluster.log("terminate")
    assert worker.poll() is None
