"""How work leaves the web process, chosen by settings: diskcache on a laptop, Celery with Redis beyond.

Two things are built here by the factory, never at import (importing the package starts no cache and
opens no connection): the Dash background callback manager (the Data page's charts) and the launcher of
training runs (dash_app/runs/launch.py). Celery workers import :mod:`dash_app.worker`, which builds the
same app and so registers the same background callbacks and the training task.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import psutil
from dash import CeleryManager, DiskcacheManager

from dash_app.fingerprint import written_once
from dash_app.settings import Settings, redacted_url

if TYPE_CHECKING:
    from dash_app.runs.launch import CeleryLauncher, ProcessLauncher
    from dash_app.runs.store import RunStore

    Launcher = CeleryLauncher | ProcessLauncher

# Results of finished background callbacks are kept this long (seconds) for the page to pick up.
RESULT_EXPIRY_S = 24 * 3600
TRAIN_TASK = "dash_app.train_run"
REDIS_CONNECT_TIMEOUT_S = 2
REDIS_SOCKET_TIMEOUT_S = 10  # one read of the result store; no call there waits for long
CALLBACK_QUEUE = "celery"  # Celery's default queue: Dash's background callbacks (the Data page's charts)
TRAINING_QUEUE = "training"  # training runs only, so a callback never waits behind queued runs
SIGNING_SECRET_FILE = ".background-signing-secret"  # in the shared data directory
WORKERS_KEY = "dash_app:workers"  # Redis sorted set: each Celery worker's name, scored by when it last said it lives
WORKER_ALIVE_S = 30.0  # at least this long without a word before a worker is taken for gone
SLOT_RETRY_S = 1.0  # a run's task delivered while every slot is taken comes back after this long


class BackgroundUnavailable(RuntimeError):
    """The configured background manager cannot run jobs (for example Redis does not answer)."""


class NoWorker(BackgroundUnavailable):
    """No Celery worker answers: a job sent now would wait in the broker until one starts."""


class WorkerWatch:
    """Whether any Celery worker lives, asked before a job is sent so that the page can say none runs instead
    of waiting for ever. Each worker says so in Redis every few seconds (:func:`say_worker_lives`, from its
    reaper thread, dash_app/worker.py), so asking is one Redis read, whatever the workers are busy with. A
    Redis that does not answer raises, as sending would."""

    def __init__(self, redis_url: str, window_s: float) -> None:
        self.redis_url, self.window_s = redis_url, window_s
        self._client = None  # made at the first question: the factory opens no connection (module docstring)

    def alive(self, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        if self._client is None:
            self._client = redis_client(self.redis_url)
        return self._client.zcount(WORKERS_KEY, now - self.window_s, "+inf") > 0


def redis_client(url: str, timeout_s: float = REDIS_CONNECT_TIMEOUT_S):
    """A Redis client (its own connection pool) whose calls give up after ``timeout_s`` when Redis does not answer."""
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s)


def worker_every_s(settings: Settings) -> float:
    """How often each Celery worker's reaper looks at the runs and says the worker lives."""
    return max(settings.heartbeat_timeout_s / 4, 0.5)


def worker_window_s(settings: Settings) -> float:
    """A worker that has not said it lives for this long is taken for gone (three of its looks missed)."""
    return max(WORKER_ALIVE_S, 3 * worker_every_s(settings))


def say_worker_lives(client, name: str, now: float | None = None) -> None:
    """Note in Redis that the worker ``name`` lives now (and forget workers silent for an hour)."""
    now = time.time() if now is None else now
    client.zadd(WORKERS_KEY, {name: now})
    client.zremrangebyscore(WORKERS_KEY, "-inf", now - 3600)


