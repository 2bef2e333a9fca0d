"""Opt-in cell edits: one row by primary key, in a transaction, refused if the row changed since it was read.

The grid sends the value it showed (``old``) and the new one. In one transaction on a writable engine
the row is first touched by primary key (taking the row lock, or SQLite's write lock), then read, and
its current value, shown the way the grid shows it, must equal ``old``; only then is the cell updated.
Each accepted edit is recorded in ``data_edit_audit`` in the app's own store (its own MetaData: the
store is shared with other pages' tables), with the editor's stable user id and display name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dash_app.data import cells
from dash_app.data.capacity import refusal
from dash_app.data.catalog import Column, Table
from dash_app.data.query import INT64, QueryError

AUDIT_METADATA = sa.MetaData()
AUDIT = sa.Table(
    "data_edit_audit",
    AUDIT_METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("edited_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_name", sa.String(200), nullable=False),  # the editor's display name: a label only
    # The editor's stable id (dash_app/identity.py; NULL standalone and in rows from before it was kept): added
    # after the first release, to an existing audit table by _create_audit.
    sa.Column("user_id", sa.String(200)),
    sa.Column("database_name", sa.String(64), nullable=False),
    sa.Column("table_name", sa.String(200), nullable=False),
    sa.Column("primary_key", sa.Text, nullable=False),
    sa.Column("column_name", sa.String(200), nullable=False),
    sa.Column("old_value", sa.Text),
    sa.Column("new_value", sa.Text),
)
EDITABLE_KINDS = {"text", "number", "boolean", "date", "datetime"}


class EditRefused(ValueError):
    """The edit was not applied; the message says why, for the user."""


def read_only(table_name: object) -> EditRefused:
    """The refusal of any edit of a table that is not opted in to editing."""
    return EditRefused(f"{str(table_name)[:60]!r} is read-only: its cells cannot be edited. An administrator can "
                       "allow edits of a table with DASH_APP_EDITABLE_TABLES.")


def column_editable(column: Column) -> bool:
    """Whether the grid lets the user edit this column's cells (in a table opted in to editing)."""
    return column.kind in EDITABLE_KINDS and not column.primary_key


@dataclass(frozen=True)
class Edit:
    """A checked edit of one cell."""

    database: str
    table: str
    key: dict  # primary key column -> value as stored
    column: str
    old: object  # as the grid showed it
    new: object  # as it will be stored


def check_edit(database: str, table: Table, row: object, column_name: object, old: object, new: object,
               dialect: str) -> Edit:
    """Validate an edit coming from the grid; raise EditRefused with a message for the user."""
    if not table.primary_key or table.is_view:
        raise EditRefused(f"{table.name!r} has no primary key, so its rows cannot be edited one by one.")
    try:
        column = table.column(column_name)
    except LookupError as error:
        raise EditRefused(str(error)) from None
    if column.primary_key:
        raise EditRefused("Primary key values cannot be edited here.")
    if column.kind not in EDITABLE_KINDS:
        raise EditRefused(f"Column {column.name!r} ({column.kind}) cannot be edited here.")
    if not isinstance(row, dict):
        raise EditRefused("The edited row did not come with its key.")
    key = {}
    for name in table.primary_key:
        key[name] = _stored(table.column(name), row.get(name), dialect, what="key")
    value = _stored(column, new, dialect, what="value")
    if value is None and not column.nullable:
        raise EditRefused(f"Column {column.name!r} cannot be empty.")
    return Edit(database, table.name, key, column.name, old, value)


def _stored(column: Column, value: object, dialect: str, what: str) -> object:
    """A value from the browser as the column stores it."""
    if value is None or (value == "" and column.kind != "text"):
        if what == "key":
            raise EditRefused("The edited row has no primary key value.")
        return None
    try:
        parsed = _parsed(column, value)
    except cells.ValueProblem as error:
        raise EditRefused(f"{column.name}: {error}") from None
    problem = refusal(column, parsed) or _too_precise(column, parsed)  # words that name the column
    if problem:
        raise EditRefused(problem)
    if dialect != "sqlite":
        return parsed
    if column.kind == "number":  # SQLite binds integers of 64 bits: a larger one is stored as its float anyway
        return parsed if isinstance(parsed, int) and -INT64 <= parsed < INT64 else float(parsed)
    if column.kind == "datetime":
        return parsed.isoformat(sep=" ")
    return parsed.isoformat() if column.kind == "date" else parsed


