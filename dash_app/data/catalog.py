"""Schema reflection of the browsed databases: tables, views, typed columns, keys, indexes and row counts.

Every name that later reaches SQL (table, column) is checked against what is reflected here, so this
is the whitelist the query builder trusts. Row counts are exact only where that is cheap; elsewhere the
engine's own estimate is used and marked approximate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.type_api import TypeEngine

from dash_app.data.capacity import ANY, Capacity, capacity_of
from dash_app.data.limits import TABLE_COUNT_SECONDS, time_limit

# Above this estimate an exact COUNT(*) is not worth its scan; the estimate is shown as "≈".
EXACT_COUNT_LIMIT = 1_000_000
SAMPLE_SECONDS = 2.0  # reading one value of each untyped SQLite view column, to tell its kind

# What the grid, filters and exports do with a column depends only on its kind.
KINDS = ("text", "number", "boolean", "date", "datetime", "json", "binary", "other")
FILTERABLE_KINDS = {"text", "number", "date", "datetime"}
UNORDERABLE_KINDS = {"json", "binary"}
FIXED_POINT = re.compile(r"(?:NUMERIC|DECIMAL)\s*\(\s*\d+\s*,\s*(\d+)\s*\)", re.IGNORECASE)
MAX_SHOWN_DECIMALS = 20


class SchemaError(LookupError):
    """A table or column name is not in the reflected schema; the message is for the user."""


@dataclass(frozen=True)
class ForeignKey:
    """The table and column a column refers to."""

    table: str
    column: str


@dataclass(frozen=True)
class Column:
    """One column as the page presents it."""

    name: str
    type_name: str
    kind: str
    nullable: bool
    primary_key: bool = False
    foreign_key: ForeignKey | None = None
    capacity: Capacity = field(default=ANY, compare=False)  # what it holds on its engine (capacity.py)

    @property
    def orderable(self) -> bool:
        return self.kind not in UNORDERABLE_KINDS

    @property
    def filterable(self) -> bool:
        return self.kind in FILTERABLE_KINDS

    @property
    def decimals(self) -> int | None:
        """The digits after the point a fixed-point column declares (NUMERIC(10, 2): 2), which every value of it
        is shown with (146.40 beside 388.43, as the database holds it); None for any other column."""
        match = FIXED_POINT.fullmatch(self.type_name.strip()) if self.kind == "number" else None
        return min(int(match.group(1)), MAX_SHOWN_DECIMALS) if match else None

    @property
    def numeric(self) -> bool:
        """Whether it holds numbers (kind "number"): the columns Training offers and accepts as features."""
        return self.kind == "number"


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]
    unique: bool


@dataclass(frozen=True)
class Table:
    """A reflected table or view: its columns, keys and the SQLAlchemy Table queries are built on."""

    name: str
    is_view: bool
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    indexes: tuple[Index, ...]
    has_rowid: bool  # SQLite rowid table: rowid is the tiebreaker when there is no primary key
    sa_table: sa.Table = field(compare=False, repr=False)

    def column(self, name: object) -> Column:
        """The column called ``name``; raise SchemaError for any other value."""
        for column in self.columns:
            if column.name == name:
                return column
        shown = str(name)[:60]
        msg = f"Column {shown!r} does not exist in {self.name!r}."
        raise SchemaError(msg)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


@dataclass(frozen=True)
class RowCount:
    """A row count and whether it is exact; ``value`` is None when it could not be had in time."""

    value: int | None
    exact: bool


@dataclass(frozen=True)
class TableSummary:
    name: str
    is_view: bool
    count: RowCount


def visible_references(table: Table, visible: set[str]) -> Table:
    """The table without the foreign keys that point at tables outside ``visible`` (what the user may browse)."""
    if all(column.foreign_key is None or column.foreign_key.table in visible for column in table.columns):
        return table
    columns = tuple(column if column.foreign_key is None or column.foreign_key.table in visible
                    else replace(column, foreign_key=None) for column in table.columns)
    return replace(table, columns=columns)


def table_names(engine: Engine) -> tuple[list[str], list[str]]:
    """Names of the tables and of the views of the default schema, sorted."""
    inspector = sa.inspect(engine)
    return sorted(inspector.get_table_names()), sorted(inspector.get_view_names())


def reflect_table(engine: Engine, name: str) -> Table:
    """Reflect one table or view by a name the user sent; raise SchemaError if there is no such thing."""
    tables, views = table_names(engine)
    if name not in tables and name not in views:
        msg = f"There is no table or view called {str(name)[:60]!r} in this database."
        raise SchemaError(msg)
    inspector = sa.inspect(engine)
    sa_table = sa.Table(name, sa.MetaData(), autoload_with=engine)
    is_view = name in views
    foreign = _foreign_keys(inspector, name) if not is_view else {}
    primary = tuple(column.name for column in sa_table.primary_key.columns)
    kinds = _sampled_kinds(engine, sa_table) if engine.dialect.name == "sqlite" else {}
    charsets = _mysql_charsets(engine, name) if engine.dialect.name in ("mysql", "mariadb") else {}
    columns = tuple(
        Column(
            name=column.name,
            type_name=_type_name(column.type),
            kind=kinds.get(column.name) or column_kind(column.type),
            nullable=bool(column.nullable) and column.name not in primary,
            primary_key=column.name in primary,
            foreign_key=foreign.get(column.name),
            capacity=capacity_of(column.type, engine.dialect.name, charsets.get(column.name)),
        )
        for column in sa_table.columns
    )
    indexes = () if is_view else tuple(
        Index(item["name"] or "", tuple(c for c in item["column_names"] if c), bool(item.get("unique")))
        for item in inspector.get_indexes(name)
    )
    has_rowid = engine.dialect.name == "sqlite" and not is_view and _sqlite_has_rowid(engine, name)
    return Table(name, is_view, columns, primary, indexes, has_rowid, sa_table)


def column_kind(type_: TypeEngine) -> str:
    """What kind of values a column type holds, as far as browsing is concerned."""
    if isinstance(type_, sa.Boolean) or (type(type_).__name__ == "TINYINT" and getattr(type_, "display_width", None) == 1):
        return "boolean"
    if isinstance(type_, sa.DateTime):
        return "datetime"
    if isinstance(type_, sa.Date):
        return "date"
    if isinstance(type_, (sa.Integer, sa.Numeric, sa.Float, sa.Double)):
        return "number"
    if isinstance(type_, sa.JSON):
        return "json"
    if isinstance(type_, (sa.LargeBinary, sa.types._Binary)):
        return "binary"
    if isinstance(type_, sa.String):
        return "text"
    return "other"


def _type_name(type_: TypeEngine) -> str:
    try:
        return str(type_.compile())
    except sa.exc.CompileError:  # dialect-specific types without a generic spelling
        return type(type_).__name__.upper()


def _foreign_keys(inspector, name: str) -> dict[str, ForeignKey]:
    found = {}
    for key in inspector.get_foreign_keys(name):
        if len(key["constrained_columns"]) == 1 and key.get("referred_table"):
            found[key["constrained_columns"][0]] = ForeignKey(key["referred_table"], key["referred_columns"][0])
    return found


def _mysql_charsets(engine: Engine, name: str) -> dict[str, str]:
    """The character set of each text column of a MySQL/MariaDB table (reflection omits the table's default)."""
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "select column_name, character_set_name from information_schema.columns "
            "where table_schema = database() and table_name = :name and character_set_name is not null"),
            {"name": name}).all()
    return {column: charset for column, charset in rows}


