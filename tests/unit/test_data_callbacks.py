"""Every Data page callback called as a plain function against a small real SQLite database.

Each test asserts what the user would see: the rows, counts, messages, the view kept in the URL, and the
refusal of hostile input. Only the two adapters that need Dash's request (the values panel asks which input
fired; the grid shows a problem with ``set_props``) are also driven once through Dash's own endpoint.
"""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import parse_qs, urlsplit

import plotly.utils
import pytest
from dash import no_update
from dash.development.base_component import Component

from dash_app import ids
from dash_app.callbacks import data_browse, data_chart, data_edit, data_grid, data_values
from dash_app.components import data as data_views
from dash_app.callbacks.data_values import NULL_MARKER
from tests.unit.data_support import locked, press_run_chart
from tests.unit.runs_support import wait_until

ORDERS = [(1, "shipped", 10.5, "2024-01-01", "a"), (2, "shipped", 20.0, "2024-01-02", "b"),
          (3, "cancelled", 5.0, "2024-02-01", None), (4, "pending", None, "2024-02-03", "d"),
          (5, "shipped", 7.25, "2024-03-09", "e")]


@pytest.fixture
def shop(tmp_path):
    """A SQLite file: orders (with a NULL), customers referring to orders, a view, and an empty second file."""
    path = tmp_path / "shop.sqlite"
    with sqlite3.connect(path) as connection:
        connection.executescript("""
            CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT NOT NULL, amount REAL, day DATE, note TEXT);
            CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, last_order INTEGER REFERENCES orders(id));
            CREATE VIEW shipped AS SELECT id, amount FROM orders WHERE status = 'shipped';
        """)
        connection.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?)", ORDERS)
        connection.executemany("INSERT INTO customers VALUES (?, ?, ?)", [(1, "Ana", 2), (2, "Bob", 5)])
    connection.close()
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()
    return path, empty


@pytest.fixture
def app(shop, tmp_path):
    from dash_app import create_app
    from dash_app.settings import load_settings
    from dash_app.workbench import get_workbench

    path, empty = shop
    settings = load_settings(data_dir=tmp_path / "data",
                             databases={"shop": f"sqlite:///{path}", "empty": f"sqlite:///{empty}",
                                        "gone": f"sqlite:///{tmp_path / 'missing.sqlite'}"},
                             editable_tables={"shop": ["orders"]})
    app = create_app(settings)
    yield app
    get_workbench(app.server).dispose()


@pytest.fixture
def request_context(app):
    with app.server.test_request_context("/"):
        yield


def text(component) -> str:
    """The text a user reads in a component (or list of them), spaces collapsed."""
    if component is None or component is no_update:
        return ""
    if isinstance(component, (list, tuple)):
        return " ".join(" ".join(text(item) for item in component).split())
    if isinstance(component, Component):
        return text(getattr(component, "children", None))
    return " ".join(str(component).split())


def color(alert) -> str:
    return alert.color


def opened(table="orders", view=None, db="shop", problem=None) -> dict:
    return data_views.open_table({"db": db, "table": table, "view": view or {}, "problem": problem})


def page_view(table="orders", view=None, db="shop", editable=True) -> dict:
    """The view store as open_table leaves it."""
    return {"db": db, "table": table, "view": view or {}, "editable": editable}


def block(view=None, start=0, end=100, search="", values=None, **request):
    response, problem = data_grid.answer_block({"startRow": start, "endRow": end, **request}, view, search, values)
    return response, problem


def orders_checksum(shop) -> list:
    with sqlite3.connect(shop[0]) as connection:
        return connection.execute("SELECT * FROM orders ORDER BY id").fetchall()


# ---- the page as the address opens it ------------------------------------------------------------------------------------

def test_opening_the_page_without_an_address_shows_the_first_table(request_context):
    page = data_views.open_table({"db": None, "table": None, "view": {}, "problem": None})
    assert text(page["db_label"]).strip() == "shop"
    assert [item.children[-1] for item in page["db_items"]] == ["shop", "empty", "gone"]
    assert "customers" in text(page["title"]) and "read-only" in text(page["title"]), "the first table by name"
    assert page["view"] == page_view("customers", editable=False)
    assert [definition["field"] for definition in page["column_defs"]] == ["id", "name", "last_order"]
    assert "orders" in text(page["tables"]) and "shipped" in text(page["tables"]) and page["alerts"] == []
    assert text(opened()["title"]).split() == ["orders", "editable"]