class _JobsOfTheirOwn:
    """Each background job's result under a key of its own (mixed into both managers below).

    Dash derives a job's result key from the callback's arguments alone, and deletes the result once a page has
    read it: two pages that start the same chart at the same time (two users on the same view) would share one
    result, the first page to look would take it, and the other's chart would end with nothing. (So Dash's
    ``cache_by``, which would reuse results across requests, has no effect with these managers.)
    """

    def build_cache_key(self, *args, **kwargs) -> str:
        return f"{super().build_cache_key(*args, **kwargs)}-{uuid.uuid4().hex}"


class LocalJobs(_JobsOfTheirOwn, DiskcacheManager):
    """Dash's diskcache manager (a process per job, results in the data directory's cache), where a job's
    process that ends while Dash looks at it is simply gone.

    Dash asks whether the process exists, then opens it: a process that ends in between (Cancel answered at the
    same moment in another thread kills it and reaps it) raised ``NoSuchProcess`` into the chart's look at its
    job, and the page said the job queue was unavailable instead of ending the chart as cancelled.
    """

    def job_running(self, job) -> bool:
        try:
            return super().job_running(job)
        except psutil.NoSuchProcess:  # ZombieProcess too
            return False

    def terminate_job(self, job) -> None:
        try:
            super().terminate_job(job)
        except psutil.NoSuchProcess:  # already gone: nothing left to stop
            pass


class CeleryJobs(_JobsOfTheirOwn, CeleryManager):
    """Dash's Celery manager, signing background jobs' handles with one secret for the whole deployment.

    The page gets a chart's job handle signed by the web process that started the job, and sends it back (to
    follow or cancel the job) to whichever web process answers: another gunicorn worker, another machine.
    Without a Flask ``secret_key`` (a host application's, which Dash uses first), Dash keeps a generated secret
    in the result store, with the store's expiry (a day) and without an atomic create: two processes that
    start together, or one that starts after the entry has expired, sign with secrets of their own, and a
    chart followed through another process ends with nothing, or runs on after Cancel. The secret here is
    written once into the shared data directory, as its id is (dash_app/fingerprint.py).
    """

    def __init__(self, celery_app, secret_file: Path, workers: WorkerWatch, **options) -> None:
        super().__init__(celery_app, **options)
        self.secret_file, self.workers = secret_file, workers

    def get_or_create_signing_secret(self, generate):
        return written_once(self.secret_file, private=True) or super().get_or_create_signing_secret(generate)

    def call_job_fn(self, key, job_fn, args, context):
        """Send the job, unless no worker runs to take it: the page says so (the chart's ``on_error``)."""
        if not self.workers.alive():
            raise NoWorker("no Celery worker answers")
        return super().call_job_fn(key, job_fn, args, context)


def build_background_manager(settings: Settings) -> DiskcacheManager | CeleryManager:
    """Return the manager that runs background callbacks for these settings."""
    if settings.background == "celery":
        return CeleryJobs(build_celery(settings), settings.data_dir / SIGNING_SECRET_FILE,
                          WorkerWatch(settings.redis_url, worker_window_s(settings)), expire=RESULT_EXPIRY_S)
    import diskcache  # imported here: a Celery deployment need not have a local cache

    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    return LocalJobs(diskcache.Cache(str(settings.cache_dir)), expire=RESULT_EXPIRY_S)


