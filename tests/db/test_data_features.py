"""Exports, charts, facets, edits and time limits on real SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import csv
import io
import sqlite3
import threading
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from data_fixtures import ROWS, awkward_rows, awkward_table, checksum
from tests.unit.runs_support import wait_until

from dash_app.data import cells, export
from dash_app.data.paging import ordered_select
from dash_app.data.charts import check_chart
from dash_app.data.edits import AUDIT, EditRefused
from dash_app.data.limits import QueryTimeout, time_limit
from dash_app.data.query import QueryError

ROWS_BY_ID = {row["id"]: row for row in awkward_rows()}


def test_csv_export_has_every_matching_row_in_view_order_with_visible_columns(awkward):
    service, database, table, *_ = awkward
    view = {"s": [["grp", "desc"]], "c": ["name", "id", "amount"],
            "f": {"name": {"filterType": "text", "type": "notBlank"}}}
    info, spec = service.view(database, table, view)
    with service.engine(database).connect() as connection:
        text = b"".join(export.csv_chunks(connection, info, spec)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["name", "id", "amount"]
    grid_ids = []
    start = 0
    while True:
        block = service.block(database, info, spec, start, start + 50)
        grid_ids += [row["id"] for row in block.rows]
        if block.last_row is not None:
            break
        start += 50
    assert [int(row[1]) for row in rows[1:]] == grid_ids
    assert len(rows) - 1 == sum(1 for row in ROWS_BY_ID.values() if row["name"])
    by_id = {int(row[1]): row for row in rows[1:]}
    assert by_id[4][0] == "100% pure" and by_id[7][0] == "日本語" and by_id[6][0] == "O'Brien"
    assert by_id[7][2] == "" and by_id[1][2] == "1.99"


def csv_writer_export(service, database, info, spec) -> bytes:
    """The view as csv.writer writes the values SQLAlchemy reads (how the export wrote every row before)."""
    columns = export.export_columns(info, spec)
    kinds = [info.column(name).kind for name in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    with service.engine(database).connect() as connection:
        for row in connection.execute(ordered_select(info, spec, connection.dialect.name, columns)):
            writer.writerow([cells.to_text(kind, value) if kind in export.CONVERTED_KINDS else value
                             for kind, value in zip(kinds, row)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


AWKWARD_TEXTS = ["a,b", 'say "hi"', "two\nlines", "carriage\rreturn", "crlf\r\nend", "", "None", " padded ",
                 "trailing,", '"', "plain"]


@pytest.mark.parametrize("view", [
    {},
    {"c": ["id", "name", "ratio", "grp", "body", "day", "moment", "amount"]},
    {"c": ["name", "ratio"], "s": [["ratio", "desc"]]},
    {"c": ["name"]},
    {"c": ["ratio"], "s": [["ratio", "asc"]]},
    {"c": ["flag", "doc", "blob", "id"], "s": [["flag", "asc"]]},
])
def test_csv_export_writes_every_value_as_csv_writer_does(awkward, monkeypatch, view):
    service, database, table, _, url = awkward
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:  # texts csv must quote, in rows of their own and next to plain ones
            connection.execute(awkward_table(sa.MetaData(), table).insert(), [
                {"id": 1000 + i, "name": text, "ratio": 0.1 * i, "body": text if i % 2 else "x"}
                for i, text in enumerate(AWKWARD_TEXTS)])
    finally:
        engine.dispose()
    monkeypatch.setattr(export, "FETCH_ROWS", 4)  # batches with and without such texts
    monkeypatch.setattr(export, "CSV_FLUSH_BYTES", 100)
    info, spec = service.view(database, table, view)
    with service.engine(database).connect() as connection:
        chunks = list(export.csv_chunks(connection, info, spec))
    assert b"".join(chunks) == csv_writer_export(service, database, info, spec)
    assert len(chunks) > 5, "written as it is read, not at the end"


def test_csv_export_of_sqlite_values_of_any_type_in_any_column_is_what_csv_writes(tmp_path):
    from dash_app.settings import load_settings
    from dash_app.workbench import Workbench

    path = tmp_path / "typeless.sqlite"
    values = [None, "", "None", "a,b", 'q"q', "x\ny", 0, -7, 2**63 - 1, 0.0, -0.0, 0.1 + 0.2, 1e16, 1e300, 5e-324,
              1 / 3, 79.19, b"", b"\x00\xff,", "日本語"]
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, r REAL, x TEXT, u, b BLOB)")
        connection.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)",
                               [(i, value, value, value, value, value) for i, value in enumerate(values, 1)])
    workbench = Workbench(load_settings(data_dir=tmp_path / "data", databases={"db": f"sqlite:///{path}"}))
    try:
        service = workbench.data
        for view in ({}, {"c": ["u", "n"]}, {"c": ["u"]}, {"s": [["u", "desc"]]}):
            info, spec = service.view("db", "t", view)
            with service.engine("db").connect() as connection:
                written = b"".join(export.csv_chunks(connection, info, spec))
            assert written == csv_writer_export(service, "db", info, spec)
    finally:
        workbench.dispose()


def test_excel_export_writes_a_workbook_and_refuses_too_many_rows(awkward, tmp_path):
    service, database, table, *_ = awkward
    info, spec = service.view(database, table, {"c": ["id", "name", "flag", "blob"]})
    path = tmp_path / "out.xlsx"
    with service.engine(database).connect() as connection:
        written = export.write_xlsx(connection, info, spec, str(path))
    assert written == ROWS and path.stat().st_size > 1000
    assert path.read_bytes()[:2] == b"PK"
    export.check_excel_fits(export.EXCEL_MAX_DATA_ROWS)
    with pytest.raises(export.ExportTooLarge, match="1,048,575"):
        export.check_excel_fits(export.EXCEL_MAX_DATA_ROWS + 1)


def sheet_cells(path) -> dict[str, tuple[str | None, str | None]]:
    """Each cell of the first worksheet by reference ("B2"): its stored value and its number format."""
    import re
    import zipfile
    from xml.etree import ElementTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(path) as book:
        styles = ElementTree.fromstring(book.read("xl/styles.xml"))
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    codes = {fmt.get("numFmtId"): fmt.get("formatCode") for fmt in styles.iter(f"{main}numFmt")}
    formats = [codes.get(xf.get("numFmtId")) for xf in styles.find(f"{main}cellXfs")]
    found = {}
    for cell in sheet.iter(f"{main}c"):
        value = cell.find(f"{main}v")
        text = "".join(cell.itertext()) if cell.get("t") == "inlineStr" else None
        found[cell.get("r")] = (value.text if value is not None else text, formats[int(cell.get("s", 0))])
    assert all(re.fullmatch(r"[A-Z]+\d+", ref) for ref in found)
    return found


def test_excel_export_writes_dates_as_dates_and_fixed_point_with_its_decimals(awkward, tmp_path):
    """Excel sorts, filters and calculates on dates only when they are dates, not text; 3.90 stays 3.90."""
    from datetime import datetime

    service, database, table, *_ = awkward
    info, spec = service.view(database, table, {"c": ["id", "day", "moment", "amount"], "s": [["id", "asc"]]})
    path = tmp_path / "dates.xlsx"
    with service.engine(database).connect() as connection:
        export.write_xlsx(connection, info, spec, str(path))
    found = sheet_cells(path)
    row = next(row for row in awkward_rows() if None not in (row["day"], row["moment"], row["amount"]))
    line = row["id"] + 1  # the header is row 1
    epoch = datetime(1899, 12, 30)  # Excel's day 0 (after its 1900 leap day)
    assert found[f"B{line}"] == (str((datetime.combine(row["day"], datetime.min.time()) - epoch).days), "yyyy-mm-dd")
    moment = (row["moment"] - epoch).total_seconds() / 86_400
    assert float(found[f"C{line}"][0]) == pytest.approx(moment) and found[f"C{line}"][1] == "yyyy-mm-dd hh:mm:ss"
    assert float(found[f"D{line}"][0]) == float(row["amount"]) and found[f"D{line}"][1] == "0.00"
    assert found["B1"] == ("day", None), "the header stays text"


@pytest.mark.parametrize("bucket", ["day", "week", "month", "quarter", "year"])
def test_date_buckets_group_in_sql_on_every_dialect(awkward, bucket):
    service, database, table, *_ = awkward
    info, spec = service.view(database, table, {})
    series = service.chart(database, info, spec, check_chart(info, "moment", None, "count", bucket))
    assert sum(series.y) == ROWS
    assert series.x_is_date and series.x[0] == "(blank)"
    firsts = [value for value in series.x[1:]]
    assert firsts == sorted(firsts)
    assert all(str(value)[:10].count("-") == 2 for value in firsts)
    if bucket == "month":
        assert [str(v)[:10] for v in firsts] == ["2024-01-01", "2024-02-01", "2024-03-01"]
    if bucket in ("quarter", "year"):
        assert [str(v)[:10] for v in firsts] == ["2024-01-01"], "January to March is one quarter (and one year)"
    if bucket == "week":
        assert str(firsts[0])[:10] == "2024-01-01", "weeks start on Monday (2024-01-01 is one)"


def test_aggregates_over_the_filtered_view(awkward):
    service, database, table, *_ = awkward
    view = {"f": {"grp": {"filterType": "number", "type": "notBlank"}}}
    info, spec = service.view(database, table, view)
    series = service.chart(database, info, spec, check_chart(info, "grp", "amount", "sum", None))
    expected = {}
    for row in ROWS_BY_ID.values():
        if row["grp"] is not None and row["amount"] is not None:
            expected[row["grp"]] = expected.get(row["grp"], 0) + float(row["amount"])
    assert {int(x): round(float(y), 2) for x, y in zip(series.x, series.y)} == {
        k: round(v, 2) for k, v in expected.items()}
    with pytest.raises(QueryError, match="numeric"):
        check_chart(info, "grp", "name", "mean", None)
    with pytest.raises(QueryError, match="date column"):
        check_chart(info, "grp", None, "count", "month")


def test_facets_list_frequent_values_and_ticking_one_filters(awkward):
    service, database, table, *_ = awkward
    info, spec = service.view(database, table, {})
    facets = service.facets(database, info, spec, "grp")
    counts = {facet.value: facet.count for facet in facets}
    assert counts[None] == sum(1 for r in ROWS_BY_ID.values() if r["grp"] is None)
    assert [f.count for f in facets] == sorted((f.count for f in facets), reverse=True)
    flag_facets = service.facets(database, info, spec, "flag")
    assert {f.value for f in flag_facets} == {True, False, None}
    info, spec = service.view(database, table, {"v": {"flag": [True]}})
    assert service.count(database, info, spec) == sum(1 for r in ROWS_BY_ID.values() if r["flag"] is True)


def test_an_edit_writes_one_cell_and_is_audited(awkward):
    service, database, table, _, url = awkward
    info, spec = service.view(database, table, {"f": {"id": {"filterType": "number", "type": "equals", "filter": 3}}})
    row = service.block(database, info, spec, 0, 10).rows[0]
    service.edit(database, table, row, "name", row["name"], "Émile Zola", "alice")
    service.edit(database, table, row, "amount", row["amount"], "12.50", "alice")
    service.edit(database, table, row, "day", row["day"], "2025-12-31", "alice")
    after = service.block(database, info, spec, 0, 10).rows[0]
    assert after["name"] == "Émile Zola" and after["amount"] == 12.5 and after["day"] == "2025-12-31"
    assert {k: v for k, v in after.items() if k not in ("name", "amount", "day")} == {
        k: v for k, v in row.items() if k not in ("name", "amount", "day")}
    with service.store().connect() as connection:
        audit = connection.execute(sa.select(AUDIT).order_by(AUDIT.c.id)).mappings().all()
    assert [(a["user_name"], a["column_name"], a["old_value"]) for a in audit[-3:]] == [
        ("alice", "name", "Émile"), ("alice", "amount", "3.99"), ("alice", "day", "2024-01-04")]
    assert [a["new_value"] for a in audit[-3:]] in (["Émile Zola", "12.50", "2025-12-31"],
                                                    ["Émile Zola", "12.5", "2025-12-31"])  # SQLite stores a float
    assert audit[-1]["table_name"] == table and '"id": 3' in audit[-1]["primary_key"]


def test_an_edit_with_more_decimals_than_the_column_keeps_is_refused_not_rounded(awkward):
    """amount is NUMERIC(10,2): PostgreSQL and MariaDB would store 12.35 for 12.345 and say nothing."""
    service, database, table, _, url = awkward
    info, spec = service.view(database, table, {"f": {"id": {"filterType": "number", "type": "equals", "filter": 3}}})
    row = service.block(database, info, spec, 0, 10).rows[0]
    before = checksum(url, table)
    for typed in ("12.345", 12.345, "0.001"):
        with pytest.raises(EditRefused, match=r"Column 'amount' \((NUMERIC|DECIMAL)\(10, ?2\)\) holds numbers with "
                                              r"at most 2 decimal places: round (12\.345|0\.001) first\."):
            service.edit(database, table, row, "amount", row["amount"], typed, "alice")
    assert checksum(url, table) == before
    service.edit(database, table, row, "amount", row["amount"], "12.340", "alice")  # trailing zeros are kept
    assert service.block(database, info, spec, 0, 10).rows[0]["amount"] == 12.34


def test_an_edit_of_a_changed_row_is_refused_and_nothing_is_written(awkward):
    service, database, table, _, url = awkward
    info, spec = service.view(database, table, {"f": {"id": {"filterType": "number", "type": "equals", "filter": 8}}})
    row = service.block(database, info, spec, 0, 10).rows[0]
    service.edit(database, table, row, "name", row["name"], "someone else", "bob")
    before = checksum(url, table)
    with pytest.raises(EditRefused, match="changed since you loaded it"):
        service.edit(database, table, row, "name", row["name"], "mine", "alice")
    with pytest.raises(EditRefused, match="no longer exists"):
        service.edit(database, table, {**row, "id": 999_999}, "name", row["name"], "x", "alice")
    assert checksum(url, table) == before


def test_read_only_tables_and_bad_edits_are_refused(awkward):
    service, database, table, child, url = awkward
    before = checksum(url, table)
    with pytest.raises(EditRefused, match="read-only"):
        service.edit(database, child, {"id": 1, "awk_id": 3}, "awk_id", 3, 4, "alice")
    row = {"id": 2, "name": "bob"}
    json_column = [("doc", "{}", "cannot be edited")] if service.table(database, table).column("doc").kind == "json" else []
    for column, value, message in [("id", 5, "Primary key"), ("blob", "00", "cannot be edited"), *json_column,
                                   ("amount", "lots", "Expected a number"), ("day", "31/12/2024", "Expected a date"),
                                   ("nope", 1, "does not exist"), ("name", "x" * 5000, "too long")]:
        with pytest.raises(EditRefused, match=message):
            service.edit(database, table, row, column, None, value, "alice")
    assert checksum(url, table) == before


def test_a_slow_query_is_stopped_by_the_time_limit(awkward):
    service, database, *_ = awkward
    dialect = service.engine(database).dialect.name
    slow = {
        "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
        "postgresql": "SELECT pg_sleep(10)",
        "mysql": "SELECT count(*) FROM information_schema.columns a, information_schema.columns b, "
                 "information_schema.columns c, information_schema.columns d",
    }[dialect]
    with pytest.raises(QueryTimeout, match="stopped after 0.3 s"), service.connect(database, seconds=0.3) as connection:
        connection.execute(sa.text(slow)).all()
    with service.connect(database) as connection:  # the pooled connection works again, without the limit
        assert connection.execute(sa.text("SELECT 1")).scalar() == 1


def test_the_time_limit_is_lifted_after_the_block(awkward):
    service, database, *_ = awkward
    engine = service.engine(database)
    with engine.connect() as connection:
        with time_limit(connection, 0.5):
            connection.execute(sa.text("SELECT 1"))
        connection.commit()
        if engine.dialect.name == "mysql":
            variable = "max_statement_time" if engine.dialect.is_mariadb else "max_execution_time"
            assert float(connection.execute(sa.text(f"SELECT @@SESSION.{variable}")).scalar()) == 0


class _WatchedFuture(Future):
    """A Future that says when someone starts waiting for it."""

    waiting = threading.Event()

    def result(self, timeout=None):
        _WatchedFuture.waiting.set()
        return super().result(timeout)


def _count_held_open(service, monkeypatch, outcome):
    """Make the service's COUNT wait for ``release`` and then give ``outcome(real_count)``; return its calls."""
    from dash_app.data import service as service_module

    calls, release, real = [], threading.Event(), service.count
    _WatchedFuture.waiting = threading.Event()
    monkeypatch.setattr(service_module, "Future", _WatchedFuture)
    monkeypatch.setattr(service_module, "GRID_COUNT_SECONDS", 20)  # long enough for any machine

    def held(*args, **kwargs):
        calls.append(kwargs.get("seconds"))
        if len(calls) == 1:
            assert release.wait(30)
            return outcome(real(*args, **kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "count", held)
    return calls, release


def test_the_grid_and_the_page_asking_for_one_views_count_together_run_one_count(awkward, monkeypatch):
    service, database, table, *_ = awkward
    info, spec = service.view(database, table, {"f": {"grp": {"filterType": "number", "type": "equals", "filter": 1}}})
    calls, release = _count_held_open(service, monkeypatch, lambda value: value)
    with ThreadPoolExecutor(2) as pool:
        page = pool.submit(service.view_count, database, info, spec, 60)  # the page's count, first
        wait_until(lambda: spec.key(database) in service._counting)
        grid = pool.submit(service.grid_count, database, info, spec)  # the grid's first block, meanwhile
        assert _WatchedFuture.waiting.wait(30), "the grid waits for the count under way"
        release.set()
        expected = sum(1 for row in ROWS_BY_ID.values() if row["grp"] == 1)
        assert page.result(30).value == grid.result(30) == expected
    assert len(calls) == 1, "one COUNT for both"


def test_a_count_stopped_by_the_grids_short_limit_is_run_again_for_the_page(awkward, monkeypatch):
    service, database, table, *_ = awkward
    info, spec = service.view(database, table, {"f": {"grp": {"filterType": "number", "type": "equals", "filter": 1}}})

    def stopped(_value):
        raise QueryTimeout(20)

    calls, release = _count_held_open(service, monkeypatch, stopped)
    with ThreadPoolExecutor(2) as pool:
        grid = pool.submit(service.grid_count, database, info, spec)  # the grid's shorter limit, first
        wait_until(lambda: spec.key(database) in service._counting)
        page = pool.submit(service.view_count, database, info, spec, 60)
        assert _WatchedFuture.waiting.wait(30)
        release.set()
        assert grid.result(30) is None, "the grid goes on without a count"
        assert page.result(30).value == sum(1 for row in ROWS_BY_ID.values() if row["grp"] == 1)
    assert calls == [20, 60], "the page counted again under its own, longer limit"

