"""``python -m dash_app`` and its start-up: options, demo data on first start, one clear line per problem."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest

from dash_app import startup
from dash_app.demo import demo_order_lines
from dash_app.settings import load_settings


def run_main(*args: str, tmp_path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dash_app", *args], env=os.environ | env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)


def test_help_lists_the_options(tmp_path):
    result = run_main("--help", tmp_path=tmp_path)
    assert result.returncode == 0
    for option in ("--host", "--port", "--data-dir", "--demo-rows"):
        assert option in result.stdout
    assert list(tmp_path.iterdir()) == [], "--help builds nothing"


def test_an_unwritable_data_dir_stops_start_up_with_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run_main("--data-dir", str(blocker / "data"), "--port", "1", tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("dash_app: DASH_APP_DATA_DIR: cannot write to")


def test_a_port_in_use_is_one_clear_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_main("--port", str(port), "--data-dir", str(tmp_path / "data"), tmp_path=tmp_path,
                          DASH_APP_DATABASES='{"none": "sqlite:///' + str(tmp_path / "none.sqlite") + '"}')
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr.strip().splitlines()[-1]


@pytest.fixture
def log():
    lines: list[str] = []

    def record(message: str, **_kwargs) -> None:
        lines.append(message)

    record.lines = lines
    return record


def test_first_start_builds_the_demo_database_with_progress(tmp_path, log):
    settings = load_settings(data_dir=tmp_path, demo_rows=3000)
    startup.prepare(settings, log)
    assert demo_order_lines(settings.demo_database_path) == 3000
    assert any("order lines (100%)" in line for line in log.lines), log.lines
    assert any(line.startswith("demo database ready in") for line in log.lines)
    assert any(line.startswith("database 'demo': sqlite 3.") for line in log.lines)

    log.lines.clear()
    startup.prepare(load_settings(data_dir=tmp_path), log)
    assert not any("building" in line for line in log.lines), "a later start keeps the demo database"
    assert demo_order_lines(settings.demo_database_path) == 3000

    startup.prepare(load_settings(data_dir=tmp_path, demo_rows=4000), log)
    assert demo_order_lines(settings.demo_database_path) == 4000, "an explicit other size rebuilds it"


def test_a_database_that_does_not_open_is_a_warning_not_a_stop(tmp_path, log):
    missing = tmp_path / "missing.sqlite"
    settings = load_settings(data_dir=tmp_path, databases={"sales": f"sqlite:///{missing}"})
    startup.prepare(settings, log)
    assert any(line.startswith("warning: database 'sales'") for line in log.lines)
    assert not missing.exists()
    assert not settings.demo_database_path.exists(), "no demo data when other databases are configured"


def test_a_mistyped_variable_is_reported_at_start_up(tmp_path, log, monkeypatch):
    monkeypatch.setenv("DASH_APP_DATADIR", "/somewhere")
    monkeypatch.setenv("DASH_APP_NAME", "read by Dash itself")
    startup.prepare(load_settings(data_dir=tmp_path, databases={"x": f"sqlite:///{tmp_path / 'x.sqlite'}"}), log)
    warnings = [line for line in log.lines if "is not a setting" in line]
    assert warnings == ["warning: DASH_APP_DATADIR is not a setting and is ignored (see README.md, Configuration)"]


def test_ctrl_c_during_the_first_demo_build_leaves_nothing_half_built(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "dash_app", "--data-dir", str(tmp_path), "--demo-rows", "5000000", "--port", "1"],
        stderr=subprocess.PIPE, text=True,
        # As in a terminal: CI runs the tests as a background job, which starts with SIGINT ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        for line in process.stderr:
            if "order lines (" in line:
                break
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=60)[1]
    finally:
        process.kill()
    assert process.returncode == 130
    assert "Traceback" not in output
    assert "stopped before the app started" in output
    assert not (tmp_path / "demo.sqlite").exists()
    assert not list(tmp_path.glob("*.building*")), "the temporary build file is removed"