def test_the_address_restores_the_table_view_and_pickers(request_context):
    view = {"s": [["amount", "desc"]], "f": {"status": {"filterType": "text", "type": "equals", "filter": "shipped"}},
            "q": "a", "c": ["id", "amount"], "v": {"note": ["a", None]}}
    page = opened(view=view)
    assert page["view"]["view"] == view and page["filter_model"] == view["f"]
    assert page["search"] == "a" and page["values"] == {"note": ["a", None]}
    assert page["columns"] == ["id", "amount"] and len(page["column_options"]) == 5
    shown = {d["field"]: d for d in page["column_defs"]}
    assert shown["amount"]["sort"] == "desc" and shown["status"]["hide"] is True
    assert shown["id"]["editable"] is False and shown["status"]["editable"] is True, "a key is never editable"
    assert (page["values_column"], page["x"], page["y"]) == ("status", "day", "id")
    assert "Primary key" in text(page["schema"])


def test_a_read_only_table_links_its_foreign_key_and_no_cell_is_editable(request_context):
    page = opened("customers")
    assert "read-only" in text(page["title"])
    definitions = {d["field"]: d for d in page["column_defs"]}
    assert definitions["last_order"]["cellRendererParams"]["table"] == "orders"
    assert not any(d["editable"] for d in definitions.values())
    assert "orders.id" in text(page["schema"])


@pytest.mark.parametrize("init,expected,table", [
    ({"db": "nope'; DROP TABLE orders; --", "table": None}, "no database called", "customers"),
    ({"db": "shop", "table": "orders; DROP TABLE orders"}, "showing the first one instead", "customers"),
    ({"db": "shop", "table": "orders", "view": {"s": [["id; DROP TABLE orders", "asc"]]}}, "was not applied", "orders"),
    ({"db": "shop", "table": "orders", "view": {"f": {"amount": {"filterType": "number", "type": "equals",
                                                                  "filter": "1 OR 1=1"}}}}, "Expected a number", "orders"),
    ({"db": "shop", "table": None, "problem": "The view in the address is incomplete or damaged"},
     "incomplete or damaged", "customers"),
])
def test_a_hostile_address_still_opens_a_table_with_a_warning(request_context, shop, init, expected, table):
    before = orders_checksum(shop)
    page = data_views.open_table({"view": {}, "problem": None, **init})
    assert expected in text(page["alerts"]) and {color(alert) for alert in page["alerts"]} == {"warning"}
    assert page["view"]["table"] == table and page["view"]["view"] == {}, "the plain table opens"
    assert orders_checksum(shop) == before


def test_a_database_without_tables_or_that_cannot_open_says_so(request_context):
    empty = opened(table=None, db="empty")
    assert empty["title"] == "No tables" and empty["view"] is None and empty["column_defs"] == []
    assert "'empty' has no tables or views" in text(empty["alerts"])
    gone = opened(table=None, db="gone")
    assert gone["title"] == "No table" and gone["view"] is None
    assert "could not answer" in text(gone["alerts"]) and color(gone["alerts"][-1]) == "danger"
    assert "does not answer" in text(gone["alerts"]) and "unable to open" not in text(gone["alerts"]), \
        "in plain words, not the driver's"


# ---- follow_view -----------------------------------------------------------------------------------

