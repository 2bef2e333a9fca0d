"""Browsing engines on real SQLite, PostgreSQL and MariaDB: they connect, and they cannot write."""

from __future__ import annotations

import sqlite3
import threading
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from dash_app.data.engines import DatabaseUnavailable, describe_database, open_read_only


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def database(request, tmp_path):
    """(url, table) of a real database holding one row in a fresh table; the table is dropped after."""
    if request.param == "sqlite":
        path = tmp_path / "browse.sqlite"
        sqlite3.connect(path).close()
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url" if request.param == "postgresql" else "mariadb_url")
    table = f"t_{uuid.uuid4().hex[:10]}"
    writer = create_engine(url)
    with writer.begin() as connection:
        connection.execute(text(f"create table {table} (id integer primary key, name varchar(20))"))
        connection.execute(text(f"insert into {table} values (1, 'kept')"))
    yield url, table
    with writer.begin() as connection:
        connection.execute(text(f"drop table {table}"))
    writer.dispose()


def test_describe_names_the_dialect_and_server_version(database):
    url, _ = database
    info = describe_database("sales", url)
    assert info.name == "sales"
    assert info.dialect in {"sqlite", "postgresql", "mysql", "mariadb"}
    assert info.server_version[0].isdigit()


def test_browsing_connections_read_but_cannot_write(database):
    url, table = database
    engine = open_read_only(url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text(f"select name from {table}")).scalar_one() == "kept"
        for statement in (f"update {table} set name = 'changed'", f"delete from {table}",
                          f"insert into {table} values (2, 'new')", f"drop table {table}"):
            with pytest.raises(DBAPIError), engine.begin() as connection:
                connection.execute(text(statement))
    finally:
        engine.dispose()
    with create_engine(url).connect() as connection:
        assert connection.execute(text(f"select id, name from {table}")).all() == [(1, "kept")]


def test_many_threads_browse_at_once_without_closing_each_others_connections(database):
    """The web server answers callbacks on several threads at once (8 in dash_app/__main__.py): a burst of
    them, such as two quick sort clicks, must not close a connection another thread is reading from."""
    url, table = database
    engine = open_read_only(url)
    threads = 8
    all_connected = threading.Barrier(threads, timeout=30)
    results, errors = [], []

    def browse():
        try:
            with engine.connect() as connection:
                all_connected.wait()  # every thread holds its own connection before any of them reads
                results.append(connection.execute(text(f"select name from {table}")).scalar_one())
        except Exception as error:  # noqa: BLE001 - the test reports whatever went wrong
            errors.append(repr(error))

    workers = [threading.Thread(target=browse) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    engine.dispose()
    assert errors == []
    assert results == ["kept"] * threads


def test_a_missing_sqlite_file_is_reported_not_created(tmp_path):
    missing = tmp_path / "missing.sqlite"
    with pytest.raises(DatabaseUnavailable, match="'gone'.*cannot be opened"):
        describe_database("gone", f"sqlite:///{missing}")
    assert not missing.exists()


@pytest.mark.parametrize("server", ["postgres_url", "mariadb_url"])
def test_an_unreachable_server_is_one_clear_error_without_the_password(request, server):
    url = request.getfixturevalue(server)
    from sqlalchemy.engine import make_url

    wrong = make_url(url).set(port=1, password="s3cret-pw")
    with pytest.raises(DatabaseUnavailable) as caught:
        describe_database("sales", wrong.render_as_string(hide_password=False))
    assert "cannot be opened" in str(caught.value)
    assert "s3cret-pw" not in str(caught.value)
    assert "\n" not in str(caught.value)
