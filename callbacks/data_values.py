"""Data page: a column's most frequent values with counts (facets), ticked to filter, shown as chips."""

from __future__ import annotations

from dash import ALL, Dash, Input, State, ctx, html, no_update

from dash_app import ids
from dash_app.callbacks.wiring import outputs, unchanged
from dash_app.components import alert
from dash_app.components import data as data_views
from dash_app.components.data import USER_ERRORS, problem_alert
from dash_app.data.query import grid_view, plain
from dash_app.data.urlstate import page_view
from dash_app.workbench import get_workbench

VALUES_OUTPUTS = {
    "values": (ids.DATA_VALUES_STORE, "data", True),
    "options": (ids.DATA_VALUES_LIST, "options"),
    "ticked": (ids.DATA_VALUES_LIST, "value"),
    "note": (ids.DATA_VALUES_NOTE, "children"),
    "chips": (ids.DATA_CHIPS, "children"),
}
# Checklist values must be strings or numbers: NULL travels as a marker that no real value can equal.
NULL_MARKER = "\u2400null"


def register(app: Dash) -> None:
    """Register the values panel's callback."""
    app.callback(
        output=outputs(VALUES_OUTPUTS),
        inputs={"column": Input(ids.DATA_VALUES_COLUMN, "value"), "ticked": Input(ids.DATA_VALUES_LIST, "value"),
                "chip_clicks": Input(ids.data_chip(ALL), "n_clicks"),
                "filter_model": Input(ids.DATA_GRID, "filterModel"), "search": Input(ids.DATA_SEARCH, "value"),
                "active_tab": Input(ids.DATA_TABS, "active_tab")},
        state={"chip_ids": State(ids.data_chip(ALL), "id"), "values": State(ids.DATA_VALUES_STORE, "data"),
               "view": State(ids.DATA_VIEW, "data")},
        prevent_initial_call="initial_duplicate",
    )(values_panel)


def values_panel(column, ticked, chip_clicks, filter_model, search, active_tab, chip_ids, values, view) -> dict:
    """The values panel after the input that fired (Dash's ``ctx.triggered_id``); the work is :func:`show_values`."""
    return show_values(ctx.triggered_id, column=column, ticked=ticked, chip_clicks=chip_clicks, chip_ids=chip_ids,
                       filter_model=filter_model, search=search, active_tab=active_tab, values=values, view=view)


def _stored_values(values: object) -> dict:
    """The ticked values the page keeps (column -> list); what a client made up instead is left out here (the
    view's check refuses a wrong value with a message, dash_app/data/query.py)."""
    if not isinstance(values, dict):
        return {}
    return {column: ticked for column, ticked in values.items() if isinstance(ticked, list) and plain({column: ticked})}


def _listed(value: object) -> list:
    """A list the page sends (ticked values, chips' ids and clicks); anything else is none."""
    return value if isinstance(value, list) else []


def show_values(trigger, *, column, ticked, chip_clicks, chip_ids, filter_model, search, active_tab, values,
                view) -> dict:
    """Tick or untick values of a column, remove a chip, and list the column's values with counts.

    ``trigger`` is the id of the input that fired. The GROUP BY behind the list runs only while the Values
    tab is open: on a big table it is the expensive query of the page, and nobody looks at it on the other tabs.
    """
    view = page_view(view)
    values = _stored_values(values)
    if isinstance(trigger, dict) and trigger.get("type") == "data-chip":
        clicks = {chip.get("column"): count for chip, count in zip(_listed(chip_ids), _listed(chip_clicks))
                  if isinstance(chip, dict) and isinstance(chip.get("column"), str)}
        if not isinstance(trigger.get("column"), str) or not clicks.get(trigger["column"]):  # none was pressed
            return unchanged(VALUES_OUTPUTS)
        values.pop(trigger["column"], None)
    elif trigger == ids.DATA_VALUES_LIST and isinstance(column, str) and column:
        chosen = [_decoded(item) for item in _listed(ticked)]
        if chosen:
            values[column] = chosen
        else:
            values.pop(column, None)
    shown = {"values": values, "chips": data_views.value_chips(values, _decimals(view))}
    if not view or not column:
        return {**shown, "options": [], "ticked": [], "note": None}
    if active_tab != "values":
        return {**shown, "options": no_update, "ticked": no_update, "note": no_update}
    return {**shown, **_value_list(view, column, values, filter_model, search)}


def _decimals(view: dict | None) -> dict[str, int]:
    """The open table's fixed-point columns (their chips show values as the grid does); none when it is gone."""
    if not view:
        return {}
    try:
        return data_views.fixed_point(get_workbench().data.table(view["db"], view["table"]))
    except USER_ERRORS:
        return {}


def _value_list(view: dict, column: str, values: dict, filter_model, search) -> dict:
    """The column's values in the view (the other filters applied) with counts, the ticked ones ticked."""
    data = get_workbench().data
    try:
        compact = grid_view(filters=filter_model, values=values, search=search)
        table, spec = data.view(view["db"], view["table"], compact)
        facets = data.facets(view["db"], table, spec, column)
    except USER_ERRORS as error:
        return {"options": [], "ticked": [], "note": problem_alert(error)}
    total = sum(facet.count for facet in facets) or 1
    options = [{"label": _facet_label(facet.label, facet.count, total), "value": _encoded(facet.value)}
               for facet in facets]
    ticked = [_encoded(value) for value in values.get(column, [])]
    known = {option["value"] for option in options}
    options += [{"label": _facet_label(str(value), 0, total), "value": value} for value in ticked if value not in known]
    note = None if facets else alert("No values in this view.", "info", dismissable=False)
    return {"options": options, "ticked": ticked, "note": note}


def _encoded(value):
    if value is None:
        return NULL_MARKER
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _decoded(value):
    return None if value == NULL_MARKER else value


def _facet_label(label: str, count: int, total: int) -> html.Span:
    share = max(1, round(100 * count / total)) if count else 0
    return html.Span([
        html.Span(label if len(label) <= 80 else label[:80] + "…", className="data-facet-label"),
        html.Span(f"{count:,}", className="data-facet-count"),
        html.Span(className="data-facet-bar", style={"width": f"{share}%"}),
    ], className="data-facet")

