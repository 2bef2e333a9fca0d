"""Hostile input through the real Dash callback endpoint and export routes, against all three databases.

Every value the browser can send is tried: quotes, comments, stacked statements, unicode, huge strings,
wrong types, unknown columns and operators. The page must get a clear message (or an honest empty
result), never a server error, and the data must be untouched.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from data_fixtures import checksum, checksums, component, narrow_name

GRID = "data-grid"
# The rows callback names its one output (callbacks/data_grid.py), so Dash sends it as a list of outputs.
ROWS_CALLBACK = "..data-grid.getRowsResponse.."
ROWS_OUTPUTS = [{"id": GRID, "property": "getRowsResponse"}]
INJECTION = "x'; DROP TABLE {table}; --"


@pytest.fixture
def client(awkward, tmp_path):
    from dash_app import create_app
    from dash_app.workbench import get_workbench
    from dash_app.settings import load_settings

    service, database, table, child, url = awkward
    settings = load_settings(data_dir=tmp_path / "app", databases={"db": url}, query_timeout_s=5)
    app = create_app(settings)
    yield app.server.test_client(), table, child, url
    get_workbench(app.server).dispose()


def rows_request(client, view, request, search="", values=None):
    payload = {
        "output": ROWS_CALLBACK,
        "outputs": ROWS_OUTPUTS,
        "inputs": [{"id": GRID, "property": "getRowsRequest", "value": request}],
        "state": [{"id": "data-view", "property": "data", "value": view},
                  {"id": "data-search", "property": "value", "value": search},
                  {"id": "data-values-store", "property": "data", "value": values}],
        "changedPropIds": [f"{GRID}.getRowsRequest"],
    }
    return client.post("/_dash-update-component", json=payload)


def grid_answer(response):
    assert response.status_code == 200, response.data[:500]
    body = response.get_json()
    note = body.get("sideUpdate", {}).get("data-grid-note", {}).get("children")  # set by set_props
    return body["response"][GRID]["getRowsResponse"], note


def message_of(note) -> str:
    return json.dumps(note, ensure_ascii=False)


def hostile_cases(table):
    injection = INJECTION.format(table=table)
    huge = "é" * 1_000_000
    block = {"startRow": 0, "endRow": 100}
    return {
        "unknown database": ({"db": "nope", "table": table}, block, "no database called"),
        "table name injection": ({"db": "db", "table": injection}, block, "no table or view"),
        "table name as a list": ({"db": "db", "table": [table]}, block, "Pick a table"),
        "sort column injection": ({"db": "db", "table": table},
                                  {**block, "sortModel": [{"colId": f"id; DROP TABLE {table}", "sort": "asc"}]},
                                  "does not exist"),
        "sort direction injection": ({"db": "db", "table": table},
                                     {**block, "sortModel": [{"colId": "id", "sort": "asc; DELETE FROM x"}]},
                                     "not asc or desc"),
        "sort on binary": ({"db": "db", "table": table}, {**block, "sortModel": [{"colId": "blob", "sort": "asc"}]},
                           "cannot be sorted"),
        "unknown filter column": ({"db": "db", "table": table},
                                  {**block, "filterModel": {"nope\"--": {"filterType": "text", "type": "contains",
                                                                          "filter": "a"}}}, "does not exist"),
        "unknown operator": ({"db": "db", "table": table},
                             {**block, "filterModel": {"name": {"filterType": "text", "type": "regexp", "filter": "a"}}},
                             "no operator"),
        "huge filter text": ({"db": "db", "table": table},
                             {**block, "filterModel": {"name": {"filterType": "text", "type": "contains",
                                                                "filter": huge}}}, "too long"),
        "number filter with text": ({"db": "db", "table": table},
                                    {**block, "filterModel": {"grp": {"filterType": "number", "type": "equals",
                                                                      "filter": "1 OR 1=1"}}}, "Expected a number"),
        "number filter infinity": ({"db": "db", "table": table},
                                   {**block, "filterModel": {"grp": {"filterType": "number", "type": "lessThan",
                                                                     "filter": "Infinity"}}}, "Expected a number"),
        "impossible date": ({"db": "db", "table": table},
                            {**block, "filterModel": {"day": {"filterType": "date", "type": "equals",
                                                              "dateFrom": "2024-13-45 00:00:00"}}}, "Expected a date"),
        "wrong filter type": ({"db": "db", "table": table},
                              {**block, "filterModel": {"grp": {"filterType": "text", "type": "contains",
                                                                "filter": "1"}}}, "takes a number filter"),
        "bad AND/OR": ({"db": "db", "table": table},
                       {**block, "filterModel": {"grp": {"filterType": "number", "operator": "XOR; --",
                                                         "conditions": [{"type": "blank"}]}}}, "not AND or OR"),
        "too many conditions": ({"db": "db", "table": table},
                                {**block, "filterModel": {"grp": {"filterType": "number", "operator": "OR",
                                                                  "conditions": [{"type": "blank"}] * 50}}},
                                "1 to 4 conditions"),
        "filter is a list": ({"db": "db", "table": table}, {**block, "filterModel": ["DROP"]}, "must be an object"),
        "lone surrogate": ({"db": "db", "table": table},
                           {**block, "filterModel": {"name": {"filterType": "text", "type": "equals",
                                                              "filter": "\ud800"}}}, "not Unicode"),
        "number beyond 64 bits": ({"db": "db", "table": table},
                                  {**block, "filterModel": {"grp": {"filterType": "number", "type": "equals",
                                                                    "filter": 10**30}}}, "beyond 64 bits"),
        "nested beyond reason": ({"db": "db", "table": table},
                                 {**block, "filterModel": {"grp": {"conditions": [[[[[[[[[[[[[[1]]]]]]]]]]]]]]}}},
                                 "nesting too deep"),
        "negative start": ({"db": "db", "table": table}, {"startRow": -100, "endRow": 0}, "impossible range"),
        "text start": ({"db": "db", "table": table}, {"startRow": "0; --", "endRow": 100}, "impossible range"),
        "huge block": ({"db": "db", "table": table}, {"startRow": 0, "endRow": 10**9}, "impossible range"),
    }


def test_hostile_grid_requests_get_a_clear_message_and_change_nothing(client):
    client, table, child, url = client
    before = checksum(url, table)
    for name, (view, request, expected) in hostile_cases(table).items():
        response, note = grid_answer(rows_request(client, view, request))
        assert response == {"rowData": [], "rowCount": 0}, name
        assert expected in message_of(note), f"{name}: {message_of(note)[:300]}"
    assert checksum(url, table) == before


@pytest.mark.parametrize("search,values", [
    ("'; DROP TABLE x; --", None), ("%_%", None), ("日本語", None), ("é" * 300, None),
    ("", {"grp": "not a list"}), ("", {"grp": [{"nested": 1}]}), ("", {"nope": [1]}), ("", {"flag": ["maybe"]}),
    ("", {"day": ["2024-01-01' OR '1'='1"]}),
])
def test_hostile_search_and_ticked_values_are_bound_or_refused(client, search, values):
    client, table, child, url = client
    before = checksum(url, table)
    response, note = grid_answer(rows_request(client, {"db": "db", "table": table}, {"startRow": 0, "endRow": 100},
                                              search=search, values=values))
    if note is not None:
        assert response == {"rowData": [], "rowCount": 0}
        assert any(word in message_of(note) for word in ("Expected", "Tick", "does not exist", "limited to"))
    else:
        assert response["rowCount"] == len(response["rowData"]) < 240
    assert checksum(url, table) == before


def test_a_sql_looking_search_finds_nothing_rather_than_everything(client):
    client, table, child, url = client
    response, note = grid_answer(rows_request(client, {"db": "db", "table": table}, {"startRow": 0, "endRow": 100},
                                              search="' OR '1'='1"))
    assert note is None and response == {"rowData": [], "rowCount": 0}


@pytest.mark.parametrize("query,status,expected", [
    # What is not there answers 404, as what the user may not export does (tests/db/test_data_roles.py).
    ("db=db&table=%s' OR 1=1", 404, "no table or view"),
    ("db=nope&table=x", 404, "no database"),
    ("db=db&table={table}&v={{broken", 400, "incomplete or damaged"),
    ("db=db&table={table}&v=" + json.dumps({"s": [["id; DROP TABLE x", "asc"]]}), 400, "does not exist"),
    ("db=db&table={table}&v=" + json.dumps({"f": {"grp": {"filterType": "number", "type": "equals", "filter": "x"}}}),
     400, "Expected a number"),
])
def test_hostile_export_parameters_are_refused_with_a_reason(client, query, status, expected):
    client, table, child, url = client
    before = checksum(url, table)
    for extension in ("csv", "xlsx"):
        response = client.get(f"/data/export.{extension}?" + query.replace("{table}", table))
        assert response.status_code == status
        assert expected in response.get_data(as_text=True)
    assert checksum(url, table) == before


def test_the_export_route_streams_the_view(client):
    client, table, child, url = client
    view = json.dumps({"f": {"grp": {"filterType": "number", "type": "equals", "filter": 1}}, "c": ["id", "grp"]})
    response = client.get(f"/data/export.csv?db=db&table={table}&v={view}")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Disposition"].startswith("attachment;")
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "id,grp" and len(lines) - 1 == 48 and all(line.endswith(",1") for line in lines[1:])
    response = client.get(f"/data/export.xlsx?db=db&table={table}&v={view}")
    assert response.status_code == 200 and response.get_data()[:2] == b"PK"


def test_an_excel_export_over_the_sheet_limit_is_refused_with_a_reason(client, monkeypatch):
    from dash_app.data import export

    client, table, child, url = client
    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 101)  # a sheet of 100 data rows, so 240 rows are too many
    monkeypatch.setattr(export, "EXCEL_MAX_DATA_ROWS", 100)
    response = client.get(f"/data/export.xlsx?db=db&table={table}")
    assert response.status_code == 413
    assert "more than 100 rows" in response.get_data(as_text=True) and "CSV" in response.get_data(as_text=True)
    view = json.dumps({"f": {"grp": {"filterType": "number", "type": "equals", "filter": 1}}})
    assert client.get(f"/data/export.xlsx?db=db&table={table}&v={view}").status_code == 200, "48 rows fit"


def callback_payload(client, first_output: str, inputs: dict, state: dict) -> dict:
    """The payload the browser posts for a callback, built from the app's own dependency list."""
    dependency = next(d for d in client.get("/_dash-dependencies").get_json()
                      if d["output"].lstrip(".").startswith(first_output))
    outputs = [dict(zip(("id", "property"), item.split(".", 1))) for item in dependency["output"].strip(".").split("...")]

    def filled(items, values):
        return [{**item, "value": values.get(f"{item['id']}.{item['property']}")} for item in items]

    multi = dependency["output"].startswith("..")  # named or several outputs travel as a list, as the browser sends them
    return {"output": dependency["output"], "outputs": outputs if multi else outputs[0],
            "inputs": filled(dependency["inputs"], inputs), "state": filled(dependency["state"], state),
            "changedPropIds": list(inputs)}


