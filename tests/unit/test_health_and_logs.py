"""/health (what is up, what is down, within seconds), structured log lines, and the settings fingerprint."""

from __future__ import annotations

import json
import logging
import re
import socket
import sqlite3
import time

import pytest
from flask import Flask

from dash_app import create_app, fingerprint, init_app, startup
from dash_app.health import HEALTH_TIMEOUT_S
from dash_app.logs import JsonFormatter
from dash_app.runs import events
from dash_app.settings import load_settings


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "small.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("create table t (x integer)")
    return f"sqlite:///{path}"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_health_is_200_and_says_what_is_up(tmp_path, database):
    app = create_app(load_settings(data_dir=tmp_path / "data", databases={"small": database}))
    response = app.server.test_client().get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "up", "down": [], "checks": {"store": "up", "databases": {"small": "up"}}}
    assert response.headers["Cache-Control"] == "no-store"


def test_health_is_503_naming_the_store_when_its_port_is_closed_and_shows_no_url(tmp_path, database):
    url = f"postgresql+psycopg://user:secret@127.0.0.1:{_closed_port()}/store"
    app = create_app(load_settings(data_dir=tmp_path / "data", databases={"small": database}, store_url=url))
    response = app.server.test_client().get("/health")
    assert response.status_code == 503
    assert response.json["down"] == ["store"]
    assert response.json["checks"] == {"store": "down", "databases": {"small": "up"}}
    body = response.get_data(as_text=True)
    assert "secret" not in body and "127.0.0.1" not in body


def test_health_answers_within_seconds_when_a_service_hangs(tmp_path, database):
    with socket.socket() as silent:  # accepts connections (the backlog) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"postgresql+psycopg://user@127.0.0.1:{silent.getsockname()[1]}/store"
        app = create_app(load_settings(data_dir=tmp_path / "data", databases={"small": database}, store_url=url))
        started = time.monotonic()
        response = app.server.test_client().get("/health")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json["checks"]["store"] == "timeout"
    assert elapsed < HEALTH_TIMEOUT_S + 1.5, f"answered in {elapsed:.1f} s"


def test_a_down_database_is_named_in_the_answer_and_keeps_the_node_in_rotation(tmp_path, database):
    databases = {"small": database, "gone": f"sqlite:///{tmp_path / 'missing.sqlite'}"}
    app = create_app(load_settings(data_dir=tmp_path / "data", databases=databases))
    response = app.server.test_client().get("/health")
    assert response.status_code == 200, "every node sees the same database: taking this one out helps nobody"
    assert response.json["status"] == "degraded"
    assert response.json["down"] == ["databases.gone"]
    assert response.json["checks"]["databases"] == {"small": "up", "gone": "down"}


def test_each_product_request_is_one_structured_line_and_host_routes_none(tmp_path, database, caplog):
    server = Flask("host")
    server.add_url_rule("/host", "host_page", lambda: "the host's own page")
    init_app(server, load_settings(data_dir=tmp_path / "data", databases={"small": database},
                                   url_prefix="/dashboard/"))
    client = server.test_client()
    caplog.set_level(logging.DEBUG, logger="dash_app.requests")
    assert client.get("/dashboard/training").status_code == 200
    assert client.get("/dashboard/no-such-page").status_code == 404
    assert client.get("/host").status_code == 200
    assert client.get("/dashboard/health").status_code == 200
    lines = [record for record in caplog.records if record.name == "dash_app.requests"]
    assert [(line.method, line.path, line.status) for line in lines] == [
        ("GET", "/dashboard/training", 200), ("GET", "/dashboard/no-such-page", 404), ("GET", "/dashboard/health", 200)]
    assert [line.levelno for line in lines] == [logging.INFO, logging.INFO, logging.DEBUG], "health: DEBUG"
    first = lines[0]
    assert first.event == "request" and first.user_id is None and first.duration_ms >= 0
    assert first.getMessage().startswith("GET /dashboard/training 200 ")


