"""Data domain without a database: URL state, cell values, and the checks on views sent by the browser."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from dash_app.data import cells
from dash_app.data.catalog import Column, Table, column_kind
from dash_app.data.query import QueryError, grid_view, parse_view
from dash_app.data.urlstate import StateProblem, query_string, read_query


def make_table() -> Table:
    metadata = sa.MetaData()
    sa_table = sa.Table("t", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String),
                        sa.Column("price", sa.Numeric(10, 2)), sa.Column("day", sa.Date), sa.Column("doc", sa.JSON))
    columns = tuple(Column(c.name, str(c.type), column_kind(c.type), c.name != "id", c.name == "id")
                    for c in sa_table.columns)
    return Table("t", False, columns, ("id",), (), True, sa_table)


def test_url_state_round_trips_and_rejects_junk():
    view = {"s": [["name", "desc"]], "f": {"name": {"filterType": "text", "type": "contains", "filter": "é&?#"}}}
    query = dict(part.split("=", 1) for part in query_string("demo", "orders", view).split("&"))
    from urllib.parse import unquote_plus

    state = read_query({key: unquote_plus(value) for key, value in query.items()})
    assert (state.database, state.table, state.view) == ("demo", "orders", view)
    assert read_query({}).view == {}
    edge = {"f": {"n": {"filterType": "number", "type": "equals", "filter": 2**63 - 1}}, "q": "日本語 \U0001f600"}
    assert read_query({"v": json.dumps(edge)}).view == edge, "64-bit numbers and any real Unicode text pass"
    typed = read_query({"v": '{"f": {"n": {"filter": 100000000000000000000}}}'}).view  # JSON.stringify(1e20)
    assert typed["f"]["n"]["filter"] == 1e20 and isinstance(typed["f"]["n"]["filter"], float), "the browser's 1e20"
    for bad, message in [({"v": "{not json"}, "incomplete or damaged"), ({"v": "[1, 2]"}, "is damaged"),
                         ({"table": ["a", "b"]}, "unusable 'table'"), ({"v": "x" * 30_000}, "too long"),
                         ({"v": "[" * 5_000 + "]" * 5_000}, "incomplete or damaged"),
                         ({"v": '{"q": "\\ud800"}'}, "not Unicode"),
                         ({"v": '{"x": ' + "[" * 20 + "]" * 20 + "}"}, "too deep"),
                         ({"v": '{"f": {"n": {"filter": 1000000000000000000000}}}'}, "64 bits"),  # 1e21: hand-made
                         ({"v": '{"f": {"n": {"filter": 1e400}}}'}, "64 bits")]:
        with pytest.raises(StateProblem, match=message):
            read_query(bad)
    with pytest.raises(StateProblem) as damaged:
        read_query({"db": "demo", "table": "orders", "v": '{"s": [["name"'})
    assert (damaged.value.state.database, damaged.value.state.table, damaged.value.state.view) == ("demo", "orders", {}), \
        "a damaged view still names the table, to open plain"


def test_cells_are_json_safe_and_sensible():
    assert cells.to_cell("number", Decimal("19.99")) == 19.99
    assert cells.to_cell("number", Decimal("12345678901234567890.12")) == "12345678901234567890.12"
    assert cells.to_cell("number", 2**60) == str(2**60), "beyond JavaScript's safe integers: text"
    assert cells.to_cell("number", math.nan) == "nan"
    assert cells.to_cell("boolean", 1) is True and cells.to_cell("boolean", "f") is False
    assert cells.to_cell("datetime", datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02 03:04:05"
    assert cells.to_cell("json", {"a": [1, "ü"]}) == '{"a":[1,"ü"]}'
    assert cells.to_cell("binary", b"\x00\xff" * 20).startswith("0x00ff") and "40 bytes" in cells.to_cell("binary", b"\x00\xff" * 20)
    assert len(cells.to_cell("text", "x" * 10_000)) == cells.GRID_TEXT_LIMIT + 1
    assert cells.to_text("text", "x" * 10_000) == "x" * 10_000, "exports keep all of it"
    assert cells.to_text("date", date(2024, 2, 29)) == "2024-02-29" and cells.to_text("number", None) == ""


@pytest.mark.parametrize("value", [True, "abc", "1e999", math.inf, "", " ", None, [1], "1" * 100])
def test_numbers_from_the_browser_are_checked(value):
    with pytest.raises(cells.ValueProblem):
        cells.parse_number(value)


def test_a_number_too_large_says_so_and_only_a_non_finite_one_is_called_not_finite():
    for value in (1e308, 10**301):
        with pytest.raises(cells.ValueProblem, match="That number is too large."):
            cells.parse_number(value)
    with pytest.raises(cells.ValueProblem, match="Expected a finite number."):
        cells.parse_number(math.nan)


def test_excel_takes_dates_and_naive_date_times_from_1900_03_01_and_text_for_the_rest():
    assert cells.to_export("date", "2024-01-04") == date(2024, 1, 4), "SQLite's text"
    assert cells.to_export("date", date(2024, 1, 4)) == date(2024, 1, 4)
    assert cells.to_export("datetime", "2024-01-04 10:30:00") == datetime(2024, 1, 4, 10, 30)
    assert cells.to_export("datetime", date(2024, 1, 4)) == datetime(2024, 1, 4)
    assert cells.to_export("date", "1899-12-31") == "1899-12-31", "Excel's calendar is wrong before 1900-03-01"
    aware = datetime(2024, 1, 4, 10, 30, tzinfo=timezone.utc)
    assert cells.to_export("datetime", aware) == "2024-01-04 10:30:00+00:00", "Excel has no time zones: text"
    assert cells.to_export("date", "not a day") == "not a day"


def test_good_numbers_and_days_parse():
    assert cells.parse_number("12") == 12 and cells.parse_number("12.50") == Decimal("12.50")
    assert cells.parse_number(3.5) == 3.5
    assert cells.parse_day("2024-02-29 00:00:00") == date(2024, 2, 29)
    with pytest.raises(cells.ValueProblem):
        cells.parse_day("2023-02-29")


def test_a_view_is_checked_against_the_table():
    table = make_table()
    spec = parse_view(table, {"s": [{"colId": "price", "sort": "desc"}], "q": "  abc ", "c": ["name", "id", "name"],
                              "f": {"day": {"filterType": "date", "type": "inRange", "dateFrom": "2024-01-01",
                                            "dateTo": "2024-02-01 00:00:00"}}})
    assert spec.sort == (("price", "desc"),) and spec.search == "abc" and spec.columns == ("name", "id")
    assert spec.filters["day"] == {"filterType": "date", "type": "inRange", "dateFrom": "2024-01-01",
                                   "dateTo": "2024-02-01"}
    assert spec.key("demo") != spec.key("other") and len(spec.key("demo")) == 32
    assert parse_view(table, spec.as_json()) == spec, "the URL form restores the same view"


def test_the_grid_and_panels_state_is_one_view_whatever_asks():
    """A block request, the values panel and the address all read the grid's state the same way."""
    table = make_table()
    filters = {"name": {"filterType": "text", "type": "contains", "filter": "a"}}
    request = grid_view(sort=[{"colId": "price", "sort": "desc"}], filters=filters, search=" ab ", values={"id": [1]})
    columns = [{"colId": "id"}, {"colId": "price", "sort": "desc", "sortIndex": 0}, {"colId": "name", "hide": True},
               "junk", {"sort": "asc"}]
    followed = grid_view({"c": ["id"], "q": "old"}, filters=filters, search="ab", values={"id": [1]},
                         column_state=columns)
    assert list(followed) == ["c", "q", "f", "v", "s"], "the address keeps the order of its parts"
    assert followed["c"] == ["id", "price"] and followed["s"] == [["price", "desc"]]
    assert parse_view(table, request) == parse_view(table, {k: v for k, v in followed.items() if k != "c"})
    kept = grid_view({"s": [["id", "asc"]], "q": "x"}, search="  ")
    assert kept == {"s": [["id", "asc"]]}, "without a sort or column state the sort is kept; a blank search is none"
    assert grid_view(search=5) == {"q": 5}, "not text: left for parse_view to refuse"
    with pytest.raises(QueryError, match="must be text"):
        parse_view(table, grid_view(search=5))
    hostile = [{"colId": "price", "sort": "desc", "sortIndex": "1; --"}, {"colId": "id", "sort": "asc", "sortIndex": 1}]
    assert grid_view(column_state=hostile)["s"] == [["price", "desc"], ["id", "asc"]], "a sortIndex not a number: first"


