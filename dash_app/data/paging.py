"""Blocks of rows for the grid: keyset continuation from the nearest known position, OFFSET for the rest.

The grid asks for rows [start, start + 100). The sort key of the row before a position is remembered
for every block read (its end, and its start when rows were skipped to reach it), per view. A block
seeks past the key remembered nearest below ``start`` and skips only the rows in between: scrolling on
costs the same at any depth, a jump skips from the nearest place anyone has read (or from the top once),
and going back to a place read before is a seek.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from dash_app.data import cells
from dash_app.data.catalog import Table
from dash_app.data.query import ViewSpec
from dash_app.data.sql import bound, raw, where_clause

KEYSET_MEMORY_SIZE = 20_000
# A jump that skips more rows than this starts a background pass that remembers the key before every
# WAYPOINT_EVERY-th row of the view: later jumps anywhere in it skip at most that many rows.
WAYPOINT_AFTER = 200_000
WAYPOINT_EVERY = 20_000
DISPLAY_TEXT_CHARS = cells.GRID_TEXT_LIMIT + 1


@dataclass(frozen=True)
class SortKey:
    """One ORDER BY term: the expression, its direction and whether it can be NULL."""

    expression: ColumnElement
    descending: bool
    nullable: bool


@dataclass(frozen=True)
class Block:
    """Rows for the grid and, when the block reached the end, the total row count."""

    rows: list[dict]
    last_row: int | None
    used_keyset: bool
    skipped: int = 0  # rows the database stepped over to reach the block


class KeysetMemory:
    """A bounded LRU of (view key, row index) -> sort key of the row just before that index."""

    def __init__(self, size: int = KEYSET_MEMORY_SIZE) -> None:
        self._items: OrderedDict[tuple[str, int], tuple] = OrderedDict()
        self._indexes: dict[str, list[int]] = {}  # view key -> its remembered indexes, sorted
        self._size = size
        self._lock = threading.Lock()

    def remember(self, view_key: str, index: int, key: tuple) -> None:
        with self._lock:
            if (view_key, index) not in self._items:
                bisect.insort(self._indexes.setdefault(view_key, []), index)
            self._items[(view_key, index)] = key
            self._items.move_to_end((view_key, index))
            while len(self._items) > self._size:
                (old_view, old_index), _ = self._items.popitem(last=False)
                indexes = self._indexes[old_view]
                del indexes[bisect.bisect_left(indexes, old_index)]
                if not indexes:
                    del self._indexes[old_view]

    def remember_many(self, view_key: str, items: list[tuple[int, tuple]]) -> None:
        for index, key in items:
            self.remember(view_key, index, key)

    def nearest(self, view_key: str, index: int) -> tuple[int, tuple] | None:
        """(remembered index, key) nearest at or below ``index`` for the view, or None."""
        with self._lock:
            indexes = self._indexes.get(view_key)
            below = bisect.bisect_right(indexes, index) - 1 if indexes else -1
            if below < 0:
                return None
            found = indexes[below]
            self._items.move_to_end((view_key, found))
            return found, self._items[(view_key, found)]


def sort_keys(table: Table, spec: ViewSpec) -> list[SortKey]:
    """The requested sort plus a tiebreaker that makes the order total (primary key, rowid, or every column)."""
    keys, seen = [], set()
    for name, direction in spec.sort:
        column = table.column(name)
        keys.append(SortKey(raw(table.sa_table.c[name]), direction == "desc", column.nullable))
        seen.add(name)
    if table.primary_key:
        tiebreak = [(raw(table.sa_table.c[name]), name) for name in table.primary_key]
    elif table.has_rowid:
        tiebreak = [(sa.literal_column("rowid"), "rowid")]
    else:
        tiebreak = [(raw(table.sa_table.c[c.name]), c.name) for c in table.columns if c.orderable]
    for expression, name in tiebreak:
        if name not in seen:
            nullable = name != "rowid" and name not in table.primary_key
            keys.append(SortKey(expression, False, nullable))
    return keys


def order_by(keys: list[SortKey], dialect: str) -> list[ColumnElement]:
    """ORDER BY terms with NULLs first ascending and last descending on every dialect."""
    terms = []
    for key in keys:
        term = key.expression.desc() if key.descending else key.expression.asc()
        if dialect == "postgresql" and key.nullable:  # PostgreSQL's default is the opposite
            term = term.nulls_last() if key.descending else term.nulls_first()
        terms.append(term)
    return terms


def after(keys: list[SortKey], values: tuple) -> ColumnElement:
    """Rows strictly after the row whose sort key is ``values``, in the order of ``keys``.

    ``values`` may hold bound parameters (for a compiled shape) or plain values; None is SQL NULL.
    """
    has_null = any(value is None for value in values)
    if not has_null and all(not key.descending for key in keys):
        return sa.tuple_(*[key.expression for key in keys]) > sa.tuple_(*[_param(v) for v in values])
    if not has_null and all(key.descending and not key.nullable for key in keys):
        return sa.tuple_(*[key.expression for key in keys]) < sa.tuple_(*[_param(v) for v in values])
    alternatives = []
    for position, (key, value) in enumerate(zip(keys, values, strict=True)):
        beyond = _beyond(key, value)
        if beyond is None:
            continue
        equal = [_equal(k, v) for k, v in zip(keys[:position], values[:position], strict=True)]
        alternatives.append(sa.and_(*equal, beyond))
    condition = sa.or_(*alternatives) if alternatives else sa.false()
    first, value = keys[0], values[0]
    if value is not None and not first.descending:  # a range the first key's index can use
        condition = sa.and_(first.expression >= _param(value), condition)
    elif value is not None and not first.nullable:
        condition = sa.and_(first.expression <= _param(value), condition)
    return condition


def _param(value: object) -> ColumnElement:
    return value if isinstance(value, sa.sql.elements.BindParameter) else bound(value)


def _equal(key: SortKey, value: object) -> ColumnElement:
    return key.expression.is_(None) if value is None else key.expression == _param(value)


def _beyond(key: SortKey, value: object) -> ColumnElement | None:
    """Values of one key that come after ``value`` (NULL is the smallest value)."""
    if not key.descending:
        return key.expression.isnot(None) if value is None else key.expression > _param(value)
    if value is None:
        return None  # descending, NULLs come last: nothing comes after a NULL
    below = key.expression < _param(value)
    return (below | key.expression.is_(None)) if key.nullable else below


def display_columns(table: Table) -> list[ColumnElement]:
    """Every column as the grid reads it: raw, with long texts cut in SQL so a block stays small."""
    result = []
    for column in table.columns:
        expression = raw(table.sa_table.c[column.name])
        if column.kind == "text":
            expression = raw(sa.func.substr(table.sa_table.c[column.name], 1, DISPLAY_TEXT_CHARS))
        result.append(expression.label(column.name))
    return result


class StatementCache:
    """Compiled SQL of block queries per view and shape, so scrolling re-runs SQL without rebuilding it.

    Building and compiling a SELECT costs more than running a keyset query on an index (about
    0.5 ms against 0.1 ms), so each distinct shape is compiled once and executed with new parameters.
    """

    def __init__(self, size: int = 2_000) -> None:
        self._items: OrderedDict[tuple, tuple[str, tuple | None, dict]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: tuple, build) -> tuple[str, tuple | None, dict]:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        found = build()
        with self._lock:
            self._items[key] = found
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return found


def _compile(connection: Connection, statement: sa.Select) -> tuple[str, tuple | None, dict]:
    compiled = statement.compile(dialect=connection.dialect)
    positions = tuple(compiled.positiontup) if compiled.positional else None
    return compiled.string, positions, compiled.construct_params()


def _block_statement(table: Table, spec: ViewSpec, dialect: str, mode: str, nulls: tuple) -> sa.Select:
    """The block query of one shape; LIMIT, OFFSET and the keyset position are named parameters."""
    keys = sort_keys(table, spec)
    key_labels = [key.expression.label(f"__wb_k{i}") for i, key in enumerate(keys)]
    statement = sa.select(*display_columns(table), *key_labels).select_from(table.sa_table)
    statement = statement.where(*where_clause(table, spec, dialect))
    statement = statement.order_by(*order_by(keys, dialect)).limit(sa.bindparam("wb_limit", 0, type_=sa.Integer))
    if mode == "keyset":
        placeholders = tuple(None if is_null else sa.bindparam(f"wb_k{i}", None, type_=sa.types.NullType())
                             for i, is_null in enumerate(nulls))
        statement = statement.where(after(keys, placeholders))
    if mode in ("keyset", "offset"):  # rows between the known position (or the top) and the block
        statement = statement.offset(sa.bindparam("wb_offset", 0, type_=sa.Integer))
    return statement


def compiled(connection: Connection, statement: sa.Select) -> tuple[str, tuple | dict]:
    """The statement's SQL for the connection's driver and its parameters in the driver's form."""
    sql, positions, values = _compile(connection, statement)
    return sql, _parameters(positions, values)