def test_a_run_logs_each_event_once_with_its_id_attempt_and_owner(store, caplog):
    caplog.set_level(logging.INFO, logger="dash_app.runs.events")
    run_id = store.create_run({"epochs": 8}, "eight epochs", user="Alice", owner="u-1", backend="diskcache")
    assert store.claim_next(1, "diskcache") == (run_id, 1)
    for epoch in range(1, 9):
        store.record_progress(run_id, {"epoch": epoch, "epochs": 8}, [{"epoch": epoch, "loss": 1.0}])
        store.beat(run_id)
    store.finish(run_id, "succeeded")
    failed = store.create_run({}, "failed", user=None, owner="u-2", backend="diskcache")
    store.finish(failed, "failed", error="Not started: the job queue does not answer.", from_statuses=("queued",))
    cancelled = store.create_run({}, "cancelled", user=None, owner="u-2", backend="diskcache")
    store.request_cancel(cancelled)
    resumed = store.resume(cancelled)
    assert store.claim_next(1, "diskcache") == (cancelled, 2)
    store.mark_interrupted([cancelled], reason="The server stopped while this run was queued or running.")
    lines = [(record.event, record.run_id, record.attempt, record.owner_id)
             for record in caplog.records if record.name == "dash_app.runs.events"]
    assert lines == [
        ("run.queued", run_id, 1, "u-1"), ("run.started", run_id, 1, "u-1"),
        ("run.progress", run_id, 1, "u-1"), ("run.progress", run_id, 1, "u-1"), ("run.progress", run_id, 1, "u-1"),
        ("run.succeeded", run_id, 1, "u-1"),
        ("run.queued", failed, 1, "u-2"), ("run.failed", failed, 1, "u-2"),
        ("run.queued", cancelled, 1, "u-2"), ("run.cancelled", cancelled, 1, "u-2"),
        ("run.queued", cancelled, 2, "u-2"), ("run.started", cancelled, 2, "u-2"),
        ("run.interrupted", cancelled, 2, "u-2"),
    ], "progress only at each quarter of the epochs, never per epoch or batch"
    assert resumed.attempt == 2
    progress = [record for record in caplog.records if getattr(record, "event", "") == "run.progress"]
    assert [record.epoch for record in progress] == [2, 4, 6]
    ended = next(record for record in caplog.records if getattr(record, "event", "") == "run.failed")
    assert ended.levelno == logging.WARNING and "job queue does not answer" in ended.getMessage()


def test_progress_milestones_are_three_at_most(store):
    for epochs in (1, 2, 3, 4, 7, 10, 1000):
        reached = [epoch for epoch in range(1, epochs + 1) if events.progress_milestone(epoch, epochs)]
        assert len(reached) <= 3
        assert all(epoch < epochs for epoch in reached), "the end is its own event"


def test_json_lines_carry_the_fields_of_each_line(caplog):
    record = logging.LogRecord("dash_app.requests", logging.INFO, __file__, 1, "GET %s", ("/",), None)
    record.__dict__.update({"event": "request", "status": 200, "user_id": "u-1"})
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET /" and line["level"] == "INFO" and line["logger"] == "dash_app.requests"
    assert (line["event"], line["status"], line["user_id"]) == ("request", 200, "u-1")
    assert isinstance(line["pid"], int)


def test_the_fingerprint_names_what_differs_and_hides_every_value(tmp_path):
    base = load_settings(data_dir=tmp_path / "shared", store_url="postgresql+psycopg://u:secret@db/store",
                         background="celery")
    same = load_settings(data_dir=tmp_path / "shared", store_url="postgresql+psycopg://u:secret@db/store",
                         background="celery", max_upload_mb=5)  # not a shared setting
    other = load_settings(data_dir=tmp_path / "elsewhere", store_url="postgresql+psycopg://u:secret@db2/store",
                          background="celery")
    mine = fingerprint.fingerprint(base)
    assert fingerprint.differing(mine, fingerprint.fingerprint(same)) == []
    assert fingerprint.differing(mine, fingerprint.fingerprint(other)) == ["DASH_APP_DATA_DIR", "DASH_APP_STORE_URL"]
    assert fingerprint.differing(mine, None) == sorted(mine), "a worker that does not answer the command differs"
    assert all(re.fullmatch(r"[0-9a-f]{12}", value) for value in mine.values()), "hashes only: no value, no password"


def test_the_same_shared_directory_mounted_elsewhere_is_the_same(tmp_path):
    here = load_settings(data_dir=tmp_path / "mounted-here", background="celery")
    there = load_settings(data_dir=tmp_path / "mounted-there", background="celery")
    assert fingerprint.differing(fingerprint.fingerprint(here), fingerprint.fingerprint(there)) == ["DASH_APP_DATA_DIR"]
    # The same share seen by two machines at two paths: the id written into it is the same.
    (there.data_dir / fingerprint.DEPLOYMENT_ID_FILE).write_text(fingerprint.deployment_id(here.data_dir))
    assert fingerprint.fingerprint(here) == fingerprint.fingerprint(there)


def test_prepare_once_prepares_once_per_process(tmp_path, database):
    settings = load_settings(data_dir=tmp_path / "data", databases={"small": database})
    lines: list[str] = []
    startup.prepare_once(settings, lambda message, **_: lines.append(message))
    assert any(line.startswith("database 'small'") for line in lines)
    lines.clear()
    startup.prepare_once(settings, lambda message, **_: lines.append(message))
    assert lines == [], "a gunicorn worker forked from a master that prepared does nothing again"
    assert (settings.data_dir / startup.LOCK_FILE).exists()
