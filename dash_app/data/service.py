"""The Data page's domain entry point: configured databases, their engines, cached schema, and each operation.

One instance per app, owned by the app's workbench (dash_app/workbench.py). Engines are opened on first
use, never at import; after a fork (a background job) the workbench calls
:meth:`DataService.reset_after_fork` so that the child opens its own, since pooled connections must not
cross processes. Every database error becomes :class:`DataError` (or QueryTimeout) with a message for the
user; nothing here knows about Dash or Flask.

The service acts for the user of the request: the workbench gives it a ``viewer`` (a callable that returns the
current identity), and every operation applies the rules of dash_app/data/access.py to it, so a database or
table the user may not use is answered as an unknown one, wherever it is asked for.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from dash_app.data import catalog, charts, edits, paging, shared
from dash_app.data.access import BROWSE, DatabaseAccess, NotAvailable, Viewer, refused_action, unknown_database, \
    unknown_table
from dash_app.data.catalog import SchemaError, Table, TableSummary
from dash_app.data.engines import error_reason, open_read_only, user_reason
from dash_app.data.limits import (GRID_COUNT_SECONDS, VIEW_COUNT_SECONDS, WAYPOINT_SECONDS, QueryTimeout, is_timeout,
                                  time_limit)
from dash_app.data.query import QueryError, ViewSpec, checked_column, parse_view
from dash_app.identity import STANDALONE
from dash_app.settings import Settings, redacted_url

SCHEMA_TTL_S = 60.0
COUNT_CACHE_SIZE = 512
BLOCK_SIZE_LIMIT = 1_000
MAX_START_ROW = 10**12
T = TypeVar("T")
log = logging.getLogger(__name__)


class DataError(RuntimeError):
    """A database could not answer; the message is for the user and never holds a password."""


@dataclass(frozen=True)
class Opened:
    """What the page's address opens: the database's tables and views, the one shown (None when there is
    none) with its checked view, and what was not as the address asked, in words for the user."""

    summaries: list[TableSummary]
    table: Table | None
    spec: ViewSpec | None
    problems: tuple[str, ...] = ()


class DataService:
    """Browse the configured databases for one app."""

    def __init__(self, settings: Settings, app_store: Callable[[], Engine],
                 viewer: Callable[[], Viewer] = lambda: STANDALONE) -> None:
        self.settings = settings
        self._app_store = app_store
        self._viewer = viewer
        self.access = DatabaseAccess(settings.database_roles)
        self.keysets = paging.KeysetMemory()
        self.statements = paging.StatementCache()
        # In the scaled mode, positions, counts and table lists also go to Redis for every web worker (shared.py).
        self.shared = shared.SharedStore(settings.shared_cache_url)
        self.shared_keyset_hits = 0  # blocks that continued from a position another process remembered
        self._lock = threading.Lock()
        self._engines: dict[str, Engine] = {}
        self._writers: dict[str, Engine] = {}
        self._tables: dict[tuple[str, str], tuple[float, Table]] = {}
        self._summaries: dict[str, tuple[float, list[TableSummary]]] = {}
        self._counts: dict[str, tuple[float, int | None]] = {}
        self._counting: dict[str, tuple[float, Future]] = {}  # view key -> (time limit, count under way)
        self._waypoints: dict[str, float] = {}  # view key -> when its waypoints were planned
        self._background: ThreadPoolExecutor | None = None  # one thread: waypoint passes, one at a time

    # ---- configuration ---------------------------------------------------------------------------
    @property
    def database_names(self) -> list[str]:
        """The databases the user may browse, in the configured order."""
        return self.databases_for(BROWSE)

    def databases_for(self, action: str) -> list[str]:
        """The databases the user may use for ``action`` (dash_app/data/access.py ACTIONS)."""
        return self.access.databases(self._viewer(), self.settings.databases, action)

    @property
    def default_database(self) -> str | None:
        """The first database the user may browse; None when there is none."""
        return next(iter(self.database_names), None)

    def may(self, database: object, table: object = None, action: str = BROWSE) -> bool:
        """Whether the user may use ``database`` (and ``table``) for ``action``; False for anything unknown."""
        if not isinstance(database, str) or database not in self.settings.databases:
            return False
        if table is not None and not isinstance(table, str):
            return False
        return self.access.allows(self._viewer(), database, table, action)

    def check_database(self, name: object) -> str:
        """The name of a database the user may browse; NotAvailable (as for an unknown one) otherwise."""
        if not self.may(name):
            raise unknown_database(name, self.database_names)
        return name

    def require(self, database: object, table: object, action: str) -> str:
        """Check that the user may use ``table`` of ``database`` for ``action``; NotAvailable says it is not.

        What the user may not browse reads as unknown; an action refused on what they see says so.
        """
        database = self.check_database(database)
        if not self.may(database, table):
            raise unknown_table(table)
        if not self.may(database, table, action):
            raise refused_action(table, action)
        return database

    def pick_database(self, name: object) -> tuple[str | None, str | None]:
        """The database the address names, or the default one with the reason when it names none the user may
        browse; (None, the reason) when the user may browse none."""
        default = self.default_database
        if default is None:
            return None, "No database is available to you."
        try:
            return self.check_database(name or default), None
        except QueryError as error:
            return default, str(error)

    def open(self, database: str, table_name: object, raw_view: object) -> Opened:
        """The table the address names (else the first one) with its view (else the plain table).

        Opening the page and the grid's first block both use this, so they show the same table and view
        whichever of them runs first.
        """
        summaries = self.summaries(database)
        problems = []
        names = [item.name for item in summaries]
        wanted = table_name if table_name in names else None
        if table_name and wanted is None:
            problems.append(f"There is no table or view called {str(table_name)[:60]!r} in {database!r}; "
                            "showing the first one instead.")
        name = wanted or first_table(summaries)
        if name is None:
            return Opened(summaries, None, None, tuple(problems))
        try:
            table, spec = self.view(database, name, raw_view or {})
        except QueryError as error:
            problems.append(f"The view in the address was not applied: {error}")
            table, spec = self.view(database, name, {})
        return Opened(summaries, table, spec, tuple(problems))

    def is_editable(self, database: object, table: object) -> bool:
        """Whether ``table`` is listed as editable in ``database`` and the user may edit it (False for anything
        that is not a name)."""
        if not isinstance(database, str) or not isinstance(table, str):
            return False
        return table in self.settings.editable_tables.get(database, []) and self.may(database, table, "edit")

    def engine(self, database: str) -> Engine:
        """The read-only engine of a configured database, opened on first use in this process.

        Not a check of the user's rights (the background waypoints use it too): callers check first."""
        self._configured(database)
        with self._lock:
            if database not in self._engines:
                self._engines[database] = open_read_only(self.settings.databases[database],
                                                         self.settings.query_timeout_s)
            return self._engines[database]

    def dispose(self) -> None:
        with self._lock:
            if self._background is not None:
                self._background.shutdown(wait=False, cancel_futures=True)
                self._background = None
            self._forget_engines(close=True)
        self.shared.close()

    def reset_after_fork(self) -> None:
        """In a forked child: forget the parent's engines (their pooled connections stay the parent's)."""
        self._lock = threading.Lock()  # another thread of the parent may have held it at the fork
        self._counting = {}  # counts under way in the parent's threads never end here
        self._background = None  # nor does the parent's thread run here
        self._forget_engines(close=False)
        self.shared.reset_after_fork()

    def _forget_engines(self, *, close: bool) -> None:
        for engine in [*self._engines.values(), *self._writers.values()]:
            engine.dispose(close=close)
        self._engines.clear()
        self._writers.clear()

    def _writer(self, database: str) -> Engine:
        """A writable engine, only ever for a database with editable tables."""
        self._configured(database)
        with self._lock:
            if database not in self._writers:
                self._writers[database] = sa.create_engine(self.settings.databases[database], pool_pre_ping=True)
            return self._writers[database]

    def _configured(self, database: object) -> None:
        if not isinstance(database, str) or database not in self.settings.databases:
            raise unknown_database(database, self.database_names)

    def store(self) -> Engine:
        """The app's own store (edit audit): the run store's engine, shared through the workbench."""
        return self._app_store()

    @contextmanager
    def connect(self, database: str, seconds: float | None = None) -> Iterator[Connection]:
        """A read-only connection with the query time limit; errors become DataError or QueryTimeout."""
        limit = self.settings.query_timeout_s if seconds is None else seconds
        try:
            with self.engine(database).connect() as connection, time_limit(connection, limit):
                yield connection
        except DBAPIError as error:
            if is_timeout(error):
                raise QueryTimeout(limit) from None
            raise DataError(_describe(database, error)) from None
        except SQLAlchemyError as error:
            raise DataError(_describe(database, error)) from None

    # ---- schema ----------------------------------------------------------------------------------
    def summaries(self, database: str) -> list[TableSummary]:
        """Tables and views the user may browse, with row counts (cached briefly: counting is not free)."""
        database = self.check_database(database)
        name = self._shared_name("summaries", database)
        cached = self._recall(self._summaries, database, name, _summaries_from)
        if cached:
            found = cached[1]
        else:
            found = self._guarded(database, lambda engine: catalog.summaries(engine))
            self._keep(self._summaries, database, name, found, _summaries_json(found))
        return [item for item in found if self.may(database, item.name)]

    def table(self, database: str, name: object) -> Table:
        """The reflected table or view called ``name``; raise QueryError for an unknown one (or one the user may
        not browse, in the same words)."""
        database = self.check_database(database)
        if not isinstance(name, str) or not name or len(name) > 200:
            raise QueryError("Pick a table from the list.")
        if not self.may(database, name):
            raise unknown_table(name)
        cached = self._tables.get((database, name))
        if cached and time.monotonic() - cached[0] < SCHEMA_TTL_S:
            return cached[1]
        try:
            table = self._guarded(database, lambda engine: catalog.reflect_table(engine, name))
        except SchemaError as error:  # not there: the same answer as for a table the user may not browse
            raise NotAvailable(str(error)) from None
        self._tables[(database, name)] = (time.monotonic(), table)
        return table

    def table_names(self, database: str, action: str = BROWSE) -> list[str]:
        """Names of the tables and views the user may use for ``action``, sorted; from the cached summaries when
        fresh, else without counting."""
        database = self.check_database(database)
        cached = self._recall(self._summaries, database, self._shared_name("summaries", database), _summaries_from)
        if cached:
            names = [item.name for item in cached[1]]
        else:
            tables, views = self._guarded(database, catalog.table_names)
            names = tables + views
        return sorted(self.access.tables(self._viewer(), database, names, action))

    def row_count(self, database: str, table: Table) -> catalog.RowCount:
        return self._guarded(database, lambda engine: catalog.row_count(engine, table))

    def view(self, database: str, table_name: object, raw_view: object) -> tuple[Table, ViewSpec]:
        """The table and the checked view of it; raise QueryError for anything hostile or unknown."""
        table = self.table(database, table_name)
        return table, parse_view(table, raw_view)

    # ---- rows ------------------------------------------------------------------------------------
    def block(self, database: str, table: Table, spec: ViewSpec, start: object, end: object,
              seconds: float | None = None) -> paging.Block:
        """Grid rows [start, end) of the view, stopped after ``seconds`` (the query time limit by default)."""
        if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) \
                or not 0 <= start < end <= start + BLOCK_SIZE_LIMIT or start > MAX_START_ROW:
            raise QueryError("The grid asked for an impossible range of rows.")
        memory = self._keysets_for(database, table, spec)
        with self.connect(database, seconds) as connection:
            block = paging.fetch_block(connection, table, spec, start, end - start, memory, spec.key(database),
                                       self.statements)
        if block.skipped > paging.WAYPOINT_AFTER:
            self._plan_waypoints(database, table, spec)
        return block

    def _plan_waypoints(self, database: str, table: Table, spec: ViewSpec) -> None:
        """Remember places all along the view, in the background, once per view and schema lifetime: a reader
        who jumped deep into it once will jump again (paging.waypoints)."""
        key = spec.key(database)
        with self._lock:
            planned = self._waypoints.get(key)
            if planned is not None and time.monotonic() - planned < SCHEMA_TTL_S:
                return
            if len(self._waypoints) >= COUNT_CACHE_SIZE:
                self._waypoints.clear()
            self._waypoints[key] = time.monotonic()
        if not self.shared.claim(self._shared_name("waypoints", database, spec, table), SCHEMA_TTL_S):
            return  # another process is remembering them, for every process
        with self._lock:
            if self._background is None:
                self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="data-waypoints")
            background = self._background
        background.submit(self._remember_waypoints, database, table, spec, key)

    def _remember_waypoints(self, database: str, table: Table, spec: ViewSpec, key: str) -> None:
        try:
            with self.connect(database, WAYPOINT_SECONDS) as connection:
                found = paging.waypoints(connection, table, spec, paging.WAYPOINT_EVERY)
        except (DataError, QueryTimeout):
            return  # only a shortcut: jumps keep skipping from the nearest place read
        except Exception:  # a thread of its own: nothing else would ever say so
            log.exception("remembering places along %s failed", key)
            return
        self._keysets_for(database, table, spec).remember_many(key, found)

    def _keysets_for(self, database: str, table: Table, spec: ViewSpec) -> paging.KeysetMemory | shared.SharedKeysets:
        """Where the view's positions are remembered: this process's memory, and in the scaled mode also the shared
        store, under a name that holds the database's address, the view and the table's columns."""
        if not self.shared.enabled:
            return self.keysets
        return shared.SharedKeysets(self.keysets, self.shared, self._shared_name("keys", database, spec, table),
                                    self._shared_keyset_hit)

    def _shared_keyset_hit(self) -> None:
        with self._lock:
            self.shared_keyset_hits += 1

    def _shared_name(self, kind: str, database: str, spec: ViewSpec | None = None, table: Table | None = None) -> str:
        """The shared store's name of what is kept about a database (or a view of one of its tables): nothing read
        from one address, view or schema is ever used for another, whatever the database is called."""
        if not self.shared.enabled:
            return ""  # nothing is shared: no need to name it (a grid block asks for its count's name)
        parts: list[object] = [redacted_url(self.settings.databases[database])]
        if spec is not None:
            parts.append(spec.key(database))
        if table is not None:
            parts.append([table.name, table.is_view, table.primary_key, table.has_rowid,
                          [(column.name, column.type_name, column.nullable) for column in table.columns]])
        return f"{kind}:{shared.fingerprint(*parts)}"

    def _recall(self, cache: dict, key: object, name: str, decode: Callable[[object], object] = lambda value: value):
        """(when it was taken, value) of a cached answer younger than SCHEMA_TTL_S: this process's, else the one
        another process shared under ``name`` (kept here from then on); None when there is none."""
        cached = cache.get(key)
        if cached and time.monotonic() - cached[0] < SCHEMA_TTL_S:
            return cached
        found = self.shared.get(name)
        if found is None or found[0] >= SCHEMA_TTL_S:
            return None
        try:
            value = decode(found[1])
        except (TypeError, ValueError):  # not what _keep wrote: nothing shared
            return None
        return _cache_here(cache, key, (time.monotonic() - found[0], value))

    def _keep(self, cache: dict, key: object, name: str, value: object, shared_value: object) -> None:
        """Cache an answer for SCHEMA_TTL_S in this process and, as ``shared_value`` (JSON), for every process."""
        _cache_here(cache, key, (time.monotonic(), value))
        self.shared.put(name, shared_value, SCHEMA_TTL_S)

    def view_count(self, database: str, table: Table, spec: ViewSpec,
                   seconds: float = VIEW_COUNT_SECONDS) -> catalog.RowCount:
        """Rows of the view: the table's count (estimated on big tables) when nothing narrows it, else a COUNT
        stopped after ``seconds`` (``value`` None then). The limits and why they differ: dash_app/data/limits.py."""
        if not self._narrowed(table, spec):
            return self.row_count(database, table)
        try:
            return catalog.RowCount(self._shared_count(database, table, spec, seconds), exact=True)
        except QueryTimeout:
            return catalog.RowCount(None, exact=False)

    def known_count(self, database: str, table: Table, spec: ViewSpec) -> catalog.RowCount | None:
        """The view's row count where it needs no COUNT of the view (:meth:`view_count` when nothing narrows the
        view, or the grid's count while cached), else None: a page that must not wait shows it later."""
        if not self._narrowed(table, spec):
            return self.row_count(database, table)
        cached = self._recall(self._counts, spec.key(database), self._shared_name("count", database, spec, table))
        if cached and cached[1] is not None:
            return catalog.RowCount(cached[1], exact=True)
        return None

    @staticmethod
    def _narrowed(table: Table, spec: ViewSpec) -> bool:
        """Whether counting the view means counting its rows (not the table's cheap count)."""
        return bool(spec.filters or spec.values or spec.search) or table.is_view

    def grid_count(self, database: str, table: Table, spec: ViewSpec) -> int | None:
        """Rows of the view for the grid's scrollbar (:meth:`view_count` under the grid's short limit); None
        when that is too slow. Cached briefly per view."""
        key, name = spec.key(database), self._shared_name("count", database, spec, table)
        cached = self._recall(self._counts, key, name)
        if cached:
            return cached[1]
        value = self.view_count(database, table, spec, GRID_COUNT_SECONDS).value
        self._keep(self._counts, key, name, value, value)
        return value

    def _shared_count(self, database: str, table: Table, spec: ViewSpec, seconds: float) -> int:
        """COUNT the view once however many ask at the same time: the grid's first block and the page's row count
        ask together whenever a view changes, and a second full scan would only slow the first one down.

        A caller that finds a count of the view under way waits for it (up to its own limit) and shares its
        answer; where that count was stopped by a shorter limit than the caller's, the caller counts again.
        """
        key = spec.key(database)
        with self._lock:
            running = self._counting.get(key)
            if running is None:
                mine: Future = Future()
                self._counting[key] = (seconds, mine)
        if running is not None:
            limit, future = running
            try:
                return future.result(timeout=seconds)
            except FutureTimeout:
                raise QueryTimeout(seconds) from None
            except QueryTimeout:
                if limit >= seconds:
                    raise
            return self.count(database, table, spec, seconds=seconds)
        try:  # in the scaled mode, also once however many processes ask (shared.py)
            value = self.shared.once(self._shared_name("count", database, spec, table), seconds,
                                     lambda: self.count(database, table, spec, seconds=seconds), SCHEMA_TTL_S)
        except BaseException as error:
            mine.set_exception(error)
            raise
        else:
            mine.set_result(value)
            return value
        finally:
            with self._lock:
                self._counting.pop(key, None)

    def count(self, database: str, table: Table, spec: ViewSpec, *, cap: int | None = None,
              seconds: float | None = None) -> int:
        with self.connect(database, seconds) as connection:
            return paging.count_rows(connection, table, spec, cap)

    # ---- charts, facets, edits ------------------------------------------------------------------------
    def chart(self, database: str, table: Table, spec: ViewSpec, request: charts.ChartRequest) -> charts.Series:
        self.require(database, table.name, "chart")
        with self.connect(database) as connection:
            return charts.aggregate(connection, table, spec, request)

    def facets(self, database: str, table: Table, spec: ViewSpec, column_name: object) -> list[charts.Facet]:
        column = checked_column(table, column_name)
        if not column.orderable:
            raise QueryError(f"Column {column.name!r} ({column.kind}) has no values to list.")
        with self.connect(database) as connection:
            return charts.facets(connection, table, spec, column)

    def edit(self, database: str, table_name: object, row: object, column: object, old: object, new: object,
             user: str) -> edits.Edit:
        """Apply one cell edit to an editable table; raise EditRefused (or QueryError) with the reason.

        The audit row keeps ``user`` (the editor's display name, a label) and the stable id of the user the
        service acts for (dash_app/identity.py; None standalone). A table the user may not browse or edit is
        refused as read-only, exactly as an unknown one."""
        database = self.check_database(database)
        if not self.is_editable(database, table_name):
            raise edits.read_only(table_name)
        table = self.table(database, table_name)
        edit = edits.check_edit(database, table, row, column, old, new, self.engine(database).dialect.name)
        try:
            user_id = getattr(self._viewer(), "id", None)
            edits.apply_edit(self._writer(database), self.store(), table, edit, user, user_id)
        except DBAPIError as error:
            raise DataError(_describe(database, error)) from None
        return edit

    def _guarded(self, database: str, work: Callable[[Engine], T]) -> T:
        try:
            return work(self.engine(database))
        except DBAPIError as error:
            if is_timeout(error):
                raise QueryTimeout(self.settings.query_timeout_s) from None
            raise DataError(_describe(database, error)) from None
        except SQLAlchemyError as error:
            raise DataError(_describe(database, error)) from None