@pytest.mark.parametrize("view,message", [
    ([], "not an object"),
    ({"s": [["doc", "asc"]]}, "cannot be sorted"),
    ({"s": [["id", "sideways"]]}, "not asc or desc"),
    ({"s": [["id", "asc"]] * 9}, "at most 8"),
    ({"f": {"doc": {"filterType": "text", "type": "contains", "filter": "a"}}}, "cannot be filtered"),
    ({"f": {"name": {"filterType": "text", "type": "contains", "filter": {"$gt": ""}}}}, "Expected text"),
    ({"f": {"price": {"filterType": "number", "type": "inRange", "filter": 1}}}, "Expected a number"),
    ({"v": {"price": ["cheap"]}}, "Expected a number"),
    ({"v": {"price": []}}, "Tick 1 to"),
    ({"q": 5}, "must be text"),
    ({"c": ["id", "secret"]}, "does not exist"),
])
def test_hostile_views_are_refused_with_a_reason(view, message):
    with pytest.raises(QueryError, match=message):
        parse_view(make_table(), view)


@pytest.mark.parametrize("driver_says,user_reads", [
    ('connection failed: connection to server at "10.0.0.7", port 5432 failed: Connection refused',
     "its server does not answer"),
    ("(2003, \"Can't connect to MySQL server on 'db.internal' ([Errno 111] Connection refused)\")",
     "its server does not answer"),
    ("unable to open database file", "its server does not answer"),
    ("permission denied for table salaries", "the database account the app uses may not do this"),
    ("no such column: amount", "there is no column 'amount' in it (any more)"),
    ('column sales.amount does not exist', "there is no column 'amount' in it (any more)"),
    ("(1054, \"Unknown column 'amount' in 'field list'\")", "there is no column 'amount' in it (any more)"),
    ('relation "public.sales" does not exist', "there is no table 'sales' in it (any more)"),
    ("(1146, \"Table 'shop.sales' doesn't exist\")", "there is no table 'sales' in it (any more)"),
    ('syntax error at or near "SELEC" LINE 1: SELEC * FROM secret_table', "the database could not carry out"),
])
def test_a_database_error_reaches_the_user_in_plain_words_never_the_drivers(driver_says, user_reads):
    from dash_app.data.engines import user_reason

    said = user_reason(RuntimeError(driver_says))
    assert said.startswith(user_reads)
    assert not any(word in said for word in ("10.0.0.7", "5432", "db.internal", "SELEC", "secret_table", "Errno"))