def test_the_grid_and_panels_state_becomes_the_view_in_the_address(request_context):
    columns = [{"colId": "id"}, {"colId": "amount", "sort": "desc", "sortIndex": 1},
               {"colId": "status", "sort": "asc", "sortIndex": 0}, {"colId": "note", "hide": True}]
    followed = data_browse.follow_view({"amount": {"filterType": "number", "type": "greaterThan", "filter": 6}},
                                       columns, "  ship ", {"status": ["shipped"]}, page_view())["view"]
    assert followed["view"] == {"f": {"amount": {"filterType": "number", "type": "greaterThan", "filter": 6}},
                                "q": "ship", "v": {"status": ["shipped"]},
                                "s": [["status", "asc"], ["amount", "desc"]], "c": ["id", "amount", "status"]}
    again = data_browse.follow_view(followed["view"]["f"], columns, "ship", {"status": ["shipped"]}, followed)
    assert again["view"] is no_update, "the same state does not write the view again"
    cleared = data_browse.follow_view({}, [{"colId": "id"}, {"colId": "amount"}], "", {}, followed)["view"]
    assert cleared["view"] == {"c": ["id", "amount"]}, "columns once chosen stay in the address"
    assert data_browse.follow_view({}, None, "", {}, None)["view"] is no_update


# ---- describe_view ---------------------------------------------------------------------------------

def test_the_view_is_counted_and_the_exports_point_at_it(request_context):
    filtered = {"f": {"status": {"filterType": "text", "type": "equals", "filter": "shipped"}}}
    shown = data_browse.describe_view(page_view(view=filtered))
    assert text(shown["count"]).strip() == "3 rows"
    assert shown["csv_href"].startswith("/data/export.csv?db=shop&table=orders&v=")
    assert json.loads(parse_qs(urlsplit(shown["csv_href"]).query)["v"][0]) == filtered
    assert shown["xlsx_href"].startswith("/data/export.xlsx?") and "disabled" not in shown["xlsx_class"]
    assert "disabled" not in shown["csv_class"]
    assert shown["export_note"] is None and shown["grid_note"] is None
    assert text(data_browse.describe_view(page_view())["count"]).strip() == "5 rows"


def test_a_view_too_big_for_excel_disables_the_excel_export_with_the_reason(request_context, monkeypatch):
    from dash_app.data import export

    monkeypatch.setattr(export, "EXCEL_MAX_DATA_ROWS", 4)
    shown = data_browse.describe_view(page_view())
    assert shown["xlsx_href"] is None and "disabled" in shown["xlsx_class"]
    assert "Excel holds at most 4 rows and this view has 5" in text(shown["export_note"])
    assert shown["csv_href"] and "disabled" not in shown["csv_class"], "CSV still exports it"


def test_a_hostile_view_is_not_counted_and_says_why_once_with_both_exports_unavailable(request_context):
    """The reason shows where the grid's failing block puts the same one (callbacks/data_grid.py): once."""
    shown = data_browse.describe_view(page_view(view={"s": [["amount; DELETE FROM orders", "asc"]]}))
    assert shown["count"] == "" and shown["xlsx_href"] is None and shown["csv_href"] is None
    assert "disabled" in shown["xlsx_class"] and "disabled" in shown["csv_class"], "no button that does nothing"
    assert "does not exist" in text(shown["grid_note"]) and shown["export_note"] is None
    empty = data_browse.describe_view(None)
    assert empty["count"] == "" and empty["csv_href"] is None and "disabled" in empty["xlsx_class"]
    assert "disabled" in empty["csv_class"]


# ---- rows ------------------------------------------------------------------------------------------

def test_a_block_is_the_view_sorted_filtered_and_searched_in_the_database(request_context):
    response = data_grid.rows({"startRow": 0, "endRow": 100}, page_view(), "", {})["response"]
    assert [row["id"] for row in response["rowData"]] == [1, 2, 3, 4, 5] and response["rowCount"] == 5
    response, problem = block(page_view(), sortModel=[{"colId": "amount", "sort": "desc"}],
                              filterModel={"status": {"filterType": "text", "type": "equals", "filter": "shipped"}})
    assert problem is None and [row["amount"] for row in response["rowData"]] == [20.0, 10.5, 7.25]
    response, _ = block(page_view(), search="cancel")
    assert [row["id"] for row in response["rowData"]] == [3]
    response, _ = block(page_view(), values={"note": [None]})
    assert [row["id"] for row in response["rowData"]] == [3], "a ticked blank is NULL"
    assert data_grid.rows(None, page_view(), "", {})["response"] is no_update


def test_a_page_with_no_table_open_gets_an_empty_finished_grid(request_context):
    assert block(None) == ({"rowData": [], "rowCount": 0}, None)


