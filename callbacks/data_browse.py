"""Data page: describe the view and keep the URL in step with it (the layout opens the table the URL names)."""

from __future__ import annotations

from dash import Dash, Input, Output, State, no_update

from dash_app import ids
from dash_app.callbacks.data_common import NAMESPACE
from dash_app.callbacks.wiring import clientside, outputs
from dash_app.components import data as data_views
from dash_app.data.query import grid_view
from dash_app.data.urlstate import page_view

# What describes a view (dash_app/components/data.py view_summary): the page arrives with what it can know at
# once, and this shows it for the first view (its count may need counting) and each new one.
VIEW_OUTPUTS = {
    "count": (ids.DATA_COUNT, "children"),
    "csv_href": (ids.DATA_EXPORT_CSV, "href"),
    "csv_class": (ids.DATA_EXPORT_CSV, "className"),
    "xlsx_href": (ids.DATA_EXPORT_XLSX, "href"),
    "xlsx_class": (ids.DATA_EXPORT_XLSX, "className"),
    "xlsx_title": (ids.DATA_EXPORT_XLSX, "title"),
    "export_note": (ids.DATA_EXPORT_NOTE, "children"),
    "grid_note": (ids.DATA_GRID_NOTE, "children"),
}


def register(app: Dash) -> None:
    """Register the callbacks that open tables and describe views."""
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
    clientside(app, NAMESPACE, "showColumns",
               [Output(ids.DATA_COLUMNS_APPLIED, "data"), Output(ids.DATA_COLUMNS_CHECKLIST, "value")],
               Input(ids.DATA_COLUMNS_CHECKLIST, "value"), State(ids.DATA_GRID, "id"), prevent_initial_call=True)
    clientside(app, NAMESPACE, "filterTables", Output(ids.DATA_TABLE_LIST, "className"),
               Input(ids.DATA_TABLE_SEARCH, "value"), State(ids.DATA_TABLE_LIST, "id"), prevent_initial_call=True)


def follow_view(filter_model, column_state, search, values, view) -> dict:
    """Keep the view (for the URL, counts, exports, charts) in step with the grid and the panels."""
    view = page_view(view)
    if not view:
        return {"view": no_update}
    compact = grid_view(view["view"], filters=filter_model, search=search, values=values, column_state=column_state)
    return {"view": no_update if compact == view["view"] else {**view, "view": compact}}


def describe_view(view) -> dict:
    """Show the view's row count and point the export links at it; a new view also clears the grid's message."""
    return data_views.view_summary(view)
