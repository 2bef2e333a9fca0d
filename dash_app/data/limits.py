"""Time limits on queries, per dialect, and recognising a query the limit stopped.

A slow query must not hold a browsing connection for minutes: SQLite is interrupted from its progress
handler, PostgreSQL gets ``SET LOCAL statement_timeout`` (ends with the transaction), MariaDB
``max_statement_time`` and MySQL ``max_execution_time`` for the session, reset afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

SQLITE_PROGRESS_STEPS = 20_000  # virtual machine steps between deadline checks (well under 1 ms)
MYSQL_TIMEOUT_ERRORS = {1317, 1969, 3024}  # query interrupted / max_statement_time / max_execution_time
POSTGRES_CANCELED = "57014"

# How long counting rows may take before the page stops waiting for the number: one limit per place that
# counts. A count only adds to what the user asked for, so each limit fits how long that place can wait.
# A table's exact count (the table list, an unfiltered view): one per table listed; a big table's estimate
# serves instead (catalog.row_count).
TABLE_COUNT_SECONDS = 2.0
# A filtered view's count for the grid's scrollbar: the view's first block waits for it, so it must be short;
# without it the scrollbar grows as the rows come.
GRID_COUNT_SECONDS = 1.0
# The count above the grid: a request of its own that nothing waits for; slower shows "counting was stopped".
VIEW_COUNT_SECONDS = 3.0
# Whether an Excel export fits a sheet: the user asked for the file and waits for it anyway; slower refuses
# the export with QueryTimeout.
EXPORT_COUNT_SECONDS = 10.0
# The first rows written into the Data page's HTML (dash_app/first_screen.py): the browser shows nothing at all
# until that HTML arrives, so a slow view arrives without them and the grid reads them under the query limit.
FIRST_SCREEN_SECONDS = 1.0
# The background pass that remembers places all along a view after a deep jump (paging.waypoints): nobody
# waits for it, and jumps work without it, so it may take longer than a count but is stopped on huge views.
WAYPOINT_SECONDS = 30.0


class QueryTimeout(RuntimeError):
    """A query ran past the time limit and was stopped; the message is for the user."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"The query was stopped after {seconds:g} s, the time limit. "
            "Narrow the filters or sort by an indexed column, then try again."
        )
        self.seconds = seconds


@contextmanager
def time_limit(connection: Connection, seconds: float) -> Iterator[None]:
    """Stop any statement run on ``connection`` inside the block after ``seconds``."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        with _sqlite_limit(connection, seconds):
            yield
    elif dialect == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(seconds * 1000))}")
        yield
    else:
        with _mysql_limit(connection, seconds):
            yield


@contextmanager
def _sqlite_limit(connection: Connection, seconds: float) -> Iterator[None]:
    raw = connection.connection.driver_connection
    deadline = time.monotonic() + seconds
    raw.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, SQLITE_PROGRESS_STEPS)
    try:
        yield
    finally:
        raw.set_progress_handler(None, 0)


@contextmanager
def _mysql_limit(connection: Connection, seconds: float) -> Iterator[None]:
    if getattr(connection.dialect, "is_mariadb", False):
        variable, value = "max_statement_time", f"{seconds:.3f}"
    else:
        variable, value = "max_execution_time", str(max(1, int(seconds * 1000)))
    connection.exec_driver_sql(f"SET SESSION {variable} = {value}")
    try:
        yield
    finally:
        try:
            connection.exec_driver_sql(f"SET SESSION {variable} = 0")
        except DBAPIError:  # the connection broke: the pool discards it, and the session with it
            pass


def is_timeout(error: DBAPIError) -> bool:
    """Whether a database error is the time limit stopping a query."""
    original = getattr(error, "orig", None)
    if original is None:
        return False
    if getattr(original, "sqlstate", None) == POSTGRES_CANCELED:
        return True
    arguments = getattr(original, "args", ())
    if arguments and isinstance(arguments[0], int) and arguments[0] in MYSQL_TIMEOUT_ERRORS:
        return True
    return type(original).__name__ == "OperationalError" and "interrupted" in str(original)
