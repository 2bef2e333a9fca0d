"""The demo database: real SQLite files built in tmp_path, checked the way a user browsing them would."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

import pytest

from dash_app.demo import (
    CHUNK_ROWS,
    FIRST_DAY,
    LAST_DAY,
    DemoSummary,
    build_demo_database,
    demo_order_lines,
    ensure_demo_database,
)

SMALL = 5_000
TINY = 1_000
DATA_TABLES = ("customers", "products", "orders", "order_lines")
TABLES = (*DATA_TABLES, "demo_meta")
INDEXED = {
    ("orders", "customer_id"), ("orders", "ordered_at"), ("orders", "status"), ("order_lines", "order_id"),
    ("order_lines", "product_id"), ("customers", "country"), ("products", "category"),
}
NULLABLE = {
    "customers": ("email", "phone", "company"),
    "products": ("description",),
    "orders": ("shipped_at", "discount", "notes"),
    "order_lines": ("discount_pct",),
}
REQUIRED = {
    "customers": ("id", "name", "city", "country", "segment", "signup_date", "is_active", "lifetime_value"),
    "products": ("id", "sku", "name", "category", "unit_price", "cost", "discontinued", "launched_on"),
    "orders": ("id", "customer_id", "ordered_at", "status", "channel", "ship_country"),
    "order_lines": ("id", "order_id", "product_id", "quantity", "unit_price", "line_total"),
}


class Stop(Exception):
    """Raised by a progress callback to interrupt a build."""


def connect(path: Path) -> closing[sqlite3.Connection]:
    return closing(sqlite3.connect(path))


def scalar(path: Path, sql: str):
    with connect(path) as conn:
        return conn.execute(sql).fetchone()[0]


def checksum(path: Path) -> str:
    """Hash every row of every table in id order, leaving out the build's wall-clock time."""
    digest = hashlib.sha256()
    with connect(path) as conn:
        for table in DATA_TABLES:
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY id"):
                digest.update(repr(row).encode())
        for row in conn.execute("SELECT key, value FROM demo_meta WHERE key != 'built_at' ORDER BY key"):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def stop_at_first_chunk(done: int, total: int) -> None:
    if done < total:
        raise Stop


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    return path, build_demo_database(path, SMALL)


@pytest.fixture(scope="module")
def db(small: tuple[Path, DemoSummary]) -> Path:
    return small[0]


def test_build_has_exactly_the_requested_order_lines_and_plausible_counts(small):
    path, summary = small
    assert summary.path == path and summary.order_lines == SMALL and summary.seconds > 0
    counts = {table: scalar(path, f"SELECT COUNT(*) FROM {table}") for table in DATA_TABLES}
    assert counts == {"customers": summary.customers, "products": summary.products,
                      "orders": summary.orders, "order_lines": SMALL}
    assert counts["customers"] >= 50 and counts["products"] >= 20
    assert 3 <= SMALL / counts["orders"] <= 5, "about four lines per order"
    assert scalar(path, "SELECT MIN(n) >= 1 AND MAX(n) <= 8 FROM "
                        "(SELECT COUNT(*) AS n FROM order_lines GROUP BY order_id)") == 1
    assert demo_order_lines(path) == SMALL


def test_finished_file_has_ordinary_permissions_and_nothing_beside_it(small):
    path, _ = small
    ordinary = path.with_name("ordinary.txt")
    ordinary.touch()
    try:
        readable_by_others = 0o044  # group and world read bits, as the umask allows them
        assert path.stat().st_mode & readable_by_others == ordinary.stat().st_mode & readable_by_others
        assert sorted(p.name for p in path.parent.iterdir()) == ["demo.sqlite", "ordinary.txt"]
    finally:
        ordinary.unlink()


def test_meta_records_size_seed_version_and_build_time(db):
    with connect(db) as conn:
        meta = dict(conn.execute("SELECT key, value FROM demo_meta"))
    assert meta["order_lines"] == str(SMALL) and meta["seed"] == "7" and meta["schema_version"]
    assert datetime.fromisoformat(meta["built_at"]).year >= 2024


