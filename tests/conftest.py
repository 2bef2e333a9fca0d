"""Shared fixtures: settings -> app -> client (flaskr style), and the URLs of real database services.

Services are never mocked. Their URLs come from TEST_POSTGRES_URL, TEST_MARIADB_URL and TEST_REDIS_URL
(set by .ci/run). Where one is unset the tests that need it are skipped with the reason printed,
except with TEST_REQUIRE_SERVICES=1 (CI), where a missing service fails the run instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def _service_url(variable: str, what: str) -> str:
    url = os.environ.get(variable)
    if url:
        return url
    reason = f"{variable} is not set: no {what} to test against (.ci/run starts one)"
    if os.environ.get("TEST_REQUIRE_SERVICES") == "1":
        pytest.fail(reason + "; TEST_REQUIRE_SERVICES=1 makes this a failure")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    return _service_url("TEST_POSTGRES_URL", "PostgreSQL server")


@pytest.fixture(scope="session")
def mariadb_url() -> str:
    return _service_url("TEST_MARIADB_URL", "MariaDB/MySQL server")


@pytest.fixture(scope="session")
def redis_url() -> str:
    return _service_url("TEST_REDIS_URL", "Redis server")


@pytest.fixture(autouse=True)
def _no_dash_app_environment(monkeypatch):
    """Keep the developer's DASH_APP_* variables out of every test and of the processes tests start."""
    for name in [name for name in os.environ if name.startswith("DASH_APP_")]:
        monkeypatch.delenv(name)


@pytest.fixture
def settings(tmp_path):
    """Settings with a private data directory."""
    from dash_app.settings import load_settings

    return load_settings(data_dir=tmp_path / "data")


@pytest.fixture
def app(settings):
    from dash_app import create_app

    return create_app(settings)


@pytest.fixture
def client(app):
    return app.server.test_client()


# The services .ci/run starts are one of each for the whole run, and the tests of tests/db and tests/services share
# them (the same store tables; Redis flushed at the start of a Celery story). bin/run-tests runs the suite on two
# pytest-xdist workers: those tests go to one worker, one after another, and every other test goes with the rest of
# its file, so that a module's server starts once. They are collected first, so that the longest share starts first.
SERVICE_FOLDERS = ("tests/db/", "tests/services/")


def _shares_services(path: str) -> bool:
    return path.replace(os.sep, "/").startswith(SERVICE_FOLDERS)


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: not _shares_services(Path(str(item.fspath)).relative_to(REPO_ROOT).as_posix()))


def pytest_xdist_make_scheduler(config, log):
    """Each file's tests on one worker, and all the tests that share the services on one worker."""
    from xdist.scheduler import LoadFileScheduling

    class ServicesTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "services" if _shares_services(nodeid) else super()._split_scope(nodeid)

    return ServicesTogether(config, log)


def pytest_report_header(config) -> list[str]:
    """Say up front which real services this run will use, so a skipped suite is never a surprise."""
    lines = []
    for variable in ("TEST_POSTGRES_URL", "TEST_MARIADB_URL", "TEST_REDIS_URL", "TEST_CHROMIUM"):
        lines.append(f"{variable}: {'set' if os.environ.get(variable) else 'not set'}")
    return lines