@pytest.mark.parametrize("request_parts,search,values,expected", [
    ({"filterModel": {"status": {"filterType": "text", "type": "equals", "filter": "x' OR '1'='1"}}}, "", None, None),
    ({"filterModel": {"amount": {"filterType": "number", "type": "equals", "filter": "1; DROP TABLE orders"}}},
     "", None, "Expected a number"),
    ({"filterModel": {"status\"; DROP TABLE orders; --": {"filterType": "text", "type": "contains", "filter": "a"}}},
     "", None, "does not exist"),
    ({"sortModel": [{"colId": "id", "sort": "asc; DELETE FROM orders"}]}, "", None, "not asc or desc"),
    ({"startRow": 0, "endRow": 10**9}, "", None, "impossible range"),
    ({"startRow": -100, "endRow": 0}, "", None, "impossible range"),
    ({"startRow": "0; --", "endRow": 100}, "", None, "impossible range"),
    ({}, "x" * 500, None, "limited to 200"),
    ({}, "", {"amount": ["1 OR 1=1"]}, "Expected a number"),
])
def test_hostile_grid_requests_are_refused_or_bound_and_change_nothing(request_context, shop, request_parts, search,
                                                                       values, expected):
    before = orders_checksum(shop)
    response, problem = block(page_view(), search=search, values=values, **request_parts)
    if expected is None:  # bound as a value: it matches nothing
        assert problem is None and response == {"rowData": [], "rowCount": 0}
    else:
        assert response == {"rowData": [], "rowCount": 0} and expected in str(problem)
    assert orders_checksum(shop) == before


def test_a_hostile_block_request_shows_its_reason_beside_the_grid(app, shop):
    """The rows callback through Dash's endpoint: the reason arrives as the grid note (``set_props``)."""
    answer = post_callback(app, "..data-grid.getRowsResponse..",
                           {"data-grid.getRowsRequest": {"startRow": 0, "endRow": 10**9}},
                           {"data-view.data": page_view()})
    assert answer["response"]["data-grid"]["getRowsResponse"] == {"rowData": [], "rowCount": 0}
    assert "impossible range" in json.dumps(answer["sideUpdate"]["data-grid-note"])


# ---- values panel ----------------------------------------------------------------------------------

def values(trigger=None, column="status", ticked=None, chips=None, filter_model=None, search="", tab="values",
           stored=None, view="default"):
    chips = chips or {}
    return data_values.show_values(
        trigger, column=column, ticked=ticked, chip_clicks=list(chips.values()),
        chip_ids=[{"type": "data-chip", "column": name} for name in chips], filter_model=filter_model,
        search=search, active_tab=tab, values=stored, view=page_view() if view == "default" else view)


def test_the_values_tab_lists_a_columns_values_with_counts(request_context):
    shown = values()
    labels = [text(option["label"]) for option in shown["options"]]
    assert labels[0].split() == ["shipped", "3"] and len(labels) == 3
    assert shown["ticked"] == [] and shown["note"] is None and shown["chips"] == []
    notes = values(column="note")
    assert NULL_MARKER in [option["value"] for option in notes["options"]], "NULL is listed, as a marker"
    filtered = values(filter_model={"status": {"filterType": "text", "type": "equals", "filter": "pending"}})
    assert [text(option["label"]).split()[0] for option in filtered["options"]] == ["pending"]


def test_a_fixed_point_columns_values_and_chips_show_its_decimals_as_the_grid_does(request_context, shop):
    with sqlite3.connect(shop[0]) as connection:
        connection.execute("CREATE TABLE prices (id INTEGER PRIMARY KEY, price NUMERIC(10,2))")
        connection.executemany("INSERT INTO prices VALUES (?, ?)", [(1, 29.5), (2, 29.5), (3, 3), (4, None)])
    connection.close()
    listed = values(column="price", view=page_view(table="prices"))
    assert [text(option["label"]).split()[0] for option in listed["options"]] == ["29.50", "(blank)", "3.00"]
    ticked = values(trigger="data-values-list", column="price", ticked=[29.5, 3], view=page_view(table="prices"))
    assert "price is 29.50, 3.00" in text(ticked["chips"]) and ticked["values"] == {"price": [29.5, 3]}


