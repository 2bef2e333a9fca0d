"""Engines for the configured databases, opened read-only wherever the engine allows it.

Browsing must never change a user's data, so every connection is read-only at the database level,
not only by the SQL the product happens to send: SQLite opens the file with ``mode=ro``, PostgreSQL
runs read-only transactions, MySQL/MariaDB sets the session read-only.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import QueuePool

from dash_app.settings import redacted_url

CONNECT_TIMEOUT_S = 5
# SQLite reads pages of a file up to this size straight from the operating system's cache (memory-mapped)
# instead of copying each one into its own cache: full scans (counts, filters on unindexed columns, exports,
# a jump deep into a big table) take about half the time. Read-only connections only, as all of ours are.
SQLITE_MMAP_BYTES = 1 << 30
SQLITE_BUSY_WAIT_S = 5.0  # sqlite3's own default: how long a query waits for a write lock held elsewhere
# SQLite's own lower() and LIKE fold the case of ASCII letters only; each connection also has this function,
# the Unicode lowercase of a text, for searches with other letters ('élodie' finds 'Élodie', dash_app/data/sql.py).
SQLITE_LOWER = "wb_lower"


def error_reason(error: BaseException) -> str:
    """What a database error says, in one line for a user: its first line, without the SQL or parameters
    SQLAlchemy appends (passwords never appear in a driver's first line). The one wording every module uses."""
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    return (lines[0] if lines else type(error).__name__)[:300]


# Words of a driver's message that say the server was not reached (stopped, restarting, out of reach)...
_UNREACHED = ("connection refused", "could not connect", "connection failed", "can't connect", "lost connection",
              "server closed the connection", "terminating connection", "server has gone away", "timeout expired",
              "timed out", "connection reset", "no route to host", "name or service not known",
              "could not translate host name", "the database system is", "unable to open database file",
              "connection is closed", "connection already closed")
# ...or that the user's database account may not do what was asked.
_REFUSED = ("permission denied", "access denied", "command denied", "not authorized", "must be owner")


# A table or column gone since the page read the schema, as SQLite, PostgreSQL and MySQL/MariaDB say it: its
# name (the user's own, from their table) is told.
_MISSING = (
    (re.compile(r"no such column: (?:[\w$]+\.)?([\w$]+)"), "column"),
    (re.compile(r'column "?(?:[^".\s]+\.)?([^".\s]+)"? does not exist'), "column"),
    (re.compile(r"unknown column '(?:[^']*\.)?([^'.]+)'", re.IGNORECASE), "column"),
    (re.compile(r"no such table: (?:[\w$]+\.)?([\w$]+)"), "table"),
    (re.compile(r'relation "(?:[^"]+\.)?([^".]+)" does not exist'), "table"),
    (re.compile(r"table '(?:[^']*\.)?([^'.]+)' doesn't exist", re.IGNORECASE), "table"),
)


def user_reason(error: BaseException) -> str:
    """What a database error means, in words for a user: never the driver's own text, which can name hosts,
    ports, SQL and internals (the caller logs that, :func:`error_reason`)."""
    first_line = error_reason(error)
    text = first_line.lower()
    if any(words in text for words in _UNREACHED) or getattr(error, "connection_invalidated", False):
        return "its server does not answer (stopped, restarting or out of reach); try again in a moment"
    if any(words in text for words in _REFUSED):
        return "the database account the app uses may not do this"
    for pattern, kind in _MISSING:
        found = pattern.search(first_line)
        if found:
            return f"there is no {kind} {found.group(1)[:80]!r} in it (any more)"
    return "the database could not carry out the request"


class DatabaseUnavailable(RuntimeError):
    """A configured database cannot be reached or opened."""


@dataclass(frozen=True)
class DatabaseInfo:
    """What the product knows about one configured database after connecting to it."""

    name: str
    dialect: str
    server_version: str
    url: str  # password hidden


def open_read_only(url: str, wait_s: float = SQLITE_BUSY_WAIT_S) -> Engine:
    """Return an engine whose connections cannot write.

    ``wait_s``: how long a query on a SQLite file waits for another program's write lock (the product's query
    time limit, dash_app/data/service.py), as a query on a server waits for its locks within that limit.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_read_only(parsed.database or "", wait_s)
    if backend == "postgresql":
        engine = create_engine(parsed, connect_args={"connect_timeout": CONNECT_TIMEOUT_S}, pool_pre_ping=True)
        return engine.execution_options(postgresql_readonly=True)
    engine = create_engine(parsed, connect_args={"connect_timeout": CONNECT_TIMEOUT_S}, pool_pre_ping=True)
    event.listen(engine, "connect", _mysql_session_read_only)
    return engine


def _sqlite_read_only(path: str, wait_s: float) -> Engine:
    if not path or path == ":memory:":
        msg = "a read-only SQLite database needs a file path"
        raise DatabaseUnavailable(msg)

    def connect() -> sqlite3.Connection:
        # mode=ro also keeps SQLite from creating an empty file where a database is missing.
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False, timeout=wait_s)
        connection.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
        connection.create_function(SQLITE_LOWER, 1, _unicode_lower, deterministic=True)
        return connection

    # A queue of connections, one per thread while in use. For the "sqlite://" URL SQLAlchemy would pick
    # SingletonThreadPool, which keeps 5 connections and closes another thread's one, even mid-query, when a
    # sixth thread connects: the web server runs 8 threads (dash_app/__main__.py), so a burst of callbacks
    # (two quick sort clicks) could lose a grid block to "Cannot operate on a closed database".
    return create_engine("sqlite://", creator=connect, poolclass=QueuePool)


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _mysql_session_read_only(dbapi_connection, _record) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET SESSION TRANSACTION READ ONLY")


def describe_database(name: str, url: str) -> DatabaseInfo:
    """Connect to a configured database and say what it is; raise DatabaseUnavailable if it cannot."""
    hidden = redacted_url(url)
    engine = open_read_only(url)
    try:
        with engine.connect() as connection:
            version = _server_version(connection, engine.dialect.name)
    except (SQLAlchemyError, sqlite3.Error) as error:
        msg = f"database {name!r} ({hidden}) cannot be opened: {error_reason(error)}"
        raise DatabaseUnavailable(msg) from None
    finally:
        engine.dispose()
    return DatabaseInfo(name=name, dialect=engine.dialect.name, server_version=version, url=hidden)


def _server_version(connection, dialect: str) -> str:
    if dialect == "sqlite":
        return connection.execute(text("select sqlite_version()")).scalar_one()
    if dialect == "postgresql":
        return connection.execute(text("show server_version")).scalar_one()
    return connection.execute(text("select version()")).scalar_one()
