"""The app as a team deploys it, for the browser stories' second pass (``TEST_SCALED=1``, bin/run-tests).

``serve_app`` (browser_support.py) starts, instead of ``python -m dash_app``: gunicorn with two web workers
(``dash_app.wsgi``), a Celery worker as its own process, the run store in a PostgreSQL database of its own and
Redis as broker and shared cache, on the servers that ``TEST_POSTGRES_URL`` and ``TEST_REDIS_URL`` name. Each
data directory gets its own store database and Redis database, kept across restarts of the same directory.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SCALED = os.environ.get("TEST_SCALED") == "1"
SERVICES_FILE = "scaled-services.json"  # in the data directory: its store URL and Redis URL
WEB_WORKERS = 2
REDIS_DATABASES = range(1, 16)  # database 0 belongs to the services tests (tests/services)
_claimed_in_this_session: set[int] = set()


def store_url_of(data_dir: Path) -> str:
    """The run store's URL of the app on ``data_dir``, in either mode (the store the app will use, before it starts)."""
    if SCALED or (data_dir / SERVICES_FILE).exists():  # a test may fill the store before the app starts
        data_dir.mkdir(parents=True, exist_ok=True)
        return _services(data_dir)["store_url"]
    return f"sqlite:///{data_dir / 'store.sqlite'}"


def _services(data_dir: Path) -> dict[str, str]:
    path = data_dir / SERVICES_FILE
    if path.exists():
        return json.loads(path.read_text())
    postgres, redis_url = os.environ.get("TEST_POSTGRES_URL"), os.environ.get("TEST_REDIS_URL")
    if not (postgres and redis_url):
        pytest.fail("TEST_SCALED=1 needs TEST_POSTGRES_URL and TEST_REDIS_URL (.ci/run sets them)")
    services = {"store_url": _new_postgres_database(postgres), "redis_url": _free_redis_database(redis_url)}
    path.write_text(json.dumps(services))
    return services


def _new_postgres_database(url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"scaled_{uuid.uuid4().hex[:12]}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _free_redis_database(url: str) -> str:
    """A Redis database of its own: emptied the first time this session takes it."""
    import redis

    for index in REDIS_DATABASES:
        if index in _claimed_in_this_session:
            continue
        _claimed_in_this_session.add(index)
        client = redis.Redis.from_url(url, db=index)
        try:
            client.flushdb()
        finally:
            client.close()
        return url.rsplit("/", 1)[0] + f"/{index}"
    pytest.fail(f"more than {len(REDIS_DATABASES)} scaled apps in one session: no Redis database left")


def scaled_environment(data_dir: Path, environment: dict[str, str]) -> dict[str, str]:
    """The process environment of every process of the scaled app on ``data_dir``: the same settings for all."""
    from browser_support import DEMO_ROWS, clean_environment  # it imports us

    services = _services(data_dir)
    settings = {"DASH_APP_DATA_DIR": str(data_dir), "DASH_APP_DEMO_ROWS": DEMO_ROWS, "DASH_APP_BACKGROUND": "celery",
                "DASH_APP_STORE_URL": services["store_url"], "DASH_APP_REDIS_URL": services["redis_url"]}
    return clean_environment(**(settings | environment))


@contextmanager
def serve_scaled(data_dir: Path, environment: dict[str, str]) -> Iterator[subprocess.Popen]:
    """gunicorn (two workers) and a Celery worker on ``data_dir`` until the block ends; the gunicorn master is
    the process returned, with ``base_url`` and ``worker`` (the Celery worker's process)."""
    env = scaled_environment(data_dir, environment)
    with celery_worker(data_dir, env) as worker, web_workers(data_dir, env) as process:
        process.worker = worker
        yield process


@contextmanager
def celery_worker(data_dir: Path, env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """``celery -A dash_app.worker worker`` on both queues (Dash's jobs and training runs), until the block ends."""
    from browser_support import REPO_ROOT

    name = uuid.uuid4().hex[:8]
    with (data_dir / f"celery-{name}.log").open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "dash_app.worker", "worker", "-Q", "celery,training",
             "--concurrency", "2", "--hostname", f"scaled-{name}@%h", "--loglevel", "info"],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        worker.log = data_dir / f"celery-{name}.log"
        try:
            _wait_until_said_alive(env["DASH_APP_REDIS_URL"], worker)
            yield worker
        finally:
            _stop(worker)


def _wait_until_said_alive(redis_url: str, worker: subprocess.Popen) -> None:
    """Until the worker is ready and has said so in Redis, as the web processes read it before they send a job."""
    from dash_app.background import WorkerWatch
    from tests.unit.runs_support import wait_until

    watch = WorkerWatch(redis_url, 30)

    def said_alive() -> bool:
        if worker.poll() is not None:
            pytest.fail(f"the Celery worker stopped before it was ready: {worker.log.read_text()[-3000:]}")
        return watch.alive()

    wait_until(said_alive)


@contextmanager
def web_workers(data_dir: Path, env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """gunicorn with two web workers on a free port, started as README.md's Deploy section says (the product's
    ``dash_app.gunicorn_conf``: start-up's checks and demo data once in the master, before any worker), once its
    ``/health`` answers 200 (a Celery worker answers: a chart or a run started now is taken at once); the
    master."""
    from browser_support import free_port, serve_process

    port = free_port()
    base_url = f"http://127.0.0.1:{port}/"
    command = [sys.executable, "-m", "gunicorn", "-c", "python:dash_app.gunicorn_conf", "-w", str(WEB_WORKERS),
               "-b", f"127.0.0.1:{port}", "--graceful-timeout", "10", "dash_app.wsgi:application"]
    with serve_process(command, base_url, env, data_dir / f"server-{port}.log", healthy=True) as process:
        process.base_url = base_url
        yield process


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