def test_ticking_values_filters_the_view_and_a_chip_removes_it(request_context):
    ticked = values(trigger="data-values-list", column="note", ticked=["a", NULL_MARKER])
    assert ticked["values"] == {"note": ["a", None]} and ticked["ticked"] == ["a", NULL_MARKER]
    assert "note is a, (blank)" in text(ticked["chips"])
    redrawn = values(trigger={"type": "data-chip", "column": "note"}, column="note", chips={"note": None},
                     stored=ticked["values"])
    assert all(value is no_update for value in redrawn.values()), "drawing the chips again removes nothing"
    removed = values(trigger={"type": "data-chip", "column": "note"}, column="note", chips={"note": 1},
                     stored=ticked["values"])
    assert removed["values"] == {} and removed["chips"] == [] and removed["ticked"] == []


def test_the_values_query_runs_only_on_the_values_tab_and_refuses_a_hostile_column(request_context):
    elsewhere = values(trigger="data-values-list", ticked=["shipped"], tab="rows")
    assert elsewhere["values"] == {"status": ["shipped"]} and elsewhere["options"] is no_update
    hostile = values(column="status; DROP TABLE orders")
    assert hostile["options"] == [] and "does not exist" in text(hostile["note"])
    assert values(view=None)["options"] == []
    blank = values(filter_model={"status": {"filterType": "text", "type": "equals", "filter": "none such"}})
    assert "No values in this view" in text(blank["note"])


def test_the_values_panel_knows_which_input_fired(app):
    """The values panel through Dash's endpoint: ticking a value keeps it in the store and draws its chip."""
    answer = post_callback(app, "..data-values-store.data",
                           {"data-values-list.value": ["cancelled"], "data-values-column.value": "status",
                            "data-tabs.active_tab": "values"},
                           {"data-view.data": page_view(), "data-values-store.data": {}},
                           changed=["data-values-list.value"])
    assert answer["response"]["data-values-store"]["data"] == {"status": ["cancelled"]}
    assert "status" in json.dumps(answer["response"]["data-chips"]["children"])


# ---- chart -----------------------------------------------------------------------------------------

def test_a_chart_counts_the_view_by_a_column_and_says_how_long_it_took(request_context):
    drawn = data_chart.chart(1, "status", None, "count", "none", page_view(), False)
    bars = drawn["chart"].figure.data[0]
    assert dict(zip(bars.x, bars.y)) == {"shipped": 3, "cancelled": 1, "pending": 1}
    assert drawn["chart"].id == ids.DATA_CHART_GRAPH and "3 groups in" in text(drawn["status"])
    by_month = data_chart.chart(1, "day", "amount", "sum", "month",
                                page_view(view={"q": "shipped"}), True)["chart"].figure.data[0]
    assert list(by_month.y) == [30.5, 7.25] and by_month.marker.color == data_chart.BAR_COLOURS[True]


@pytest.mark.parametrize("x,y,aggregate,bucket,expected", [
    ("status", "note", "sum", "none", "needs a numeric column"),
    ("status; DROP TABLE orders", None, "count", "none", "does not exist"),
    ("status", None, "count(*)); --", "none", "Pick an aggregate"),
    ("status", None, "count", "decade", "Pick a date bucket"),
])
def test_a_chart_of_something_impossible_says_why(request_context, shop, x, y, aggregate, bucket, expected):
    before = orders_checksum(shop)
    drawn = data_chart.chart(1, x, y, aggregate, bucket, page_view(), False)
    assert drawn["chart"] is None, "no chart is left from before"
    assert expected in text(drawn["status"])
    assert orders_checksum(shop) == before


def test_two_pages_that_chart_the_same_view_at_the_same_time_each_get_the_chart(app):
    """Two users press Run on the same view with the same choices: two jobs, and each page gets its chart, also
    when both jobs have finished before either page looks (one result for both: the first look took it)."""
    import multiprocess

    starts = [press_run_chart(app, page_view(), "status").get_json() for _page in range(2)]
    wait_until(lambda: not multiprocess.active_children(), timeout_s=60)  # both job processes have ended
    for started in starts:
        answer = press_run_chart(app, page_view(), "status", started)
        assert answer.status_code == 200, "204: this page's chart ended with nothing"
        assert "3 groups in" in json.dumps(answer.get_json()["response"])


