"""Data page: describe the view and keep the URL in step with it (the layout opens the table the URL names)."""

from __future__ import annotations

import dash
from dash import Dash, Input, Output, State, html, no_update

from dash_app import ids
from dash_app.callbacks.data_common import NAMESPACE
from dash_app.callbacks.wiring import clientside, outputs
from dash_app.components import data as data_views
from dash_app.components.data import USER_ERRORS, problem_alert
from dash_app.data import export
from dash_app.data.catalog import RowCount
from dash_app.data.query import grid_view
from dash_app.data.urlstate import page_view, query_string
from dash_app.workbench import get_workbench

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
    return {**shown, "count": data_views.count_badge(count.value, count.exact),
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