def first_table(summaries: list[TableSummary]) -> str | None:
    """The table a page without one opens: the first plain table, not a view or an internal one."""
    tables = [item.name for item in summaries if not item.is_view and not item.name.startswith(("demo_", "sqlite_"))]
    return (tables or [item.name for item in summaries] or [None])[0]


def _cache_here(cache: dict, key: object, entry: tuple[float, object]) -> tuple[float, object]:
    """Keep ``entry`` (when it was taken, value) in this process's ``cache``, which never holds more than
    COUNT_CACHE_SIZE answers (full, it starts again empty)."""
    if len(cache) >= COUNT_CACHE_SIZE:
        cache.clear()
    cache[key] = entry
    return entry


def _summaries_json(summaries: list[TableSummary]) -> list:
    return [[item.name, item.is_view, item.count.value, item.count.exact] for item in summaries]


def _summaries_from(shared_value: list) -> list[TableSummary]:
    return [TableSummary(name, is_view, catalog.RowCount(value, exact)) for name, is_view, value, exact in shared_value]


def _describe(database: str, error: SQLAlchemyError) -> str:
    """The user's message for a database error, in plain words; the driver's own is logged for the operator."""
    log.warning("database %r: %s", database, error_reason(error))
    return f"Database {database!r} could not answer: {user_reason(error)}."


__all__ = ["DataService", "DataError", "NotAvailable", "Opened", "QueryError", "QueryTimeout", "first_table"]