def test_a_look_at_a_chart_whose_job_ends_during_the_look_ends_it_as_cancelled(app, shop, monkeypatch):
    """Cancel answered in one thread kills and reaps the chart's job process while the page's look at the job,
    in another, has seen the process and then opens it. The chart ends as a cancelled chart does (nothing to
    show), not with a message that the job queue is unavailable; stopping the gone job again is no error."""
    import multiprocess
    import psutil

    with locked(shop[0]):
        before = set(multiprocess.active_children())
        started = press_run_chart(app, page_view(), "status").get_json()
        [job] = set(multiprocess.active_children()) - before
        job.kill()  # Cancel, as the manager does it: killed, then reaped
        job.join()
        monkeypatch.setattr(psutil, "pid_exists", lambda pid: True)  # the look saw the process before it went
        answer = press_run_chart(app, page_view(), "status", started)
        assert answer.status_code == 204, answer.get_data(as_text=True)[:300]
        app._background_manager.terminate_job(job.pid)  # noqa: SLF001 - a second Cancel of the gone job


def test_the_chart_follows_the_colour_mode_without_querying_again(request_context):
    assert all(value is no_update for value in data_chart.chart(None, "status", None, "count", "none",
                                                                page_view(), False).values())
    graph = data_chart.chart(1, "status", None, "count", "none", page_view(), False)["chart"]
    shown = json.loads(json.dumps(graph, cls=plotly.utils.PlotlyJSONEncoder))  # as the browser sends it back
    patch = data_chart.follow_colour_mode(True, shown)["chart"]
    operations = json.dumps(patch.to_plotly_json())
    assert data_chart.BAR_COLOURS[True] in operations and data_chart.DARK["font"]["color"] in operations
    assert data_chart.follow_colour_mode(True, None)["chart"] is no_update


# ---- edits -----------------------------------------------------------------------------------------

def edit(column, old, new, row_id=1, refreshes=3, table="orders"):
    change = {"data": {"id": row_id}, "colId": column, "oldValue": old, "value": new}
    return data_edit.save_edit([change], page_view(table=table), refreshes)


def test_an_edit_of_an_editable_table_is_saved(request_context, shop):
    saved = edit("amount", 10.5, "11.75")
    assert "Saved amount of the row with id = 1." in text(saved["note"]) and color(saved["note"]) == "success"
    assert saved["refresh"] is no_update
    assert orders_checksum(shop)[0][2] == 11.75


@pytest.mark.parametrize("column,old,new,table,expected", [
    ("amount", 99, 1, "orders", "changed"),
    ("id", 1, 2, "orders", "Primary key"),
    ("amount", 10.5, "1; DROP TABLE orders", "orders", "number"),
    ("name", "Ana", "Eve", "customers", "read-only"),
])
def test_a_refused_edit_says_why_and_reloads_the_rows(request_context, shop, column, old, new, table, expected):
    before = orders_checksum(shop)
    refused = edit(column, old, new, table=table)
    assert expected in text(refused["note"]) and refused["refresh"] == 4
    assert orders_checksum(shop) == before


def test_an_unreadable_edit_and_a_read_only_double_click_get_a_message(request_context):
    unreadable = data_edit.save_edit(["not an edit"], page_view(), None)
    assert "cannot be read" in text(unreadable["note"]) and unreadable["refresh"] == 1
    assert data_edit.save_edit(None, page_view(), 0)["note"] is no_update
    refused = data_edit.refuse_read_only({"rowIndex": 0}, page_view(table="customers"))
    assert "'customers' is read-only" in text(refused["note"]) and color(refused["note"]) == "info"
    assert data_edit.refuse_read_only({"rowIndex": 0}, page_view())["note"] is no_update


# ---- Dash's endpoint, for the two adapters that need a callback request ---------------------------------

