"""Data page: open a database and table from the URL state, describe the view, keep the URL in step."""

from __future__ import annotations

import dash
from dash import ClientsideFunction, Dash, Input, Output, State, html, no_update

from dash_app import ids
from dash_app.callbacks import data_layout
from dash_app.callbacks.data_common import USER_ERRORS, problem_color
from dash_app.components import alert
from dash_app.data import export
from dash_app.data.limits import QueryTimeout
from dash_app.data.urlstate import query_string
from dash_app.workbench import get_workbench

COUNT_SECONDS = 3.0
NAMESPACE = "data"


def register(app: Dash) -> None:
    """Register the callbacks that open tables and describe views."""

    @app.callback(
        Output(ids.DATA_DB_MENU, "label"),
        Output(ids.DATA_DB_MENU, "children"),
        Output(ids.DATA_TABLE_LIST, "children"),
        Output(ids.DATA_TITLE, "children"),
        Output(ids.DATA_GRID, "columnDefs"),
        Output(ids.DATA_GRID, "filterModel"),
        Output(ids.DATA_VIEW, "data"),
        Output(ids.DATA_VALUES_STORE, "data"),
        Output(ids.DATA_SEARCH, "value"),
        Output(ids.DATA_COLUMNS_CHECKLIST, "options"),
        Output(ids.DATA_COLUMNS_CHECKLIST, "value"),
        Output(ids.DATA_VALUES_COLUMN, "options"),
        Output(ids.DATA_VALUES_COLUMN, "value"),
        Output(ids.DATA_CHART_X, "options"),
        Output(ids.DATA_CHART_X, "value"),
        Output(ids.DATA_CHART_Y, "options"),
        Output(ids.DATA_CHART_Y, "value"),
        Output(ids.DATA_SCHEMA, "children"),
        Output(ids.DATA_ALERT, "children"),
        Input(ids.DATA_INIT, "data"),
    )
    def open_table(init):
        """Open the database and table the URL names (or the first ones), restoring its view."""
        data = get_workbench().data
        messages = [alert(init["problem"], "warning")] if init.get("problem") else []
        database, problem = data.pick_database(init.get("db"))
        if problem:
            messages.append(alert(problem, "warning"))
        menu = data_layout.database_menu(data.database_names, database)
        try:
            opened = data.open(database, init.get("table"), init.get("view"))
        except USER_ERRORS as error:
            empty = (menu[0], menu[1], [], "No table", [], None, None, {}, "", [], [], [], None, [], None, [], None,
                     [], [*messages, alert(str(error), problem_color(error))])
            return empty
        messages += [alert(text, "warning") for text in opened.problems]
        table, spec = opened.table, opened.spec
        tables = data_layout.table_list(database, opened.summaries, table.name if table else None)
        if table is None:
            return (*menu, tables, "No tables", [], None, None, {}, "", [], [], [], None, [], None, [], None,
                    [], [*messages, alert(f"{database!r} has no tables or views.", "info")])
        editable = data.is_editable(database, table.name)
        column_defs = data_layout.column_defs(table, spec, database, dash.get_relative_path("/data"), editable)
        view = {"db": database, "table": table.name, "view": spec.as_json(), "editable": editable}
        visible = list(spec.columns) or list(table.names)
        orderable = [c.name for c in table.columns if c.orderable]
        numeric = [c.name for c in table.columns if c.kind == "number"]
        x_default = next((c.name for c in table.columns if c.kind in ("date", "datetime")), orderable[0] if orderable else None)
        return (
            *menu, tables, data_layout.title(table, editable), column_defs, spec.filters or {}, view,
            spec.values or {}, spec.search,
            [{"label": c, "value": c} for c in table.names], visible,
            [{"label": c, "value": c} for c in orderable], _values_default(table),
            [{"label": c, "value": c} for c in orderable], x_default,
            [{"label": c, "value": c} for c in (numeric or orderable)], numeric[0] if numeric else None,
            data_layout.schema(table, database, dash.get_relative_path("/data")), messages,
        )

    @app.callback(
        Output(ids.DATA_VIEW, "data", allow_duplicate=True),
        Input(ids.DATA_GRID, "filterModel"),
        Input(ids.DATA_GRID, "columnState"),
        Input(ids.DATA_SEARCH, "value"),
        Input(ids.DATA_VALUES_STORE, "data"),
        State(ids.DATA_VIEW, "data"),
        prevent_initial_call=True,
    )
    def follow_view(filter_model, column_state, search, values, view):
        """Keep the view (for the URL, counts, exports, charts) in step with the grid and the panels."""
        if not view:
            return no_update
        compact = dict(view["view"])
        for key, value in (("f", filter_model or None), ("q", (search or "").strip() or None), ("v", values or None)):
            if value:
                compact[key] = value
            else:
                compact.pop(key, None)
        if column_state:
            ordered = sorted((c for c in column_state if c.get("sort")), key=lambda c: c.get("sortIndex") or 0)
            sort = [[c["colId"], c["sort"]] for c in ordered]
            if sort:
                compact["s"] = sort
            else:
                compact.pop("s", None)
            shown = [c["colId"] for c in column_state if not c.get("hide")]
            all_in_order = [c["colId"] for c in column_state]
            if shown != all_in_order or compact.get("c"):
                compact["c"] = shown
        if compact == view["view"]:
            return no_update
        return {**view, "view": compact}

    @app.callback(
        Output(ids.DATA_COUNT, "children"),
        Output(ids.DATA_EXPORT_CSV, "href"),
        Output(ids.DATA_EXPORT_XLSX, "href"),
        Output(ids.DATA_EXPORT_XLSX, "className"),
        Output(ids.DATA_EXPORT_XLSX, "title"),
        Output(ids.DATA_EXPORT_NOTE, "children"),
        Output(ids.DATA_GRID_NOTE, "children"),
        Input(ids.DATA_VIEW, "data"),
    )
    def describe_view(view):
        """Show the view's row count and point the export links at it (Excel only where it fits).

        A new view also clears the grid's message about the previous one.
        """
        if not view:
            return "", None, None, "btn btn-outline-secondary data-tool disabled", "", None, None
        data = get_workbench().data
        base = dash.get_relative_path("/data/export")
        query = query_string(view["db"], view["table"], view["view"])
        csv_href, xlsx_href = f"{base}.csv?{query}", f"{base}.xlsx?{query}"
        xlsx_class, xlsx_title, note = "btn btn-outline-secondary data-tool", "Download the view as Excel", None
        try:
            table, spec = data.view(view["db"], view["table"], view["view"])
            count, exact = _count(data, view["db"], table, spec)
        except USER_ERRORS as error:
            return "", csv_href, None, xlsx_class + " disabled", "", alert(str(error), problem_color(error)), None
        if count is not None and count > export.EXCEL_MAX_DATA_ROWS:
            xlsx_class += " disabled"
            xlsx_title = f"More than {export.EXCEL_MAX_DATA_ROWS:,} rows: too many for Excel"
            xlsx_href = None
            note = html.P([html.I(className="bi bi-info-circle me-1"),
                           f"Excel holds at most {export.EXCEL_MAX_DATA_ROWS:,} rows and this view has "
                           f"{'about ' if not exact else ''}{count:,}: export CSV, or filter the view first."],
                          className="data-export-note")
        return data_layout.count_badge(count, exact), csv_href, xlsx_href, xlsx_class, xlsx_title, note, None

    app.clientside_callback(
        ClientsideFunction(NAMESPACE, "syncUrl"),
        Output(ids.DATA_URL_SYNC, "data"),
        Input(ids.DATA_VIEW, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction(NAMESPACE, "showColumns"),
        Output(ids.DATA_COLUMNS_APPLIED, "data"),
        Input(ids.DATA_COLUMNS_CHECKLIST, "value"),
        State(ids.DATA_GRID, "id"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction(NAMESPACE, "filterTables"),
        Output(ids.DATA_TABLE_LIST, "className"),
        Input(ids.DATA_TABLE_SEARCH, "value"),
        State(ids.DATA_TABLE_LIST, "id"),
        prevent_initial_call=True,
    )


def _values_default(table) -> str | None:
    texts = [c.name for c in table.columns if c.kind in ("text", "boolean") and not c.primary_key]
    orderable = [c.name for c in table.columns if c.orderable]
    return (texts or orderable or [None])[0]


def _count(data, database, table, spec) -> tuple[int | None, bool]:
    """The view's rows: the table's count when unfiltered, else a COUNT under a short time limit."""
    unfiltered = not (spec.filters or spec.values or spec.search)
    if unfiltered and not table.is_view:
        found = data.row_count(database, table)
        return found.value, found.exact
    try:
        return data.count(database, table, spec, seconds=COUNT_SECONDS), True
    except QueryTimeout:  # counting this view is slow; the grid still pages through it
        return None, False


__all__ = ["register", "html"]
