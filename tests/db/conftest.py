"""Fixtures of the database tests: the same awkward table in SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from data_fixtures import create_awkward, drop_tables  # noqa: E402


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def awkward(request, tmp_path):
    """(service, database name, table, child table, url) over a fresh awkward table in each real database."""
    from dash_app.workbench import Workbench
    from dash_app.settings import load_settings

    if request.param == "sqlite":
        path = tmp_path / "awkward.sqlite"
        sqlite3.connect(path).close()
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url" if request.param == "postgresql" else "mariadb_url")
    table, child = create_awkward(url)
    settings = load_settings(data_dir=tmp_path / "data", databases={"db": url},
                             editable_tables={"db": [table]}, query_timeout_s=5)
    workbench = Workbench(settings)
    yield workbench.data, "db", table, child, url
    workbench.dispose()
    drop_tables(url, child, table)