@pytest.mark.parametrize("address,expected", [
    ({"db": "nope'; --", "table": ""}, "no database called"),
    ({"db": "db", "table": "x' OR '1'='1"}, "showing the first one instead"),
    ({"db": "db", "table": "{table}", "v": json.dumps({"s": [["grp; DROP", "asc"]]})}, "was not applied"),
    ({"db": "db", "table": "{table}",
      "v": json.dumps({"f": {"amount": {"filterType": "number", "type": "equals", "filter": "DROP"}}})},
     "Expected a number"),
    ({"db": "db", "table": "{child}", "v": '{"s": [[['}, "incomplete or damaged"),  # not the first table: it stays open
    ({"db": "db", "table": "{table}", "v": '{"q": "\\ud800"}'}, "not Unicode"),
    ({"db": "db", "table": "{table}", "v": '{"f": {"amount": {"filterType": "number", "type": "equals", '
                                           '"filter": 1000000000000000000000000}}}'}, "64 bits"),
    ({"db": "db", "table": "{child}", "v": "[" * 5_000 + "]" * 5_000}, "incomplete or damaged"),
])
def test_a_hostile_address_opens_the_page_with_a_message(client, address, expected):
    """The page's layout opens the table the address names: a hostile one opens the plain table with a warning."""
    client, table, child, url = client
    before = checksum(url, table)
    search = "?" + urlencode({key: value.replace("{table}", table).replace("{child}", child)
                              for key, value in address.items()})
    response = client.post("/_dash-update-component", json=callback_payload(
        client, "_pages_content.children", {"_pages_location.pathname": "/data", "_pages_location.search": search}, {}))
    assert response.status_code == 200
    page = response.get_json()["response"]["_pages_content"]["children"]
    assert expected in message_of(component(page, "data-alert")["props"]["children"])
    assert component(page, "data-grid")["props"]["columnDefs"], "the page still opens a table"
    if address["db"] == "db" and address["table"] in ("{table}", "{child}"):
        named = table if address["table"] == "{table}" else child
        assert component(page, "data-view")["props"]["data"]["table"] == named, "the table the address names"
    assert checksum(url, table) == before