def _sampled_kinds(engine: Engine, sa_table: sa.Table) -> dict[str, str]:
    """Kinds of SQLite columns declared without a type (view expressions), from one non-NULL value each."""
    untyped = [column for column in sa_table.columns if isinstance(column.type, sa.types.NullType)]
    kinds = {}
    with engine.connect() as connection, time_limit(connection, SAMPLE_SECONDS):
        for column in untyped:
            try:
                value = connection.execute(
                    sa.select(column).where(column.isnot(None)).limit(1)
                ).scalar()
            except sa.exc.OperationalError:  # too slow to sample: leave it as "other"
                continue
            kinds[column.name] = {int: "number", float: "number", str: "text", bytes: "binary"}.get(type(value), "other")
    return kinds


def _sqlite_has_rowid(engine: Engine, name: str) -> bool:
    with engine.connect() as connection:
        sql = connection.execute(
            sa.text("select sql from sqlite_master where type = 'table' and name = :name"), {"name": name}
        ).scalar()
    return "WITHOUT ROWID" not in (sql or "").upper()


def row_count(engine: Engine, table: Table) -> RowCount:
    """The table's row count: exact when cheap, else the engine's estimate; None if neither comes in time."""
    with engine.connect() as connection:
        estimate = None if table.is_view else _estimate(connection, table)
        if estimate is not None and estimate > EXACT_COUNT_LIMIT:
            return RowCount(estimate, exact=False)
        if table.is_view:
            return RowCount(None, exact=False)  # counting a view runs the whole view
        try:
            with time_limit(connection, TABLE_COUNT_SECONDS):
                exact = connection.execute(sa.select(sa.func.count()).select_from(table.sa_table)).scalar_one()
        except sa.exc.DBAPIError:  # stopped by the time limit: show the estimate instead
            connection.rollback()
            return RowCount(estimate, exact=False)
    return RowCount(int(exact), exact=True)


def _estimate(connection: Connection, table: Table) -> int | None:
    dialect = connection.dialect.name
    if dialect == "sqlite":
        if not table.has_rowid:
            return None
        return int(connection.execute(sa.select(sa.func.max(sa.literal_column("rowid"))).select_from(table.sa_table)).scalar() or 0)
    if dialect == "postgresql":
        value = connection.execute(
            sa.text("select reltuples::bigint from pg_class where oid = to_regclass(:name)"),
            {"name": '"' + table.name.replace('"', '""') + '"'},
        ).scalar()
        return int(value) if value is not None and value >= 0 else None
    value = connection.execute(
        sa.text("select table_rows from information_schema.tables where table_schema = database() and table_name = :name"),
        {"name": table.name},
    ).scalar()
    return int(value) if value is not None else None


def summaries(engine: Engine) -> list[TableSummary]:
    """Every table and view with its row count (views are not counted: that would run them)."""
    tables, views = table_names(engine)
    result = []
    for name in tables:
        table = reflect_table(engine, name)
        result.append(TableSummary(name, False, row_count(engine, table)))
    result.extend(TableSummary(name, True, RowCount(None, exact=False)) for name in views)
    return result