def build_celery(settings: Settings):
    """Return a Celery application using Redis as broker and result backend."""
    from celery import Celery

    from kombu import Exchange, Queue

    celery_app = Celery("dash_app", broker=settings.redis_url, backend=settings.redis_url)
    celery_app.conf.update(
        broker_connection_retry_on_startup=True,
        # A task is acknowledged when a worker takes it, so the broker never delivers it again: a run whose
        # worker dies is not silently run a second time but interrupted by its missing heartbeat, and the
        # user may resume it (dash_app/runs/control.py). The task's claim checks the run's attempt too.
        task_acks_late=False,
        # Two queues: a worker started without -Q serves both; `-Q training` makes a training-only worker and
        # `-Q celery` one for the callbacks (README.md). Runs wait in the broker until a worker has
        # a free process: with prefetch disabled (Redis) a busy worker reserves no further task, so a task
        # never waits inside a worker that is busy (or is killed) while another worker is free.
        task_default_queue=CALLBACK_QUEUE,
        task_queues=[Queue(name, Exchange(name), routing_key=name) for name in (CALLBACK_QUEUE, TRAINING_QUEUE)],
        task_routes={TRAIN_TASK: {"queue": TRAINING_QUEUE}},
        worker_prefetch_multiplier=1,
        worker_disable_prefetch=True,
        # One process per slot: with one training worker, every task it takes finds a free slot. Several
        # training workers should together have DASH_APP_MAX_CONCURRENT_JOBS processes (--concurrency);
        # with more, the store's claim still holds the limit and a task that finds no slot retries.
        worker_concurrency=settings.max_concurrent_jobs,
        # A pool process warms torch up as it starts (dash_app/worker.py), a few seconds on a busy machine:
        # Celery's default of 4 s to hear from a new pool process would replace it again and again.
        worker_proc_alive_timeout=120,
    )
    # Redis stopped or unreachable: sending a task (Start, a chart) fails in about a second instead of waiting
    # 20 s for the result store (Celery's default retries); both reconnect by themselves once Redis is back.
    celery_app.conf.update(
        broker_connection_timeout=REDIS_CONNECT_TIMEOUT_S,
        broker_transport_options={"socket_connect_timeout": REDIS_CONNECT_TIMEOUT_S},
        redis_socket_connect_timeout=REDIS_CONNECT_TIMEOUT_S,
        redis_socket_timeout=REDIS_SOCKET_TIMEOUT_S,
        result_backend_transport_options={"retry_policy": {"max_retries": 2, "interval_start": 0,
                                                           "interval_step": 0.5, "interval_max": 1}},
    )

    # shared=False: the task belongs to this app alone; a shared one would be the first app's in every app of the
    # process (another app's settings, and so another store), e.g. a test's or a host's second app.
    @celery_app.task(name=TRAIN_TASK, shared=False, bind=True, max_retries=None)
    def train_run(task, run_id: int, attempt: int = 1) -> str:
        """Run one attempt of a queued training run with this worker's settings (dash_app/runs/job.py).

        No free slot (the global limit, in the store): back to the broker for ``SLOT_RETRY_S``, holding no
        worker process meanwhile.
        """
        from dash_app.runs.job import run_task
        from dash_app.runs.store import WAITING

        status = run_task(settings, run_id, attempt, task_id=task.request.id)
        if status == WAITING:
            raise task.retry(countdown=SLOT_RETRY_S)
        return status

    return celery_app


def build_launcher(settings: Settings, manager: DiskcacheManager | CeleryManager,
                   runs: Callable[[], RunStore]) -> Launcher:
    """The launcher of training runs that goes with ``manager``: Celery's task, or a process per run."""
    from dash_app.runs.launch import CeleryLauncher, ProcessLauncher

    if isinstance(manager, CeleryManager):
        return CeleryLauncher(manager.handle.tasks[TRAIN_TASK], runs, manager.workers)
    return ProcessLauncher(settings.model_dump_json(), runs, max_running=settings.max_concurrent_jobs,
                           heartbeat_timeout_s=settings.heartbeat_timeout_s)


def check_background(settings: Settings, timeout_s: float = 3.0) -> str:
    """Describe the background manager after checking it can work; raise BackgroundUnavailable if not."""
    if settings.background == "diskcache":
        settings.cache_dir.mkdir(parents=True, exist_ok=True)
        return f"diskcache in {settings.cache_dir}"
    import redis

    client = redis_client(settings.redis_url, timeout_s)
    try:
        client.ping()
    except redis.RedisError as error:
        msg = f"DASH_APP_REDIS_URL: Redis at {redacted_url(settings.redis_url)} does not answer ({error})"
        raise BackgroundUnavailable(msg) from None
    finally:
        client.close()
    return f"celery with Redis at {redacted_url(settings.redis_url)}"
