"""What the form may offer for table training: the tables of a configured database and their columns.

Read from the reflected schema through a read-only engine, so the choices the page offers are the
ones the job will accept (the job checks them again: a browser can send anything).
"""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from dash_app.data.engines import DatabaseUnavailable, error_reason, open_read_only
from dash_app.jobs.datasets import DataError
from dash_app.jobs.tables import is_numeric_type, table_columns


class SourceError(RuntimeError):
    """The database or table cannot be read; the message says why, without any password."""


def table_names(url: str) -> list[str]:
    """Tables and views of the database, sorted."""
    engine = _engine(url)
    try:
        inspector = sa.inspect(engine)
        return sorted(inspector.get_table_names() + inspector.get_view_names())
    except (SQLAlchemyError, sqlite3.Error) as error:
        raise SourceError(_reason(error)) from None
    finally:
        engine.dispose()


def column_choices(url: str, table: str) -> tuple[list[str], list[str]]:
    """(numeric columns, every column) of ``table``, in table order."""
    engine = _engine(url)
    try:
        columns = table_columns(engine, table)
    except DataError as error:
        raise SourceError(str(error)) from None
    except (SQLAlchemyError, sqlite3.Error) as error:
        raise SourceError(_reason(error)) from None
    finally:
        engine.dispose()
    numeric = [column["name"] for column in columns if is_numeric_type(column["type"])]
    return numeric, [column["name"] for column in columns]


def _engine(url: str) -> sa.Engine:
    try:
        return open_read_only(url)
    except DatabaseUnavailable as error:
        raise SourceError(str(error)) from None


def _reason(error: Exception) -> str:
    return f"The database cannot be read: {error_reason(error)}"