def _parameters(positions: tuple | None, values: dict) -> tuple | dict:
    return tuple(values[name] for name in positions) if positions is not None else values


@contextmanager
def driver_cursor(connection: Connection, sql: str, parameters) -> Iterator:
    """A DBAPI cursor that has run compiled SQL: rows come back as the driver's tuples, without SQLAlchemy's
    per-row work; a driver error, also one raised while fetching, becomes SQLAlchemy's DBAPIError as on any
    execute. The cursor is closed when the block ends."""
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, parameters)
        yield cursor
    except connection.dialect.loaded_dbapi.Error as error:
        raise sa.exc.DBAPIError.instance(sql, parameters, error, connection.dialect.loaded_dbapi.Error) from error
    finally:
        cursor.close()


def _run(connection: Connection, sql: str, parameters) -> list[tuple]:
    """Run compiled SQL on the DBAPI cursor: the block query is hot, SQLAlchemy's execution layer is not needed."""
    with driver_cursor(connection, sql, parameters) as cursor:
        return cursor.fetchall()


def fetch_block(
    connection: Connection, table: Table, spec: ViewSpec, start: int, size: int,
    memory: KeysetMemory, view_key: str, statements: StatementCache | None = None,
) -> Block:
    """Rows [start, start + size) of the view as grid rows."""
    # Without a unique tiebreaker, seeking past a row would also skip its exact duplicates: use OFFSET.
    unique_order = bool(table.primary_key) or table.has_rowid
    anchor = memory.nearest(view_key, start) if start > 0 and unique_order else None
    position = anchor[1] if anchor else None
    skip = start - anchor[0] if anchor else start
    # Where rows are skipped, read the one before the block too: its key is where the block starts, so the
    # next request for this block (another reader, or coming back) seeks to it without skipping.
    lead = 1 if skip > 0 else 0
    mode = "keyset" if position is not None else ("offset" if start > 0 else "first")
    nulls = tuple(value is None for value in position) if position is not None else ()
    dialect = connection.dialect.name
    shape = (view_key, table.name, dialect, mode, nulls)
    statements = statements or StatementCache(1)
    sql, positions, fixed = statements.get(
        shape, lambda: _compile(connection, _block_statement(table, spec, dialect, mode, nulls)))
    values = dict(fixed, wb_limit=size + lead, wb_offset=skip - lead)
    if position is not None:
        values.update({f"wb_k{i}": value for i, value in enumerate(position) if value is not None})
    parameters = _parameters(positions, values)
    result = _run(connection, sql, parameters)
    width = len(table.columns)
    places = []  # remembered together: one write where the memory is shared (dash_app/data/shared.py)
    if lead and result:
        places.append((start, tuple(result[0][width:])))
        result = result[1:]
    if result:
        places.append((start + len(result), tuple(result[-1][width:])))
    if places:
        memory.remember_many(view_key, places)
    names = table.names
    converters = [cells.converter(column.kind) for column in table.columns]
    rows = [dict(zip(names, [convert(value) for convert, value in zip(converters, row)])) for row in result]
    last_row = start + len(result) if len(result) < size else None
    return Block(rows, last_row, position is not None, skip)


