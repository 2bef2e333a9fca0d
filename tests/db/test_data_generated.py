"""Generated hostile input (hypothesis) through the Data page's real callbacks and export routes, on SQLite,
PostgreSQL and MariaDB.

tests/db/test_data_hostile.py tries the hostile values someone thought of; here hypothesis generates them:
AG Grid filter and sort models (the right shapes with hostile values, wrong types, unknown columns and
operators, nested junk), the page's address (nested JSON inside the size limit, lone surrogates, integers
beyond 64 bits, dates at the edges of the calendar, NaN and Infinity), table and column names, quick searches
and ticked values. Each goes through ``_dash-update-component`` with the page's own payload, or through the
CSV and Excel exports, and must get an answer (never a 5xx), never the database's or driver's own words, a
message where something was refused, and leave every table as it was.

The number of examples is fixed and the generation derandomized, so CI tries the same inputs every time; a
failure is shrunk to its smallest input and printed.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from urllib.parse import quote

import plotly.utils
import pytest
from data_fixtures import checksums, component, create_awkward, drop_tables, narrow_name
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dash_app.data.query import DATE_OPS, NUMBER_OPS, TEXT_OPS

GRID = "data-grid"
ROWS_OUTPUT = "..data-grid.getRowsResponse.."
# What a database or its driver says, and what a server error shows: none of it may reach the user.
DRIVER_WORDS = ("psycopg", "pymysql", "sqlite3", "SQLSTATE", "OperationalError", "ProgrammingError",
                "IntegrityError", "Illegal mix", "could not answer", "Traceback", "Internal Server Error")
GENERATED = settings(max_examples=60, deadline=None, derandomize=True, database=None, print_blob=True,
                     suppress_health_check=list(HealthCheck))
COLUMNS = ["id", "name", "flag", "day", "moment", "amount", "ratio", "grp", "doc", "body", "blob"]
NARROW_COLUMNS = ["label", "note", "wide"]  # the utf8mb3 table on MariaDB (data_fixtures.narrow_table)

# ---- what is generated -------------------------------------------------------------------------------------

EDGE_TEXT = ["😀", "a😀b", "'; DROP TABLE x; --", "%", "_", "\\", "\x00", "\u202e", "日本語", "é" * 1_200, " ", "",
             "\ud800", "a\udfff", "\udc00\ud800", "NaN", "Infinity", "1e400", "0x10", "--", "/*", "Zoë"]
EDGE_NUMBERS = [2**31, -(2**31) - 1, 2**63 - 1, 2**63, -(2**63) - 1, 10**30, -(10**400), 10**12, 0, -1,
                1e308, -1e308, 5e-324, -0.0, float("nan"), float("inf"), float("-inf")]
EDGE_DAYS = ["0001-01-01", "9999-12-31", "0000-01-01", "10000-01-01", "9999-12-31 23:59:59", "0999-12-31",
             "1970-01-01", "2038-01-19", "2038-01-20", "2024-02-30", "-0001-01-01", "2024-01-01T00:00:00Z",
             "2024-01-01 00:00:00", "2024-01-15"]
OPERATIONS = sorted(TEXT_OPS | NUMBER_OPS | DATE_OPS)

texts = st.one_of(st.sampled_from(EDGE_TEXT), st.text(max_size=12))
numbers = st.one_of(st.sampled_from(EDGE_NUMBERS), st.integers(), st.floats(),
                    st.from_regex(r"-?\d{1,25}", fullmatch=True))
days = st.sampled_from(EDGE_DAYS)
scalars = st.one_of(texts, numbers, days, st.booleans(), st.none())
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
                    max_leaves=6)


def column_names(columns: list[str]) -> st.SearchStrategy:
    """A column's name: one of the table's, or a hostile one."""
    return st.one_of(st.sampled_from(columns), texts)


def filter_models(columns: list[str]) -> st.SearchStrategy:
    """AG Grid filter models: the grid's shapes, with hostile names, operators and values, or junk."""
    values = st.one_of(scalars, junk)
    condition = st.fixed_dictionaries(
        {"filterType": st.one_of(st.sampled_from(["text", "number", "date"]), junk),
         "type": st.one_of(st.sampled_from(OPERATIONS), texts)},
        optional={"filter": values, "filterTo": values, "dateFrom": st.one_of(days, values),
                  "dateTo": st.one_of(days, values)})
    combined = st.fixed_dictionaries({"filterType": st.sampled_from(["text", "number", "date"]),
                                      "operator": st.one_of(st.sampled_from(["AND", "OR"]), junk),
                                      "conditions": st.one_of(st.lists(st.one_of(condition, junk), max_size=6), junk)})
    return st.one_of(st.dictionaries(column_names(columns), st.one_of(condition, combined, junk), max_size=3), junk)


