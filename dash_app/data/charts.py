"""Aggregations for charts and facets, in SQL over the filtered view (GROUP BY), never in Python.

Date buckets differ per dialect: ``strftime`` on SQLite, ``date_trunc`` on PostgreSQL,
``DATE_FORMAT``/``WEEKDAY`` arithmetic on MySQL/MariaDB. Results are capped: a chart of more groups
than :data:`MAX_GROUPS` is not readable anyway, and the caller says that it was cut.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from dash_app.data import cells
from dash_app.data.catalog import Column, Table
from dash_app.data.query import QueryError, ViewSpec, checked_column
from dash_app.data.sql import raw, where_clause

AGGREGATES = ("count", "sum", "mean", "min", "max")
BUCKETS = ("day", "week", "month", "quarter", "year")
MAX_GROUPS = 500
FACET_LIMIT = 30


@dataclass(frozen=True)
class ChartRequest:
    """A checked chart: group rows by ``x`` (or its date bucket) and aggregate ``y``."""

    x: str
    y: str | None
    aggregate: str
    bucket: str | None


@dataclass(frozen=True)
class Series:
    """Aggregated points in x order (or by value for categories) and whether groups were cut."""

    x: list
    y: list
    truncated: bool
    x_is_date: bool


def check_chart(table: Table, x: object, y: object, aggregate: object, bucket: object) -> ChartRequest:
    """Validate the chart controls against the table; raise QueryError."""
    if aggregate not in AGGREGATES:
        raise QueryError(f"Pick an aggregate: {', '.join(AGGREGATES)}.")
    x_column = checked_column(table, x)
    if not x_column.orderable:
        raise QueryError(f"Column {x_column.name!r} ({x_column.kind}) cannot be grouped.")
    y_name = None
    if aggregate != "count":
        y_column = checked_column(table, y)
        if y_column.kind != "number" and aggregate in ("sum", "mean"):
            raise QueryError(f"{aggregate} needs a numeric column; {y_column.name!r} is {y_column.kind}.")
        if not y_column.orderable:
            raise QueryError(f"Column {y_column.name!r} cannot be aggregated.")
        y_name = y_column.name
    if bucket in ("", "none"):
        bucket = None
    if bucket is not None:
        if bucket not in BUCKETS:
            raise QueryError(f"Pick a date bucket: {', '.join(BUCKETS)}.")
        if x_column.kind not in ("date", "datetime"):
            raise QueryError(f"Date buckets need a date column; {x_column.name!r} is {x_column.kind}.")
    return ChartRequest(x_column.name, y_name, aggregate, bucket)


def bucket_expression(expression: ColumnElement, bucket: str, dialect: str) -> ColumnElement:
    """The first day of the bucket containing each value, as text 'YYYY-MM-DD' (or a date)."""
    if dialect == "sqlite":
        formats = {"day": "%Y-%m-%d", "month": "%Y-%m-01", "year": "%Y-01-01"}
        if bucket in formats:
            return sa.func.strftime(formats[bucket], expression)
        if bucket == "week":  # Monday of the week
            return sa.func.date(expression, "weekday 0", "-6 days")
        month = sa.cast(sa.func.strftime("%m", expression), sa.Integer)
        first_month = ((month - 1) // 3) * 3 + 1  # floor division: SQLAlchemy's / is true division
        quarter = sa.func.printf("%s-%02d-01", sa.func.strftime("%Y", expression), first_month)
        return sa.case((expression.is_(None), None), else_=quarter)  # printf would turn NULL into "-00-01"
    if dialect == "postgresql":
        return sa.cast(sa.func.date_trunc(bucket, expression), sa.Date)
    if bucket == "day":
        return sa.func.date(expression)
    if bucket == "week":  # Monday of the week
        return sa.func.subdate(sa.func.date(expression), sa.func.weekday(expression))
    if bucket == "month":
        return sa.func.date_format(expression, "%Y-%m-01")
    if bucket == "year":
        return sa.func.date_format(expression, "%Y-01-01")
    first_month = (sa.func.quarter(expression) - 1) * 3 + 1
    return sa.func.concat(sa.func.year(expression), "-", sa.func.lpad(first_month, 2, "0"), "-01")


def _aggregate(request: ChartRequest, table: Table) -> ColumnElement:
    if request.aggregate == "count":
        return sa.func.count()
    column = table.sa_table.c[request.y]
    target = raw(column)
    function = {"sum": sa.func.sum, "mean": sa.func.avg, "min": sa.func.min, "max": sa.func.max}[request.aggregate]
    return function(target)


def aggregate(connection: Connection, table: Table, spec: ViewSpec, request: ChartRequest) -> Series:
    """Group the filtered view and aggregate; date buckets in date order, categories by value."""
    dialect = connection.dialect.name
    x_column = table.column(request.x)
    x_expression = raw(table.sa_table.c[request.x])
    if request.bucket:
        x_expression = bucket_expression(x_expression, request.bucket, dialect)
    x_label, y_label = x_expression.label("x"), _aggregate(request, table).label("y")
    statement = sa.select(x_label, y_label).select_from(table.sa_table)
    statement = statement.where(*where_clause(table, spec, dialect)).group_by(x_expression)
    dated = bool(request.bucket) or x_column.kind in ("date", "datetime")
    ordering = x_expression.asc() if dated else sa.desc("y")
    if dated and dialect == "postgresql":  # blanks first, as on the other dialects
        ordering = ordering.nulls_first()
    statement = statement.order_by(ordering).limit(MAX_GROUPS + 1)
    rows = connection.execute(statement).all()
    truncated = len(rows) > MAX_GROUPS
    rows = rows[:MAX_GROUPS]
    x_kind = "text" if request.bucket else x_column.kind
    xs = [cells.to_cell(x_kind, row[0]) if row[0] is not None else "(blank)" for row in rows]
    y_kind = "number" if request.aggregate in ("count", "sum", "mean") else table.column(request.y).kind
    ys = [_number(cells.to_cell(y_kind, row[1])) for row in rows]
    return Series(xs, ys, truncated, dated)


def _number(value: object) -> object:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


@dataclass(frozen=True)
class Facet:
    """Most frequent values of one column in the view, with counts; ``value`` is what a filter takes."""

    value: object
    label: str
    count: int


def facets(connection: Connection, table: Table, spec: ViewSpec, column: Column, limit: int = FACET_LIMIT) -> list[Facet]:
    """The column's most frequent values in the view (its own ticked values left out), with counts."""
    others = dict(spec.values or {})
    others.pop(column.name, None)
    spec_without = ViewSpec(spec.table, spec.sort, spec.filters, others or None, spec.search, spec.columns)
    dialect = connection.dialect.name
    expression = raw(table.sa_table.c[column.name])
    statement = sa.select(expression.label("value"), sa.func.count().label("n")).select_from(table.sa_table)
    statement = statement.where(*where_clause(table, spec_without, dialect)).group_by(expression)
    statement = statement.order_by(sa.desc("n"), expression).limit(limit)
    found = []
    for value, count in connection.execute(statement).all():
        cell = cells.to_cell(column.kind, value)
        label = cells.shown_text(cell, column.decimals) if column.decimals is not None else \
            "(blank)" if value is None else cells.to_text(column.kind, value)
        found.append(Facet(cell, label, int(count)))
    return found