def waypoints(connection: Connection, table: Table, spec: ViewSpec, every: int) -> list[tuple[int, tuple]]:
    """(index, sort key of the row just before it) at every ``every``-th row of the view, in one pass.

    The keys are read the way a block reads them (the driver's values), so a block can seek past them.
    """
    keys = sort_keys(table, spec)
    dialect = connection.dialect.name
    number = sa.func.row_number().over(order_by=order_by(keys, dialect)).label("wb_rn")
    numbered = (sa.select(*[key.expression.label(f"wb_k{i}") for i, key in enumerate(keys)], number)
                .select_from(table.sa_table).where(*where_clause(table, spec, dialect)).subquery())
    statement = sa.select(numbered).where(numbered.c.wb_rn % every == 0).order_by(numbered.c.wb_rn)
    sql, parameters = compiled(connection, statement)
    return [(int(row[-1]), tuple(row[:-1])) for row in _run(connection, sql, parameters)]


def count_rows(connection: Connection, table: Table, spec: ViewSpec, cap: int | None = None) -> int:
    """Rows in the view; with ``cap``, counting stops at cap (cheap proof that a view is 'too big')."""
    inner = sa.select(sa.literal(1).label("one")).select_from(table.sa_table)
    inner = inner.where(*where_clause(table, spec, connection.dialect.name))
    if cap is not None:
        inner = inner.limit(cap)
    statement = sa.select(sa.func.count()).select_from(inner.subquery())
    return int(connection.execute(statement).scalar_one())


def ordered_select(table: Table, spec: ViewSpec, dialect: str, columns: list[str]) -> sa.Select:
    """All rows of the view with the given columns, in the view's order (for exports)."""
    keys = sort_keys(table, spec)
    selected = [raw(table.sa_table.c[name]).label(name) for name in columns]
    statement = sa.select(*selected).select_from(table.sa_table).where(*where_clause(table, spec, dialect))
    return statement.order_by(*order_by(keys, dialect))