def sort_models(columns: list[str]) -> st.SearchStrategy:
    item = st.fixed_dictionaries({"colId": st.one_of(column_names(columns), junk),
                                  "sort": st.one_of(st.sampled_from(["asc", "desc"]), junk)})
    return st.one_of(st.lists(item, max_size=10), junk)


def ticked_values(columns: list[str]) -> st.SearchStrategy:
    return st.one_of(st.none(), st.dictionaries(column_names(columns), st.one_of(st.lists(scalars, max_size=4), junk),
                                                max_size=2), junk)


def views(columns: list[str]) -> st.SearchStrategy:
    """The page's compact view (the address's ``v``): sort, filters, ticked values, search, visible columns."""
    return st.fixed_dictionaries({}, optional={
        "s": st.one_of(st.lists(st.lists(st.one_of(column_names(columns), st.sampled_from(["asc", "desc"])),
                                         max_size=3), max_size=4), sort_models(columns)),
        "f": filter_models(columns), "v": ticked_values(columns), "q": st.one_of(texts, junk),
        "c": st.one_of(st.lists(column_names(columns), max_size=4), junk)})


# ---- the app under test ------------------------------------------------------------------------------------

@dataclass
class Site:
    client: object
    app: object
    url: str
    table: str
    tables: list[str]  # every table the test may address (the awkward one; the utf8mb3 one on MariaDB)
    columns: list[str]
    before: dict[str, str]

    def unchanged(self) -> None:
        assert checksums(self.url, self.table) == self.before


@pytest.fixture(scope="module", params=["sqlite", "postgresql", "mariadb"])
def site(request, tmp_path_factory):
    """One app over a fresh awkward table (and its child, and the utf8mb3 table on MariaDB) per database."""
    from dash_app import create_app
    from dash_app.settings import load_settings
    from dash_app.workbench import get_workbench

    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "sqlite":
        sqlite3.connect(folder / "awkward.sqlite").close()
        url = f"sqlite:///{folder / 'awkward.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_url" if request.param == "postgresql" else "mariadb_url")
    table, child = create_awkward(url)
    app = create_app(load_settings(data_dir=folder / "app", databases={"db": url}, query_timeout_s=5))
    narrow = [narrow_name(table)] if request.param == "mariadb" else []
    columns = COLUMNS + (NARROW_COLUMNS if narrow else [])
    try:
        yield Site(app.server.test_client(), app, url, table, [table, *narrow], columns, checksums(url, table))
    finally:
        get_workbench(app.server).dispose()
        drop_tables(url, child, table)


def answered(response) -> str:
    """The response's text, after checking it is an answer a user may see."""
    text = response.get_data().decode("utf-8", "replace")  # an Excel file is binary
    assert response.status_code < 500, text[:500]
    for word in DRIVER_WORDS:
        assert word not in text, f"{word!r} shown to the user: {text[:500]}"
    return text


def rows_request(site: Site, view: object, request: object, search: object = "", values: object = None):
    return site.client.post("/_dash-update-component", json={
        "output": ROWS_OUTPUT, "outputs": [{"id": GRID, "property": "getRowsResponse"}],
        "inputs": [{"id": GRID, "property": "getRowsRequest", "value": request}],
        "state": [{"id": "data-view", "property": "data", "value": view},
                  {"id": "data-search", "property": "value", "value": search},
                  {"id": "data-values-store", "property": "data", "value": values}],
        "changedPropIds": [f"{GRID}.getRowsRequest"]})


def grid_answer(response) -> tuple[dict, str | None]:
    """The block and the message shown with it (None when there is none)."""
    answered(response)
    assert response.status_code == 200
    body = response.get_json()
    note = body.get("sideUpdate", {}).get("data-grid-note", {}).get("children")
    return body["response"][GRID]["getRowsResponse"], (None if note is None else json.dumps(note, ensure_ascii=False))


def check_block(site: Site, view: object, request: object, search: object = "", values: object = None) -> None:
    """The grid got rows, an honest empty block, or an empty block with a message; never a server error."""
    response = rows_request(site, view, request, search, values)
    if not request:  # no block asked for: nothing to answer
        answered(response)
        return
    block, note = grid_answer(response)
    if note is not None:
        assert block == {"rowData": [], "rowCount": 0} and re.search(r"[A-Za-z]{4,} [a-z]{2,}", note), note
    else:
        assert isinstance(block.get("rowData"), list) and len(block["rowData"]) <= 100


def address(site: Site, data: st.DataObject) -> str:
    """A hostile query string of the Data page: database, table and view, percent-encoded as a client may send
    them (a lone surrogate goes as the bytes UTF-8 would give it, which no decoder accepts)."""
    arguments = {"db": data.draw(st.one_of(st.just("db"), texts), label="db"),
                 "table": data.draw(st.one_of(st.sampled_from(site.tables), texts), label="table")}
    view = data.draw(st.one_of(views(site.columns).map(json.dumps), texts,
                               st.integers(1, 10_000).map(lambda depth: '{"f":' + "[" * depth + "]" * depth + "}"),
                               st.integers(1, 50).map(lambda size: json.dumps({"q": "x" * (size * 1_000)}))),
                     label="v")
    if view:
        arguments["v"] = view
    return "&".join(f"{key}={quote(value.encode('utf-8', 'surrogatepass'), safe='')}"
                    for key, value in arguments.items())


