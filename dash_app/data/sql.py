"""A checked view (dash_app/data/query.py) as SQLAlchemy Core WHERE terms, with bound parameters only.

Values are converted to the column's kind and bound, never pasted into SQL. Rows are always ordered by the
requested sort plus the primary key (or SQLite's rowid) so that blocks never skip or repeat rows
(paging.py); NULLs sort first ascending and last descending on every dialect (PostgreSQL is told so
explicitly; SQLite and MySQL do it natively and keep their indexes).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from dash_app.data import cells
from dash_app.data.catalog import Column, Table
from dash_app.data.engines import SQLITE_LOWER
from dash_app.data.query import INT64, QueryError, ViewSpec, searched_columns, ticked_value

LIKE_ESCAPE = "/"


def raw(expression: ColumnElement) -> ColumnElement:
    """The expression typed so that values pass to and from the driver unconverted (see cells.py)."""
    return sa.type_coerce(expression, sa.types.NullType())


def bound(value: object) -> ColumnElement:
    """A bound parameter passed to the driver as is."""
    return sa.literal(value, sa.types.NullType())


def where_clause(table: Table, spec: ViewSpec, dialect: str) -> list[ColumnElement]:
    """The WHERE terms of the view (ANDed)."""
    terms = []
    for name, model in (spec.filters or {}).items():
        column = table.column(name)
        conditions = model.get("conditions", [model])
        parts = [_condition_sql(table, column, condition, dialect) for condition in conditions]
        terms.append(sa.or_(*parts) if model.get("operator") == "OR" else sa.and_(*parts))
    for name, values in (spec.values or {}).items():
        terms.append(_ticked_sql(table, table.column(name), values, dialect))
    if spec.search:
        terms.append(_search_sql(table, spec.search, dialect))
    return terms


def _col(table: Table, column: Column) -> ColumnElement:
    return raw(table.sa_table.c[column.name])


def _condition_sql(table: Table, column: Column, condition: dict, dialect: str) -> ColumnElement:
    col = _col(table, column)
    operation = condition["type"]
    blank = col.is_(None) | (col == bound("")) if column.kind == "text" else col.is_(None)
    if operation == "blank":
        return blank
    if operation == "notBlank":
        return ~blank
    if condition["filterType"] == "text":
        return _text_sql(col, operation, condition["filter"], dialect)
    if condition["filterType"] == "number":
        return _number_sql(col, column, operation, condition, dialect)
    return _date_sql(col, operation, condition, dialect)


def _like_pattern(text: str, before: str, after: str) -> str:
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return f"{before}{escaped}{after}"


def _like(col: ColumnElement, pattern: str, dialect: str) -> ColumnElement:
    """``col`` matches the LIKE ``pattern`` whatever the case of its letters, on every dialect.

    SQLite's lower() and LIKE fold ASCII letters only, so a pattern with other letters compares the Unicode
    lowercase of both sides (the function dash_app/data/engines.py gives each connection); an ASCII pattern
    keeps SQLite's own, faster, folding, which is right for it.
    """
    if dialect == "sqlite" and not pattern.isascii():
        return getattr(sa.func, SQLITE_LOWER)(col).like(bound(pattern.lower()), escape=LIKE_ESCAPE)
    return col.ilike(bound(pattern), escape=LIKE_ESCAPE)


def _text_sql(col: ColumnElement, operation: str, text: str, dialect: str) -> ColumnElement:
    if operation == "equals":
        return col == bound(text)
    if operation == "notEqual":
        return (col != bound(text)) | col.is_(None)
    patterns = {"contains": ("%", "%"), "notContains": ("%", "%"), "startsWith": ("", "%"), "endsWith": ("%", "")}
    before, after = patterns[operation]
    matches = _like(col, _like_pattern(text, before, after), dialect)
    return (~matches | col.is_(None)) if operation == "notContains" else matches


def _number_value(column: Column, value: int | float, dialect: str) -> object:
    """Bind exact decimals to DECIMAL columns (so PostgreSQL keeps its index); SQLite takes floats, and integers
    of at most 64 bits (a larger one is compared as the float SQLite would store it as; an INTEGER column
    refused it already, dash_app/data/capacity.py)."""
    if dialect != "sqlite" and column.type_name.startswith(("NUMERIC", "DECIMAL")) and not isinstance(value, int):
        return Decimal(repr(value))
    if dialect == "sqlite" and isinstance(value, int) and not -INT64 <= value < INT64:
        return float(value)
    return value


def _number_sql(col: ColumnElement, column: Column, operation: str, condition: dict, dialect: str) -> ColumnElement:
    value = bound(_number_value(column, condition["filter"], dialect))
    comparisons = {
        "equals": lambda: col == value,
        "notEqual": lambda: (col != value) | col.is_(None),
        "lessThan": lambda: col < value,
        "lessThanOrEqual": lambda: col <= value,
        "greaterThan": lambda: col > value,
        "greaterThanOrEqual": lambda: col >= value,
        "inRange": lambda: col.between(value, bound(_number_value(column, condition["filterTo"], dialect))),
    }
    return comparisons[operation]()


def _day(day: date, dialect: str) -> ColumnElement:
    """A day boundary: ISO text on SQLite (dates are stored as text there), a date elsewhere."""
    return bound(day.isoformat() if dialect == "sqlite" else day)


def _date_sql(col: ColumnElement, operation: str, condition: dict, dialect: str) -> ColumnElement:
    """Date filters work on whole days, for DATE and TIMESTAMP columns alike: equals is [day, day + 1)."""
    first = date.fromisoformat(condition["dateFrom"])
    start, end = _day(first, dialect), _after(col, first, dialect)
    if operation == "equals":
        return (col >= start) & ~end
    if operation == "notEqual":
        return (col < start) | end | col.is_(None)
    if operation == "lessThan":
        return col < start
    if operation == "greaterThan":
        return end
    last = date.fromisoformat(condition["dateTo"])
    low, high = min(first, last), max(first, last)
    return (col >= _day(low, dialect)) & ~_after(col, high, dialect)


def _after(col: ColumnElement, day: date, dialect: str) -> ColumnElement:
    """Values after the whole ``day``: from the next day on; nothing after the calendar's last day (9999-12-31)."""
    if day == date.max:
        return sa.false()
    return col >= _day(day + timedelta(days=1), dialect)


def _bind_value(column: Column, value: object, dialect: str) -> object:
    """A ticked value converted to what the column stores."""
    checked = ticked_value(column, value)
    if checked is None:
        return None
    if column.kind == "number":
        return _number_value(column, checked, dialect)
    if column.kind == "boolean":
        return checked if dialect == "postgresql" else int(checked)
    if column.kind in ("date", "datetime") and dialect != "sqlite":
        return cells.parse_datetime(checked) if column.kind == "datetime" else cells.parse_day(checked)
    return checked


def _ticked_sql(table: Table, column: Column, values: list, dialect: str) -> ColumnElement:
    col = _col(table, column)
    present = [_bind_value(column, value, dialect) for value in values if value is not None]
    terms = [col.in_([bound(value) for value in present])] if present else []
    if any(value is None for value in values):
        terms.append(col.is_(None))
    return sa.or_(*terms)


def _search_sql(table: Table, text: str, dialect: str) -> ColumnElement:
    if not any(column.kind == "text" for column in table.columns):
        raise QueryError(f"{table.name!r} has no text columns to search.")
    texts = searched_columns(table, text)  # parse_view refused a text that none of them can hold
    pattern = _like_pattern(text, "%", "%")
    return sa.or_(*[_like(_col(table, column), pattern, dialect) for column in texts])
