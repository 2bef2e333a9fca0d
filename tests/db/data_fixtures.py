"""A table with every awkward type, built the same way in SQLite, PostgreSQL and MariaDB for the Data tests."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

ROWS = 240
NAMES = ["Zoë", "Ana", "bob", "Émile", "100% pure", "under_score", "O'Brien", "日本語", "ana", None, "", "Bob"]


def awkward_rows() -> list[dict]:
    """Deterministic rows: NULLs in every nullable column, many duplicate sort values, unicode, big text."""
    rows = []
    for i in range(1, ROWS + 1):
        rows.append({
            "id": i,
            "name": NAMES[i % len(NAMES)],
            "flag": None if i % 11 == 0 else i % 3 == 0,
            "day": None if i % 13 == 0 else date(2024, 1, 1) + timedelta(days=i % 40),
            "moment": None if i % 17 == 0 else datetime(2024, 1, 1, 0, 0, 0) + timedelta(hours=7 * i),
            "amount": None if i % 7 == 0 else Decimal(i % 25) + Decimal("0.99"),
            "ratio": None if i % 19 == 0 else (i % 9) / 4,
            "grp": None if i % 5 == 0 else i % 4,
            "doc": None if i % 6 == 0 else {"i": i, "tags": ["a", "ü"]},
            "body": ("lorem ipsum " * 400 + str(i)) if i % 50 == 0 else f"row {i}",
            "blob": None if i % 4 == 0 else bytes([i % 256, 0, 255]) * 3,
        })
    return rows


def awkward_table(metadata: sa.MetaData, name: str) -> sa.Table:
    return sa.Table(
        name, metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(100)),
        sa.Column("flag", sa.Boolean),
        sa.Column("day", sa.Date),
        sa.Column("moment", sa.DateTime),
        sa.Column("amount", sa.Numeric(10, 2)),
        sa.Column("ratio", sa.Float),
        sa.Column("grp", sa.Integer, index=True),
        sa.Column("doc", sa.JSON(none_as_null=True)),
        sa.Column("body", sa.Text),
        sa.Column("blob", sa.LargeBinary),
        mysql_charset="utf8mb4",  # the server's default may be latin1: unicode names must fit
    )


NARROW_ROWS = [{"id": 1, "label": "Zoë", "note": "日本語 ok", "wide": "😀 smile"},
               {"id": 2, "label": "plain", "note": None, "wide": "no emoji"},
               {"id": 3, "label": "O'Brien", "note": "ascii", "wide": None}]


def narrow_table(metadata: sa.MetaData, name: str) -> sa.Table:
    """MariaDB only: a table whose character set is utf8mb3 (no emoji, as many older schemas), beside one wide
    column that holds any text."""
    return sa.Table(
        name, metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("label", sa.String(40)),
        sa.Column("note", sa.Text),
        sa.Column("wide", sa.String(40, collation="utf8mb4_general_ci")),
        mysql_charset="utf8mb3",
    )


def narrow_name(table: str) -> str:
    """The utf8mb3 table created beside the awkward table ``table`` on MariaDB."""
    return "wb_mb3_" + table.rsplit("_", 1)[-1]


def create_awkward(url: str) -> tuple[str, str]:
    """Create the table (and a child table with a foreign key to it; on MariaDB also the utf8mb3 table of
    :func:`narrow_table`); return (table, child) names."""
    suffix = uuid.uuid4().hex[:8]
    name, child = f"wb_awk_{suffix}", f"wb_child_{suffix}"
    metadata = sa.MetaData()
    table = awkward_table(metadata, name)
    children = sa.Table(child, metadata, sa.Column("id", sa.Integer, primary_key=True),
                        sa.Column("awk_id", sa.Integer, sa.ForeignKey(f"{name}.id")), mysql_charset="utf8mb4")
    engine = sa.create_engine(url)
    narrow = narrow_table(metadata, narrow_name(name)) if engine.dialect.name in ("mysql", "mariadb") else None
    try:
        metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(table.insert(), awkward_rows())
            if narrow is not None:
                connection.execute(narrow.insert(), NARROW_ROWS)
            connection.execute(children.insert(), [{"id": i, "awk_id": i * 3} for i in range(1, 21)])
            connection.execute(sa.text(f"CREATE VIEW wb_view_{suffix} AS SELECT id, name, grp FROM {name}"))
    finally:
        engine.dispose()
    return name, child


def drop_tables(url: str, *names: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            suffix = names[-1].rsplit("_", 1)[-1]
            connection.execute(sa.text(f"DROP VIEW IF EXISTS wb_view_{suffix}"))
            for name in [*names, f"wb_mb3_{suffix}"]:
                connection.execute(sa.text(f'DROP TABLE IF EXISTS {engine.dialect.identifier_preparer.quote(name)}'))
    finally:
        engine.dispose()


def checksum(url: str, name: str) -> str:
    """A hash of every row of the table, to show nothing changed."""
    engine = sa.create_engine(url)
    try:
        table = sa.Table(name, sa.MetaData(), autoload_with=engine)
        with engine.connect() as connection:
            rows = connection.execute(sa.select(table).order_by(table.c.id)).all()
    finally:
        engine.dispose()
    return hashlib.sha256(json.dumps([list(row) for row in rows], default=str).encode()).hexdigest()


def checksums(url: str, table: str) -> dict[str, str]:
    """:func:`checksum` of every table made with the awkward table ``table`` (its child, the utf8mb3 one)."""
    suffix = table.rsplit("_", 1)[-1]
    engine = sa.create_engine(url)
    try:
        names = [name for name in sa.inspect(engine).get_table_names() if name.endswith(suffix)]
    finally:
        engine.dispose()
    return {name: checksum(url, name) for name in sorted(names)}


def component(layout, component_id):
    """The component with ``component_id`` in a layout as Dash sends it (JSON), or None."""
    if isinstance(layout, list):
        return next((found for item in layout if (found := component(item, component_id)) is not None), None)
    if not isinstance(layout, dict) or "props" not in layout:
        return None
    if layout["props"].get("id") == component_id:
        return layout
    return component(layout["props"].get("children"), component_id)