# ---- values a column cannot hold: a message that names the column (dash_app/data/capacity.py) -----------------

def cannot_hold_cases(table, dialect):
    """(view, request, search, values, expected words) per database: each names the column it is about."""
    block = {"startRow": 0, "endRow": 100}
    view = {"db": "db", "table": table}
    beyond = "100000000000000000000"  # 10**20: beyond every integer column, and beyond 64 bits
    cases = [
        (view, {**block, "filterModel": {"grp": {"filterType": "number", "type": "equals", "filter": beyond}}}, "",
         None, "Column 'grp' (INTEGER) holds whole numbers"),
        (view, block, "", {"grp": [beyond]}, "Column 'grp' (INTEGER) holds whole numbers"),
    ]
    if dialect != "sqlite":  # SQLite's columns hold any integer of 64 bits, its NUMERIC any number
        cases += [
            (view, {**block, "filterModel": {"grp": {"filterType": "number", "type": "lessThan", "filter": 2**40}}},
             "", None, "Column 'grp' (INTEGER) holds whole numbers from -2,147,483,648 to 2,147,483,647"),
            (view, {**block, "filterModel": {"amount": {"filterType": "number", "type": "equals", "filter": 10**12}}},
             "", None, "Column 'amount'"),
        ]
    if dialect == "mariadb":
        narrow = {"db": "db", "table": narrow_name(table)}
        emoji = {"filterType": "text", "type": "contains", "filter": "ok 😀"}
        cases += [
            (narrow, {**block, "filterModel": {"label": emoji}}, "", None, "Column 'label' (VARCHAR(40)) cannot hold '😀'"),
            (narrow, {**block, "filterModel": {"note": {**emoji, "type": "notEqual"}}}, "", None,
             "Column 'note' (TEXT) cannot hold '😀'"),
            (narrow, block, "", {"label": ["😀"]}, "Column 'label' (VARCHAR(40)) cannot hold '😀'"),
            (view, {**block, "filterModel": {"day": {"filterType": "date", "type": "lessThan", "dateFrom": "0999-12-31"}}},
             "", None, "Column 'day' (DATE) holds dates from 1000-01-01 to 9999-12-31"),
            (view, {**block, "filterModel": {"moment": {"filterType": "date", "type": "inRange", "dateFrom": "0001-01-01",
                                                        "dateTo": "2024-01-01"}}}, "", None, "Column 'moment' (DATETIME)"),
            (view, block, "", {"day": ["0500-01-01"]}, "Column 'day' (DATE) holds dates"),
        ]
    return cases


