"""Data page: open a database and table from the URL state, describe the view, keep the URL in step."""

from __future__ import annotations

import dash
from dash import Dash, Input, Output, State, html, no_update

from dash_app import ids
from dash_app.callbacks import data_layout
from dash_app.callbacks.data_common import USER_ERRORS, problem_alert, NAMESPACE
from dash_app.callbacks.wiring import clientside, outputs
from dash_app.components import alert
from dash_app.data import export
from dash_app.data.catalog import RowCount, Table
from dash_app.data.query import ViewSpec, grid_view
from dash_app.data.urlstate import page_view, query_string
from dash_app.workbench import get_workbench


# What opening a table fills in. The order is the callback's on the wire: tests/db/test_data_hostile.py finds
# the callback by its first output.
PAGE_OUTPUTS = {
    "db_label": (ids.DATA_DB_MENU, "label"),
    "db_items": (ids.DATA_DB_MENU, "children"),
    "tables": (ids.DATA_TABLE_LIST, "children"),
    "title": (ids.DATA_TITLE, "children"),
    "column_defs": (ids.DATA_GRID, "columnDefs"),
    "filter_model": (ids.DATA_GRID, "filterModel"),
    "view": (ids.DATA_VIEW, "data"),
    "values": (ids.DATA_VALUES_STORE, "data"),
    "search": (ids.DATA_SEARCH, "value"),
    "column_options": (ids.DATA_COLUMNS_CHECKLIST, "options"),
    "columns": (ids.DATA_COLUMNS_CHECKLIST, "value"),
    "values_column_options": (ids.DATA_VALUES_COLUMN, "options"),
    "values_column": (ids.DATA_VALUES_COLUMN, "value"),
    "x_options": (ids.DATA_CHART_X, "options"),
    "x": (ids.DATA_CHART_X, "value"),
    "y_options": (ids.DATA_CHART_Y, "options"),
    "y": (ids.DATA_CHART_Y, "value"),
    "schema": (ids.DATA_SCHEMA, "children"),
    "alerts": (ids.DATA_ALERT, "children"),
}
# The page with no table open: nothing to browse, pick or chart.
NO_TABLE = {"tables": [], "title": "No table", "column_defs": [], "filter_model": None, "view": None, "values": {},
            "search": "", "column_options": [], "columns": [], "values_column_options": [], "values_column": None,
            "x_options": [], "x": None, "y_options": [], "y": None, "schema": []}
VIEW_OUTPUTS = {
    "count": (ids.DATA_COUNT, "children"),
    "csv_href": (ids.DATA_EXPORT_CSV, "href"),
    "xlsx_href": (ids.DATA_EXPORT_XLSX, "href"),
    "xlsx_class": (ids.DATA_EXPORT_XLSX, "className"),
    "xlsx_title": (ids.DATA_EXPORT_XLSX, "title"),
    "export_note": (ids.DATA_EXPORT_NOTE, "children"),
    "grid_note": (ids.DATA_GRID_NOTE, "children"),
}
EXPORT_CLASS = "btn btn-outline-secondary data-tool"
NO_EXCEL = {"xlsx_href": None, "xlsx_class": EXPORT_CLASS + " disabled", "xlsx_title": ""}


def register(app: Dash) -> None:
    """Register the callbacks that open tables and describe views."""
    app.callback(output=outputs(PAGE_OUTPUTS), inputs={"init": Input(ids.DATA_INIT, "data")})(open_table)
    app.callback(
        output={"view": Output(ids.DATA_VIEW, "data", allow_duplicate=True)},
        inputs={"filter_model": Input(ids.DATA_GRID, "filterModel"),
                "column_state": Input(ids.DATA_GRID, "columnState"),
                "search": Input(ids.DATA_SEARCH, "value"), "values": Input(ids.DATA_VALUES_STORE, "data")},
        state={"view": State(ids.DATA_VIEW, "data")},
        prevent_initial_call=True,
    )(follow_view)
    app.callback(output=outputs(VIEW_OUTPUTS), inputs={"view": Input(ids.DATA_VIEW, "data")})(describe_view)
    clientside(app, NAMESPACE, "syncUrl", Output(ids.DATA_URL_SYNC, "data"), Input(ids.DATA_VIEW, "data"),
               prevent_initial_call=True)
    clientside(app, NAMESPACE, "showColumns", Output(ids.DATA_COLUMNS_APPLIED, "data"),
               Input(ids.DATA_COLUMNS_CHECKLIST, "value"), State(ids.DATA_GRID, "id"), prevent_initial_call=True)
    clientside(app, NAMESPACE, "filterTables", Output(ids.DATA_TABLE_LIST, "className"),
               Input(ids.DATA_TABLE_SEARCH, "value"), State(ids.DATA_TABLE_LIST, "id"), prevent_initial_call=True)