def _too_precise(column: Column, value: object) -> str | None:
    """Why a fixed-point column cannot keep ``value`` as typed: the database would round it away without a word
    (PostgreSQL and MariaDB round to the declared scale; SQLite would keep digits the grid never shows)."""
    if column.decimals is None or not isinstance(value, (int, float, Decimal)) or isinstance(value, bool):
        return None
    typed = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)  # a float's shortest digits
    exponent = typed.normalize().as_tuple().exponent
    if not isinstance(exponent, int) or -exponent <= column.decimals:
        return None
    kept = "whole numbers" if column.decimals == 0 else f"numbers with at most {column.decimals} decimal places"
    return f"Column {column.name!r} ({column.type_name}) holds {kept}: round {format(typed, 'f')} first."


def _parsed(column: Column, value: object) -> object:
    """A value from the browser as a Python value of the column's kind; ValueProblem when it is none."""
    if column.kind == "number":
        return cells.parse_number(value)
    if column.kind == "boolean":
        return cells.parse_bool(value)
    text = cells.parse_text(value)
    if column.kind == "date":
        return cells.parse_day(text)
    if column.kind == "datetime":
        return cells.parse_datetime(text)
    return text


def apply_edit(writer: Engine, store: Engine, table: Table, edit: Edit, user: str, user_id: str | None = None) -> None:
    """Write the edit and its audit row (``user``: the display name, ``user_id``: the stable id); raise EditRefused
    if the row changed or is gone."""
    column = table.column(edit.column)
    # Untyped lightweight columns: values go to the driver exactly as checked (see cells.py).
    plain = sa.table(table.name, *[sa.column(name) for name in {*edit.key, edit.column}])
    target = plain.c[edit.column]
    by_key = sa.and_(*[plain.c[name] == sa.literal(value, sa.types.NullType()) for name, value in edit.key.items()])
    with writer.begin() as connection:
        # Touch the row first: it takes the row lock (SQLite: the write lock) until commit.
        touched = connection.execute(sa.update(plain).where(by_key).values({target: target})).rowcount
        if touched == 0:
            raise EditRefused("This row no longer exists (it was deleted or its key changed). Reload the table.")
        current = connection.execute(sa.select(target).where(by_key)).scalar()
        shown = cells.to_cell(column.kind, current)
        if not _same(shown, edit.old):
            raise EditRefused(
                f"This cell changed since you loaded it (it is now {cells.to_text(column.kind, current)[:80]!r}). "
                "Your edit was not saved; the grid shows the current value."
            )
        connection.execute(sa.update(plain).where(by_key).values({target: sa.literal(edit.new, sa.types.NullType())}))
        _audit(store, edit, (user, user_id), cells.to_text(column.kind, current) if current is not None else None)


def _same(shown: object, old: object) -> bool:
    if shown is None or old is None:
        return shown is None and (old is None or old == "")
    if isinstance(shown, (int, float)) and not isinstance(shown, bool) and isinstance(old, (int, float, str)):
        try:
            return float(shown) == float(old)
        except ValueError:
            return False
    return shown == old or str(shown) == str(old)


def _create_audit(store: Engine) -> None:
    """Create the audit table, or add ``user_id`` to one from before it was kept (nullable: old rows stay)."""
    AUDIT_METADATA.create_all(store, checkfirst=True)
    if "user_id" in {column["name"] for column in sa.inspect(store).get_columns(AUDIT.name)}:
        return
    preparer = store.dialect.identifier_preparer
    kind = AUDIT.c.user_id.type.compile(dialect=store.dialect)
    try:
        with store.begin() as connection:
            connection.execute(sa.text(f"ALTER TABLE {preparer.format_table(AUDIT)} ADD COLUMN user_id {kind}"))
    except sa.exc.DBAPIError:  # another process added it first: fine if it is there now
        if "user_id" not in {column["name"] for column in sa.inspect(store).get_columns(AUDIT.name)}:
            raise


def _audit(store: Engine, edit: Edit, user: tuple[str, str | None], old_text: str | None) -> None:
    _create_audit(store)
    new_text = None if edit.new is None else cells.to_text("text", edit.new)
    name, user_id = user
    with store.begin() as connection:
        connection.execute(AUDIT.insert().values(
            edited_at=datetime.now(timezone.utc),
            user_name=name[:200],
            user_id=user_id,
            database_name=edit.database,
            table_name=edit.table,
            primary_key=json.dumps(edit.key, default=str, sort_keys=True),
            column_name=edit.column,
            old_value=old_text,
            new_value=new_text,
        ))


def audit_rows(store: Engine, limit: int = 50) -> list[dict]:
    """The latest audit rows, newest first."""
    _create_audit(store)
    with store.connect() as connection:
        rows = connection.execute(AUDIT.select().order_by(AUDIT.c.id.desc()).limit(limit)).mappings().all()
    return [dict(row) for row in rows]


__all__ = ["AUDIT", "Edit", "EditRefused", "apply_edit", "audit_rows", "check_edit", "QueryError"]