# ---- the tests ---------------------------------------------------------------------------------------------

@GENERATED
@given(data=st.data())
def test_generated_grid_requests_are_answered_or_refused_with_a_message(site, data):
    """Filter and sort models, ticked values and quick searches, as the grid's own block request sends them."""
    table = data.draw(st.sampled_from(site.tables), label="table")
    request = {"startRow": 0, "endRow": 100, "sortModel": data.draw(sort_models(site.columns), label="sort"),
               "filterModel": data.draw(filter_models(site.columns), label="filters")}
    check_block(site, {"db": "db", "table": table}, request, data.draw(st.one_of(texts, junk), label="search"),
                data.draw(ticked_values(site.columns), label="values"))


@GENERATED
@given(data=st.data())
def test_generated_view_stores_and_block_ranges_are_answered_or_refused(site, data):
    """Table and column names where the page keeps its view, and the rows a block asks for."""
    view = data.draw(st.one_of(
        st.fixed_dictionaries({"db": st.one_of(st.just("db"), junk), "table": st.one_of(st.sampled_from(site.tables),
                                                                                        junk)},
                              optional={"view": st.one_of(views(site.columns), junk)}), junk), label="view")
    request = data.draw(st.one_of(st.fixed_dictionaries({"startRow": st.one_of(st.integers(), junk),
                                                         "endRow": st.one_of(st.integers(), junk)}),
                                  st.just({"startRow": 0, "endRow": 100}), junk), label="request")
    check_block(site, view, request)


@settings(GENERATED, max_examples=30)  # three requests each, two of them a whole export
@given(data=st.data())
def test_generated_addresses_open_the_page_or_say_why(site, data):
    """The page's address through the layout callback (the page opens what it names, or the plain table with a
    message) and through the CSV and Excel exports (a file, or a 4xx with the reason)."""
    query = address(site, data)
    page = site.client.post("/_dash-update-component", json=layout_payload(site, "?" + query))
    answered(page)
    layout = page.get_json()["response"]["_pages_content"]["children"]
    alert = component(layout, "data-alert")
    assert alert is not None and component(layout, "data-grid") is not None
    for extension in ("csv", "xlsx"):
        response = site.client.get(f"/data/export.{extension}?{query}")
        text = answered(response)
        if response.status_code >= 400:
            assert response.mimetype == "text/plain" and len(text.strip()) > 10, text
    site.unchanged()


@settings(GENERATED, max_examples=30)
@given(data=st.data())
def test_generated_chart_requests_draw_or_say_why(site, data):
    """The chart's inputs (a background callback: called as the function the manager runs, in a request)."""
    from dash_app.callbacks import data_chart

    view = {"db": "db", "table": data.draw(st.sampled_from(site.tables), label="table"),
            "view": data.draw(views(site.columns), label="view")}
    with site.app.server.test_request_context("/"):
        drawn = data_chart.chart(1, data.draw(st.one_of(column_names(site.columns), junk), label="x"),
                                 data.draw(st.one_of(st.none(), column_names(site.columns), junk), label="y"),
                                 data.draw(st.one_of(st.sampled_from(["count", "sum", "avg", "min", "max"]), junk)),
                                 data.draw(st.one_of(st.sampled_from(["none", "day", "month", "year"]), junk)),
                                 view, False)
    status = json.dumps(drawn["status"], cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)
    for word in DRIVER_WORDS:
        assert word not in status, status
    assert drawn["chart"] is not None or "alert" in status


def test_every_table_is_unchanged_after_the_generated_requests(site):
    """Runs after the generated tests of its database (same module, same fixture): nothing was written."""
    site.unchanged()


def layout_payload(site: Site, search: str) -> dict:
    """The payload the browser posts when it opens the Data page at ``search``, from the app's own dependencies."""
    dependency = next(item for item in site.client.get("/_dash-dependencies").get_json()
                      if item["output"].lstrip(".").startswith("_pages_content.children"))
    outputs = [dict(zip(("id", "property"), item.split("@")[0].split(".", 1)))
               for item in dependency["output"].strip(".").split("...")]
    values = {"_pages_location.pathname": "/data", "_pages_location.search": search}

    def filled(items):
        return [{**item, "value": values.get(f"{item['id']}.{item['property']}")} for item in items]

    return {"output": dependency["output"], "outputs": outputs if dependency["output"].startswith("..") else outputs[0],
            "inputs": filled(dependency["inputs"]), "state": filled(dependency["state"]),
            "changedPropIds": list(values)}