def test_a_number_typed_beyond_64_bits_in_a_number_filter_is_the_number_the_browser_holds(client):
    """JSON writes the browser's 1e20 as 100000000000000000000, an integer wider than 64 bits: the view takes the
    number (the page once answered 400 and lost the filter), and the grid answers for it."""
    client, table, child, url = client
    view = {"db": "db", "table": table, "view": {}, "editable": False}
    typed = {"amount": {"filterType": "number", "type": "greaterThan", "filter": 10**20}}
    followed = client.post("/_dash-update-component", json=callback_payload(  # callbacks/data_browse.py follow_view
        client, "data-view.data@", {"data-grid.filterModel": typed}, {"data-view.data": view}))
    assert followed.status_code == 200, followed.data[:300]
    kept = followed.get_json()["response"]["data-view"]["data"]["view"]["f"]["amount"]
    assert kept["filter"] == 1e20 and kept["type"] == "greaterThan"
    response, note = grid_answer(rows_request(client, {**view, "view": {"f": typed}}, {"startRow": 0, "endRow": 100,
                                                                                      "filterModel": typed}))
    assert response["rowData"] == [] and response.get("rowCount") == 0
    assert note is None or "Column 'amount'" in message_of(note), message_of(note)
    # The view store sends it back as the browser wrote it, digits again: the count and the exports take it too.
    described = client.post("/_dash-update-component", json=callback_payload(  # callbacks/data_browse.py
        client, "data-count.children", {"data-view.data": {**view, "view": {"f": typed}}}, {}))
    assert described.status_code == 200, described.data[:300]
    shown = described.get_json()["response"]
    if "Column 'amount'" in message_of(shown["data-grid-note"]["children"]):  # NUMERIC(10,2) is bounded here
        assert shown["data-export-csv"]["href"] is None and shown["data-export-xlsx"]["href"] is None
        assert shown["data-export-note"]["children"] is None, "the reason shows once, over the grid"
    else:  # SQLite's NUMERIC holds any number: no row is that big
        assert "0 rows" in message_of(shown["data-count"]["children"])
        assert client.get(shown["data-export-csv"]["href"]).status_code == 200, "the CSV link exports the view"