def post_callback(app, output: str, inputs: dict, state: dict, changed: list[str] | None = None) -> dict:
    """Post a callback as the browser does, from the app's own dependency list; return the answer's body."""
    client = app.server.test_client()
    dependency = next(d for d in client.get("/_dash-dependencies").get_json() if d["output"].startswith(output))
    outputs = [dict(zip(("id", "property"), item.split("@")[0].split(".", 1)))
               for item in dependency["output"].strip(".").split("...")]

    def filled(items, values):
        return [{**item, "value": values.get(f"{item['id']}.{item['property']}")} if isinstance(item["id"], str)
                else [] for item in items]  # a pattern-matching ALL input with no component on the page

    answer = client.post("/_dash-update-component", json={
        "output": dependency["output"], "outputs": outputs, "inputs": filled(dependency["inputs"], inputs),
        "state": filled(dependency["state"], state), "changedPropIds": changed or list(inputs)})
    assert answer.status_code == 200, answer.data[:500]
    return answer.get_json()



@pytest.mark.parametrize("damaged,grid_problem", [
    ("orders", None), (["shop", "orders"], None), ({"db": "shop"}, "Pick a table"),
    ({"db": ["shop"], "table": "orders"}, "no database called"), ({"db": "shop", "table": "orders", "view": "x"}, None),
])
def test_a_damaged_view_store_gets_a_message_or_no_table_in_every_callback(request_context, shop, damaged,
                                                                          grid_problem):
    """The view store is written by the server; one a client tampered with is refused with the reason, or is no
    table open when it is not even an object: never a server error, never a changed row."""
    before = orders_checksum(shop)
    data_browse.follow_view(None, None, "", {}, damaged)
    described = data_browse.describe_view(damaged)
    response, problem = block(damaged)
    if grid_problem:
        assert grid_problem in str(problem) and response == {"rowData": [], "rowCount": 0}
        assert described["count"] == "" and grid_problem in text(described["grid_note"])
    elif isinstance(damaged, dict):
        assert [row["id"] for row in response["rowData"]] == [1, 2, 3, 4, 5], "a view that is not an object: plain table"
    else:
        assert block(damaged) == block(None), "no view stored: the grid shows what the address opens"
        assert described["count"] == ""
    data_chart.chart(1, "status", None, "count", None, damaged, False)
    data_values.show_values(None, column="status", ticked=None, chip_clicks=[], chip_ids=[], filter_model=None,
                            search="", active_tab="values", values={}, view=damaged)
    stale = {"data": {"id": 1}, "colId": "status", "oldValue": "pending", "value": "lost"}  # refused everywhere
    data_edit.save_edit([stale], damaged, 0)
    data_edit.refuse_read_only(1, damaged)
    assert orders_checksum(shop) == before


def test_the_density_and_side_panel_start_as_before_and_are_kept_in_the_browser(app):
    """The switches themselves run in the browser (assets/js/data.js, driven in tests/browser/test_data_page.py);
    here: the page starts comfortable with its panel shown, and both choices go to local storage."""
    from dash_app import ids
    from dash_app.pages import data as data_page

    page = data_page.layout(db="shop", table="orders")
    parts = {component.id: component for component in _components(page) if getattr(component, "id", None)}
    assert parts[ids.DATA_DENSITY_STORE].storage_type == parts[ids.DATA_PANEL_STORE].storage_type == "local"
    toggle = parts[ids.DATA_DENSITY_TOGGLE]
    assert getattr(toggle, "aria-pressed") == "false" and "Compact" in text(toggle) and toggle.title
    for button in (ids.DATA_PANEL_HIDE, ids.DATA_PANEL_SHOW):
        assert getattr(parts[button], "aria-controls") == ids.DATA_SIDE_PANEL
        assert getattr(parts[button], "aria-expanded") == "true" and parts[button].title
    assert "Tables" in text(parts[ids.DATA_PANEL_SHOW])
    outputs = " ".join(app.callback_map)
    assert f"{ids.DATA_DENSITY_STORE}.data" in outputs and f"{ids.DATA_PANEL_STORE}.data" in outputs


def _components(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if isinstance(child, Component):
            yield from _components(child)