def test_tables_view_and_indexes_exist_and_file_is_in_wal_mode(db):
    with connect(db) as conn:
        objects = {(kind, name) for kind, name in conn.execute("SELECT type, name FROM sqlite_master")}
        indexed = {(table, column) for table, index in
                   conn.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'index'")
                   for *_, column in conn.execute(f"PRAGMA index_info('{index}')")}
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        summary = conn.execute("SELECT order_id, customer_name, ordered_at, status, line_count, order_total "
                               "FROM order_summary ORDER BY order_id LIMIT 3").fetchall()
    assert {("table", table) for table in TABLES} <= objects
    assert ("view", "order_summary") in objects
    assert INDEXED | {("products", "sku")} <= indexed
    assert [row[0] for row in summary] == [1, 2, 3]


def test_foreign_keys_are_declared_and_hold(db):
    with connect(db) as conn:
        declared = {(table, row[3], row[2]) for table in ("orders", "order_lines")
                    for row in conn.execute(f"PRAGMA foreign_key_list('{table}')")}
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert declared == {("orders", "customer_id", "customers"), ("order_lines", "order_id", "orders"),
                        ("order_lines", "product_id", "products")}


def test_nullable_columns_have_gaps_and_required_columns_have_none(db):
    for table, columns in NULLABLE.items():
        for column in columns:
            assert scalar(db, f"SELECT COUNT(*) FROM {table} WHERE {column} IS NULL") > 0, (table, column)
            assert scalar(db, f"SELECT COUNT(*) FROM {table} WHERE {column} IS NOT NULL") > 0, (table, column)
    for table, columns in REQUIRED.items():
        for column in columns:
            assert scalar(db, f"SELECT COUNT(*) FROM {table} WHERE {column} IS NULL") == 0, (table, column)


def test_categorical_columns_use_the_documented_values(db):
    expected = {
        ("customers", "segment"): {"Consumer", "Corporate", "Small Business"},
        ("orders", "status"): {"pending", "shipped", "delivered", "cancelled", "returned"},
        ("orders", "channel"): {"web", "store", "phone", "partner"},
    }
    with connect(db) as conn:
        for (table, column), values in expected.items():
            assert {v for (v,) in conn.execute(f"SELECT DISTINCT {column} FROM {table}")} == values
        assert conn.execute("SELECT COUNT(DISTINCT category) FROM products").fetchone()[0] >= 6
        assert conn.execute("SELECT COUNT(DISTINCT country) FROM customers").fetchone()[0] >= 10


def test_dates_parse_as_iso_and_fall_in_the_demo_period(db):
    with connect(db) as conn:
        days = [date.fromisoformat(d) for (d,) in conn.execute("SELECT signup_date FROM customers")]
        launches = [date.fromisoformat(d) for (d,) in conn.execute("SELECT launched_on FROM products")]
        orders = conn.execute("SELECT ordered_at, shipped_at, status FROM orders").fetchall()
    assert FIRST_DAY <= min(days) and max(days) <= LAST_DAY
    assert max(launches) <= LAST_DAY
    for ordered_at, shipped_at, status in orders:
        ordered = datetime.fromisoformat(ordered_at)
        assert FIRST_DAY <= ordered.date() <= LAST_DAY
        assert (shipped_at is None) == (status in ("pending", "cancelled"))
        if shipped_at is not None:
            shipped = datetime.fromisoformat(shipped_at)
            assert ordered <= shipped and shipped.date() <= LAST_DAY


def test_money_has_cents_and_line_totals_add_up(db):
    with connect(db) as conn:
        lines = conn.execute("SELECT quantity, unit_price, line_total FROM order_lines").fetchall()
        view_total = conn.execute("SELECT ROUND(SUM(order_total), 2) FROM order_summary").fetchone()[0]
        lines_total = conn.execute("SELECT ROUND(SUM(line_total), 2) FROM order_lines").fetchone()[0]
        cents = conn.execute("SELECT COUNT(*) FROM products WHERE unit_price != CAST(unit_price AS INTEGER)")
        assert cents.fetchone()[0] > 0
        assert conn.execute("SELECT COUNT(*) FROM products WHERE cost >= unit_price").fetchone()[0] == 0
        assert conn.execute("SELECT SUM(lifetime_value > 0) FROM customers").fetchone()[0] > 0
    assert all(line_total == round(quantity * price, 2) for quantity, price, line_total in lines)
    assert all(quantity >= 1 and price > 0 for quantity, price, _ in lines)
    assert view_total == lines_total