def test_a_value_a_column_cannot_hold_is_refused_with_a_message_naming_the_column(client):
    client, table, child, url = client
    dialect = url.split(":")[0].split("+")[0]
    before = checksums(url, table)
    for view, request, search, values, expected in cannot_hold_cases(table, dialect):
        response, note = grid_answer(rows_request(client, view, request, search=search, values=values))
        assert response == {"rowData": [], "rowCount": 0}
        assert expected in message_of(note), f"{expected}: {message_of(note)[:300]}"
        for word in ("Illegal mix", "could not answer", "pymysql", "psycopg", "sqlite3", "OperationalError"):
            assert word not in message_of(note)
    assert checksums(url, table) == before


def test_a_search_looks_only_in_the_columns_that_can_hold_it(client):
    """On MariaDB an emoji is searched in the wide column and not compared with the utf8mb3 ones; a search no
    text column can hold says which column cannot."""
    client, table, child, url = client
    if not url.startswith("mysql"):
        pytest.skip("only MariaDB has columns with a narrower character set here")
    narrow = {"db": "db", "table": narrow_name(table)}
    found, note = grid_answer(rows_request(client, narrow, {"startRow": 0, "endRow": 100}, search="😀"))
    assert note is None and [row["id"] for row in found["rowData"]] == [1]
    found, note = grid_answer(rows_request(client, narrow, {"startRow": 0, "endRow": 100}, search="日本語"))
    assert note is None and [row["id"] for row in found["rowData"]] == [1], "what utf8mb3 holds is searched there"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_first_and_last_days_of_the_calendar_filter_without_an_error(client, day):
    """The last day has no next day in Python: 'equals 9999-12-31' is everything from that day on."""
    client, table, child, url = client
    for operation in ("equals", "notEqual", "lessThan", "greaterThan", "inRange"):
        condition = {"filterType": "date", "type": operation, "dateFrom": day, "dateTo": day}
        response, note = grid_answer(rows_request(client, {"db": "db", "table": table}, {
            "startRow": 0, "endRow": 100, "filterModel": {"moment" if url.startswith("mysql") else "day": condition}}))
        if note is not None:  # MariaDB documents its dates from 1000-01-01 on
            assert url.startswith("mysql") and day == "0001-01-01" and "Column 'moment'" in message_of(note)
        else:
            everything = {"notEqual", "greaterThan" if day == "0001-01-01" else "lessThan"}
            assert len(response["rowData"]) == (100 if operation in everything else 0), operation


def test_an_export_of_a_value_a_column_cannot_hold_is_refused_naming_the_column(client):
    client, table, child, url = client
    view = json.dumps({"f": {"grp": {"filterType": "number", "type": "equals", "filter": "100000000000000000000"}}})
    for extension in ("csv", "xlsx"):
        response = client.get(f"/data/export.{extension}?db=db&table={table}&v={view}")
        assert response.status_code == 400 and "Column 'grp' (INTEGER) holds whole numbers" in response.get_data(as_text=True)
    if url.startswith("mysql"):
        view = json.dumps({"f": {"label": {"filterType": "text", "type": "contains", "filter": "😀"}}})
        response = client.get(f"/data/export.csv?db=db&table={narrow_name(table)}&v={view}")
        assert response.status_code == 400 and "Column 'label' (VARCHAR(40)) cannot hold" in response.get_data(as_text=True)
