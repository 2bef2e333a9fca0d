"""The scaled mode's web side: real gunicorn with 2 workers, /health, bad configuration, split settings.

Every process a test starts is stopped by its pid at the end of the test.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

import pytest

from dash_app.runs.schema import CANCELLED, QUEUED
from dash_app.runs.store import open_store
from dash_app.workbench import get_workbench

DEMO_ROWS = "1000"
SERVE_TIMEOUT_S = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(data_dir: Path, **values: str) -> dict[str, str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DASH_APP_")}
    return clean | {"DASH_APP_DATA_DIR": str(data_dir), "DASH_APP_DEMO_ROWS": DEMO_ROWS, **values}


def gunicorn_command(port: int, workers: int = 2, *, config: bool = True) -> list[str]:
    configuration = ["-c", "python:dash_app.gunicorn_conf"] if config else ["--no-control-socket"]
    return [sys.executable, "-m", "gunicorn", *configuration, "-w", str(workers), "-b", f"127.0.0.1:{port}",
            "dash_app.wsgi:application"]


def stop(process: subprocess.Popen) -> None:
    """Stop a server by its pid (gunicorn's master stops its workers), killing it if it does not stop."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(30)


def get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    try:
        with urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except HTTPError as error:
        return error.code, error.read()


def post_json(url: str, body: dict) -> tuple[int, dict]:
    request = Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


@contextmanager
def gunicorn(tmp_path: Path, *, config: bool = True, **values: str):
    """gunicorn with 2 workers (and the product's configuration), JSON logs in ``server.log``; stopped at the end."""
    data_dir = tmp_path / "data"
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(gunicorn_command(port, config=config),
                                   env=environment(data_dir, DASH_APP_LOG_FORMAT="json", **values),
                                   stdout=output, stderr=subprocess.STDOUT)
        process.base_url, process.log, process.data_dir = f"http://127.0.0.1:{port}/", log, data_dir
        try:
            _wait_until_healthy(process)
            yield process
        finally:
            stop(process)


def _wait_until_healthy(process: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVE_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{process.log.read_text()}")
        try:
            if get(process.base_url + "health", timeout=5)[0] == 200:
                return
        except (URLError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn never answered /health with 200:\n{process.log.read_text()}")


def request_lines(log: Path, path: str) -> list[dict]:
    """The structured request lines (dash_app/logs.py) of ``path`` in a JSON log, in order."""
    lines = []
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("event") == "request" and record.get("path") == path:
                lines.append(record)
    return lines


def callback(base_url: str, input_id: str, input_property: str, value, state: list[dict]) -> dict:
    """Call the Dash callback whose only input is ``input_id.input_property``, as the browser would."""
    dependencies = json.loads(get(base_url + "_dash-dependencies")[1])
    found = next(item for item in dependencies if item["inputs"] == [{"id": input_id, "property": input_property}])
    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
               for part in found["output"].strip(".").split("...")]
    body = {"output": found["output"], "outputs": outputs,
            "inputs": [{"id": input_id, "property": input_property, "value": value}],
            "changedPropIds": [f"{input_id}.{input_property}"], "state": state}
    return post_json(base_url + "_dash-update-component", body)[1]


def cancel_through_the_app(base_url: str, run_id: int) -> dict:
    return callback(base_url, "train-cancel-request", "data", {"run": run_id},
                    [{"id": "train-refresh", "property": "data", "value": 0}])


def run_page_status(base_url: str, run_id: int) -> str:
    answer = callback(base_url, "train-run-poll", "n_intervals", 1,
                      [{"id": "train-run-id", "property": "data", "value": str(run_id)}])
    return json.dumps(answer["response"]["train-run-status"])


def _written_by_one_worker_seen_by_the_other(server, store_url: str) -> None:
    for page in ("", "data", "training", "compose"):
        status, _ = get(server.base_url + page)
        assert status == 200, f"/{page} answers"
    store = open_store(store_url)
    try:
        run_id = store.create_run({"dataset": "digits", "epochs": 1}, "queued", user=None, backend="celery")
        assert store.get(run_id).status == QUEUED
        assert "cancelled" in json.dumps(cancel_through_the_app(server.base_url, run_id))
        assert store.get(run_id).status == CANCELLED
    finally:
        store.dispose()
    writer = request_lines(server.log, "/_dash-update-component")[-1]["pid"]
    readers = set()
    deadline = time.monotonic() + 120
    while not readers - {writer}:  # ask until the other worker has answered too
        assert time.monotonic() < deadline, "one worker never answered"
        assert "cancelled" in run_page_status(server.base_url, run_id).lower(), "every worker sees the cancel"
        readers.add(request_lines(server.log, "/_dash-update-component")[-1]["pid"])
    assert len(readers | {writer}) == 2


def test_gunicorn_with_two_workers_on_a_sqlite_store(tmp_path):
    with gunicorn(tmp_path) as server:
        status, body = get(server.base_url + "health")
        assert status == 200
        health = json.loads(body)
        assert health["status"] == "up" and health["checks"]["store"] == "up"
        assert health["checks"]["databases"] == {"demo": "up"}
        _written_by_one_worker_seen_by_the_other(server, f"sqlite:///{server.data_dir / 'store.sqlite'}")
    log = server.log.read_text()
    assert log.count("building the demo database") == 1, "the demo database is built once, not by each worker"
    assert "Traceback" not in log


def test_without_the_configuration_file_the_workers_prepare_one_at_a_time(tmp_path):
    with gunicorn(tmp_path, config=False) as server:
        assert get(server.base_url + "data")[0] == 200
    log = server.log.read_text()
    assert log.count("building the demo database") == 1, "the first worker builds it, the other finds it built"
    assert "Traceback" not in log


@pytest.fixture
def postgres_store(postgres_url):
    """A PostgreSQL database of this test's own (runs of other tests must not reach its dispatchers)."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url)
    name = f"dash_app_deploy_{uuid.uuid4().hex[:8]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_gunicorn_with_two_workers_on_a_postgresql_store(tmp_path, postgres_store):
    with gunicorn(tmp_path, DASH_APP_STORE_URL=postgres_store) as server:
        assert json.loads(get(server.base_url + "health")[1])["checks"]["store"] == "up"
        _written_by_one_worker_seen_by_the_other(server, postgres_store)


def _closed_port() -> int:
    return free_port()  # nothing listens there once the probe is closed


@pytest.mark.parametrize(("values", "variable"), [
    ({"DASH_APP_MAX_UPLOAD_MB": "0"}, "DASH_APP_MAX_UPLOAD_MB"),
    ({"DASH_APP_STORE_URL": "postgresql+psycopg://u:secret@127.0.0.1:{port}/x"}, "DASH_APP_STORE_URL"),
    ({"DASH_APP_BACKGROUND": "celery", "DASH_APP_REDIS_URL": "redis://:secret@127.0.0.1:{port}/0"},
     "DASH_APP_REDIS_URL"),
])
def test_a_bad_setting_stops_gunicorn_with_one_line_and_no_worker(tmp_path, values, variable):
    port = _closed_port()
    values = {key: value.format(port=port) for key, value in values.items()}
    result = subprocess.run(gunicorn_command(free_port()), env=environment(tmp_path / "data", **values),
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2
    ours = [line for line in result.stderr.splitlines() if line.startswith("dash_app:")]
    assert len(ours) == 1 and variable in ours[0], result.stderr
    assert "secret" not in result.stderr
    assert "Booting worker" not in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "data" / "demo.sqlite").exists(), "stopped before building anything"


@pytest.mark.parametrize(("values", "variable"), [
    ({"DASH_APP_STORE_URL": "postgresql+psycopg://u:secret@127.0.0.1:{port}/x"}, "DASH_APP_STORE_URL"),
    ({"DASH_APP_REDIS_URL": "redis://:secret@127.0.0.1:{port}/0"}, "DASH_APP_REDIS_URL"),
])
def test_a_celery_worker_with_an_unreachable_service_stops_with_one_line(tmp_path, redis_url, values, variable):
    port = _closed_port()
    values = {"DASH_APP_BACKGROUND": "celery", "DASH_APP_REDIS_URL": redis_url} | {
        key: value.format(port=port) for key, value in values.items()}
    result = subprocess.run([sys.executable, "-m", "celery", "-A", "dash_app.worker", "worker", "--pool", "solo"],
                            env=environment(tmp_path / "data", **values), capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].startswith(f"dash_app.worker: {variable}:"), result.stderr
    assert "secret" not in result.stderr and "Traceback" not in result.stderr


@contextmanager
def celery_worker(tmp_path: Path, name: str, **values: str):
    """A Celery worker (solo pool) with these settings, its output in ``<name>.log``; stopped at the end."""
    log = tmp_path / f"{name}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "dash_app.worker", "worker", "--pool", "solo", "--loglevel", "info",
             "--hostname", f"{name}-{os.getpid()}@%h"],
            env=environment(tmp_path / "data", **values), stdout=output, stderr=subprocess.STDOUT)
        process.log = log
        try:
            yield process
        finally:
            stop(process)


def _wait_for_workers(celery_app, names: set[str], process) -> None:
    deadline = time.monotonic() + SERVE_TIMEOUT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, process.log.read_text()
        answered = {name.split("-")[0] for reply in celery_app.control.ping(timeout=1) for name in reply}
        if names <= answered:
            return
    pytest.fail(f"workers {names} never answered:\n{process.log.read_text()}")


def test_a_worker_started_with_other_settings_is_reported_not_split(tmp_path, redis_url):
    import redis

    from dash_app import create_app, startup
    from dash_app.background import build_celery
    from dash_app.settings import load_settings

    client = redis.Redis.from_url(redis_url)
    client.flushdb()  # no worker or web fingerprint of an earlier test
    client.close()
    database = tmp_path / "small.sqlite"
    sqlite3_connect(database)
    shared = {"DASH_APP_BACKGROUND": "celery", "DASH_APP_REDIS_URL": redis_url,
              "DASH_APP_DATABASES": json.dumps({"small": f"sqlite:///{database}"})}
    settings = load_settings(data_dir=tmp_path / "data", background="celery", redis_url=redis_url,
                             databases={"small": f"sqlite:///{database}"})
    lines: list[str] = []
    startup.compare_with_workers(settings, lambda message, **_: lines.append(message))  # the web's start-up
    app = create_app(settings)
    celery_app = build_celery(settings)
    try:
        with celery_worker(tmp_path, "same", **shared) as same:
            _wait_for_workers(celery_app, {"same"}, same)
            response = app.server.test_client().get("/health")
            assert response.status_code == 200, response.json
            assert response.json["checks"]["settings"] == "up" and response.json["workers"] == 1
            other_store = f"sqlite:///{tmp_path / 'other-store.sqlite'}"
            with celery_worker(tmp_path, "other", DASH_APP_STORE_URL=other_store, **shared) as other:
                _wait_for_workers(celery_app, {"same", "other"}, other)
                response = app.server.test_client().get("/health")
                assert response.status_code == 503
                assert response.json["checks"]["settings"] == "down"
                assert response.json["settings_differ"] == ["DASH_APP_STORE_URL"]
                assert "sqlite" not in response.get_data(as_text=True)
                lines.clear()
                startup.compare_with_workers(settings, lambda message, **_: lines.append(message))
        host = socket.gethostname()
        assert [line for line in lines if "settings differ" in line] == [
            f"warning: settings differ from Celery worker other-{os.getpid()}@{host}: DASH_APP_STORE_URL"
            " (every web server and Celery worker must share them; see README.md, Deploy)"]
        assert "settings differ" not in same.log.read_text()
        assert f"settings differ from the web server on {host}: DASH_APP_STORE_URL" in other.log.read_text()
    finally:
        celery_app.close()
        get_workbench(app.server).dispose()


def sqlite3_connect(path: Path) -> None:
    import sqlite3

    with sqlite3.connect(path) as connection:
        connection.execute("create table t (x integer)")
