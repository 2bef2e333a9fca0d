"""Settings from DASH_APP_* variables: good values are read and normalised, bad ones give one clear line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dash_app.settings import SettingsError, load_settings


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A private data directory in the (already clean) DASH_APP_* environment; returns a setter."""
    monkeypatch.setenv("DASH_APP_DATA_DIR", str(tmp_path / "data"))

    def set_vars(**values: str) -> None:
        for key, value in values.items():
            monkeypatch.setenv(f"DASH_APP_{key.upper()}", value)

    return set_vars


def test_defaults_run_on_a_laptop_with_no_services(env, tmp_path):
    settings = load_settings()
    assert settings.background == "diskcache"
    assert settings.url_prefix == "/"
    assert settings.max_concurrent_jobs == 1
    assert settings.data_dir == (tmp_path / "data").resolve()
    assert settings.databases == {"demo": f"sqlite:///{tmp_path.resolve() / 'data' / 'demo.sqlite'}"}
    assert settings.uses_demo_database
    assert settings.store_url == f"sqlite:///{tmp_path.resolve() / 'data' / 'store.sqlite'}"


def test_every_documented_variable_is_read(env, tmp_path):
    env(
        databases='{"sales": "postgresql+psycopg://u:p@db.example/sales", "shop": "mysql+pymysql://u@h/shop"}',
        store_url="postgresql+psycopg://u:p@db.example/workbench",
        background="celery",
        redis_url="redis://:secret@127.0.0.1:6390/2",
        url_prefix="dashboard",
        max_upload_mb="100",
        max_concurrent_jobs="3",
        demo_rows="10000000",
        title="Acme Workbench",
        editable_tables='{"shop": ["products", "prices"]}',
        query_timeout_s="2.5",
        max_canvas_side="4096",
        max_image_pixels="20000000",
    )
    settings = load_settings()
    assert set(settings.databases) == {"sales", "shop"}
    assert not settings.uses_demo_database
    assert settings.store_url.endswith("/workbench")
    assert settings.background == "celery"
    assert settings.redis_url.endswith(":6390/2")
    assert settings.url_prefix == "/dashboard/"
    assert settings.max_upload_bytes == 100 * 1024 * 1024
    assert settings.max_concurrent_jobs == 3
    assert settings.demo_rows == 10_000_000
    assert settings.title == "Acme Workbench"
    assert settings.editable_tables == {"shop": ["products", "prices"]}
    assert settings.query_timeout_s == 2.5
    assert settings.max_canvas_side == 4096
    assert settings.max_image_pixels == 20_000_000


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [("/", "/"), ("", "/"), ("/dashboard", "/dashboard/"), ("dashboard/", "/dashboard/"), ("/a/b/", "/a/b/")],
)
def test_url_prefix_is_normalised(env, raw, normalised):
    env(url_prefix=raw)
    assert load_settings().url_prefix == normalised


def test_keyword_overrides_win_over_the_environment(env, tmp_path):
    env(max_concurrent_jobs="4")
    assert load_settings(max_concurrent_jobs=2).max_concurrent_jobs == 2


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("BACKGROUND", "rq", "'diskcache' or 'celery'"),
        ("MAX_CONCURRENT_JOBS", "0", "an integer from 1 to 64"),
        ("MAX_CONCURRENT_JOBS", "many", "an integer from 1 to 64"),
        ("MAX_UPLOAD_MB", "5000", "an integer from 1 to 1024"),
        ("DEMO_ROWS", "10", "an integer from 1000"),
        ("REDIS_URL", "http://127.0.0.1:6379", "redis://"),
        ("URL_PREFIX", "/dash board/", "URL path"),
        ("URL_PREFIX", "/../etc/", "URL path"),
        ("DATABASES", '{"sales": "oracle://u@h/db"}', "dialect 'oracle' is not one of"),
        ("DATABASES", '{"sales": "not a url"}', "is not a SQLAlchemy URL"),
        ("DATABASES", '{"bad name;": "sqlite:///x.db"}', "database name"),
        ("DATABASES", '{"sales": ', "could not be parsed"),
        ("STORE_URL", "mongodb://h/db", "dialect 'mongodb'"),
        ("TITLE", "", "1 to 60 characters"),
        ("EDITABLE_TABLES", '{"nowhere": ["products"]}', "databases that are not configured: nowhere"),
        ("EDITABLE_TABLES", '["products"]', "valid dictionary"),
        ("QUERY_TIMEOUT_S", "0", "seconds from 0.1 to 3600"),
        ("MAX_CANVAS_SIDE", "99999", "an integer from 256 to 16384"),
        ("MAX_IMAGE_PIXELS", "10", "an integer from 1000000"),
    ],
)
def test_bad_value_is_one_line_naming_the_variable(env, variable, value, expected):
    env(**{variable: value})
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert f"DASH_APP_{variable}" in message
    assert expected in message
    assert "\n" not in message


def test_database_passwords_never_reach_the_error_text_of_other_fields(env):
    env(databases='{"sales": "postgresql+psycopg://u:topsecret@h/db"}', max_concurrent_jobs="0")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "topsecret" not in str(caught.value)


def test_start_up_stops_with_one_line_for_a_bad_value(tmp_path):
    environment = os.environ | {"DASH_APP_BACKGROUND": "threads", "DASH_APP_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "dash_app", "--port", "1"], env=environment,
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DASH_APP_BACKGROUND" in lines[0] and "'diskcache' or 'celery'" in lines[0]
    assert not (tmp_path / "demo.sqlite").exists(), "nothing is built when the settings are wrong"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASES", '{"a": "postgresql+psycopg://u:topsecret@h/db", "b": "oracle://u:topsecret@h/db"}'),
        ("STORE_URL", "mongodb://u:topsecret@h/db"),
        ("REDIS_URL", "http://:topsecret@h:6379/0"),
    ],
)
def test_a_bad_url_setting_never_prints_its_password(env, variable, value):
    env(**{variable: value})
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert f"DASH_APP_{variable}" in str(caught.value)
    assert "topsecret" not in str(caught.value)
    assert "***" in str(caught.value)