def open_table(init: dict | None) -> dict:
    """Open the database and table the URL names (or the first ones), restoring its view."""
    data = get_workbench().data
    init = init or {}
    messages = [alert(init["problem"], "warning")] if init.get("problem") else []
    database, problem = data.pick_database(init.get("db"))
    if problem:
        messages.append(alert(problem, "warning"))
    label, items = data_layout.database_menu(data.database_names, database)
    menu = {"db_label": label, "db_items": items}
    try:
        opened = data.open(database, init.get("table"), init.get("view"))
    except USER_ERRORS as error:
        return {**NO_TABLE, **menu, "alerts": [*messages, problem_alert(error)]}
    messages += [alert(text, "warning") for text in opened.problems]
    tables = data_layout.table_list(database, opened.summaries, opened.table.name if opened.table else None)
    if opened.table is None:
        return {**NO_TABLE, **menu, "tables": tables, "title": "No tables",
                "alerts": [*messages, alert(f"{database!r} has no tables or views.", "info")]}
    editable = data.is_editable(database, opened.table.name)
    return {**menu, "tables": tables, **_table_outputs(database, opened.table, opened.spec, editable),
            "alerts": messages}


def _table_outputs(database: str, table: Table, spec: ViewSpec, editable: bool) -> dict:
    """What the page shows of an open table: its title, the grid's columns and filters, the pickers, the schema."""
    page_path = dash.get_relative_path("/data")
    return {
        "title": data_layout.title(table, editable),
        "column_defs": data_layout.column_defs(table, spec, database, page_path, editable),
        "filter_model": spec.filters or {},
        "view": {"db": database, "table": table.name, "view": spec.as_json(), "editable": editable},
        "values": spec.values or {},
        "search": spec.search,
        "column_options": _options(table.names),
        "columns": list(spec.columns) or list(table.names),
        **_pickers(table),
        "schema": data_layout.schema(table, database, page_path),
    }


def _pickers(table: Table) -> dict:
    """The Values and Chart tabs' column pickers, each on the column it starts with."""
    orderable = [c.name for c in table.columns if c.orderable]
    numbers = [c.name for c in table.columns if c.kind == "number"]
    texts = [c.name for c in table.columns if c.kind in ("text", "boolean") and not c.primary_key]
    dates = [c.name for c in table.columns if c.kind in ("date", "datetime")]
    return {
        "values_column_options": _options(orderable), "values_column": _first(texts, orderable),
        "x_options": _options(orderable), "x": _first(dates, orderable),
        "y_options": _options(numbers or orderable), "y": _first(numbers),
    }


def _options(names: list[str]) -> list[dict]:
    return [{"label": name, "value": name} for name in names]


def _first(*choices: list[str]) -> str | None:
    """The first name of the first list that has one."""
    return next((names[0] for names in choices if names), None)


def follow_view(filter_model, column_state, search, values, view) -> dict:
    """Keep the view (for the URL, counts, exports, charts) in step with the grid and the panels."""
    view = page_view(view)
    if not view:
        return {"view": no_update}
    compact = grid_view(view["view"], filters=filter_model, search=search, values=values, column_state=column_state)
    return {"view": no_update if compact == view["view"] else {**view, "view": compact}}


def describe_view(view) -> dict:
    """Show the view's row count and point the export links at it (Excel only where it fits).

    A new view also clears the grid's message about the previous one.
    """
    view = page_view(view)
    if not view:
        return {"count": "", "csv_href": None, **NO_EXCEL, "export_note": None, "grid_note": None}
    data = get_workbench().data
    base = dash.get_relative_path("/data/export")
    query = query_string(view["db"], view["table"], view["view"])
    shown = {"csv_href": f"{base}.csv?{query}", "grid_note": None}
    try:
        table, spec = data.view(view["db"], view["table"], view["view"])
        count = data.view_count(view["db"], table, spec)
    except USER_ERRORS as error:
        return {**shown, "count": "", **NO_EXCEL, "export_note": problem_alert(error)}
    return {**shown, "count": data_layout.count_badge(count.value, count.exact),
            **_excel_link(f"{base}.xlsx?{query}", count)}


def _excel_link(href: str, count: RowCount) -> dict:
    """The Excel button: the view's download, or disabled with the reason when the view is too big for a sheet."""
    if count.value is None or export.fits_excel(count.value):
        return {"xlsx_href": href, "xlsx_class": EXPORT_CLASS, "xlsx_title": "Download the view as Excel",
                "export_note": None}
    most = f"{export.EXCEL_MAX_DATA_ROWS:,}"
    note = html.P([html.I(className="bi bi-info-circle me-1"),
                   f"Excel holds at most {most} rows and this view has {'' if count.exact else 'about '}"
                   f"{count.value:,}: export CSV, or filter the view first."], className="data-export-note")
    return {**NO_EXCEL, "xlsx_title": f"More than {most} rows: too many for Excel", "export_note": note}