def test_names_are_unicode_and_emails_are_derived_from_them(db):
    with connect(db) as conn:
        people = conn.execute("SELECT name, email FROM customers").fetchall()
    assert any(not name.isascii() for name, _ in people)
    for name, email in people:
        if email is not None:
            assert email.isascii() and email.count("@") == 1
            if name.isascii() and "'" not in name:
                first, last = name.lower().split()
                assert email.startswith(f"{first}.{last}")


def test_same_seed_gives_identical_data_and_another_seed_does_not(tmp_path):
    first, second, other = (tmp_path / name for name in ("a.sqlite", "b.sqlite", "c.sqlite"))
    build_demo_database(first, TINY, seed=3)
    build_demo_database(second, TINY, seed=3)
    build_demo_database(other, TINY, seed=4)
    assert checksum(first) == checksum(second)
    assert checksum(first) != checksum(other)


def test_progress_rises_per_chunk_and_ends_at_the_total(tmp_path):
    total = CHUNK_ROWS * 2 + 1
    calls: list[tuple[int, int]] = []
    build_demo_database(tmp_path / "demo.sqlite", total, progress=lambda done, of: calls.append((done, of)))
    done = [done for done, _ in calls]
    assert 2 <= len(calls) <= total // CHUNK_ROWS + 1, "once per chunk, never per row"
    assert all(later - earlier >= CHUNK_ROWS for earlier, later in zip([0, *done[:-2]], done[:-1]))
    assert done == sorted(set(done)) and all(of == total for _, of in calls)
    assert calls[-1] == (total, total)


def test_ensure_builds_a_missing_database_in_a_missing_folder(tmp_path):
    path = tmp_path / "new" / "folder" / "demo.sqlite"
    summary = ensure_demo_database(path, TINY)
    assert summary is not None and summary.order_lines == TINY and demo_order_lines(path) == TINY


def test_ensure_keeps_a_database_of_the_wanted_size(tmp_path):
    path = tmp_path / "demo.sqlite"
    build_demo_database(path, TINY)
    before = path.stat().st_mtime_ns
    assert ensure_demo_database(path) is None
    assert ensure_demo_database(path, TINY) is None
    assert path.stat().st_mtime_ns == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.sqlite"]


def test_ensure_rebuilds_a_database_of_another_size(tmp_path):
    path = tmp_path / "demo.sqlite"
    build_demo_database(path, TINY)
    summary = ensure_demo_database(path, TINY * 2)
    assert summary is not None and summary.order_lines == TINY * 2
    assert demo_order_lines(path) == TINY * 2


def test_ensure_rebuilds_a_corrupt_file(tmp_path):
    path = tmp_path / "demo.sqlite"
    path.write_bytes(b"this is not a database\x00\xff" * 100)
    assert demo_order_lines(path) is None
    assert ensure_demo_database(path, TINY) is not None
    assert demo_order_lines(path) == TINY and scalar(path, "SELECT COUNT(*) FROM order_lines") == TINY


def test_demo_order_lines_is_none_for_a_missing_file_or_another_database(tmp_path):
    assert demo_order_lines(tmp_path / "absent.sqlite") is None
    other = tmp_path / "other.sqlite"
    with connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    assert demo_order_lines(other) is None
    assert not (tmp_path / "absent.sqlite").exists()


def test_interrupted_build_leaves_no_file_behind(tmp_path):
    path = tmp_path / "demo.sqlite"
    with pytest.raises(Stop):
        build_demo_database(path, CHUNK_ROWS * 2, progress=stop_at_first_chunk)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_build_keeps_the_previous_database(tmp_path):
    path = tmp_path / "demo.sqlite"
    build_demo_database(path, TINY)
    before = checksum(path)
    with pytest.raises(Stop):
        build_demo_database(path, CHUNK_ROWS * 2, progress=stop_at_first_chunk)
    assert checksum(path) == before and demo_order_lines(path) == TINY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.sqlite"]


@pytest.mark.parametrize("order_lines", [0, -5])
def test_a_build_needs_at_least_one_order_line(tmp_path, order_lines):
    with pytest.raises(ValueError, match="order_lines"):
        build_demo_database(tmp_path / "demo.sqlite", order_lines)
    assert list(tmp_path.iterdir()) == []


def test_a_single_order_line_is_a_valid_database(tmp_path):
    summary = build_demo_database(tmp_path / "demo.sqlite", 1)
    assert (summary.orders, summary.order_lines) == (1, 1)
    assert scalar(summary.path, "SELECT line_count FROM order_summary") == 1
