"""Data page: a column's most frequent values with counts (facets), ticked to filter, shown as chips."""

from __future__ import annotations

from dash import ALL, Dash, Input, Output, State, ctx, html, no_update

from dash_app import ids
from dash_app.callbacks import data_layout
from dash_app.callbacks.data_common import USER_ERRORS, problem_color
from dash_app.components import alert
from dash_app.workbench import get_workbench


def register(app: Dash) -> None:
    """Register the values panel's callback."""

    @app.callback(
        Output(ids.DATA_VALUES_STORE, "data", allow_duplicate=True),
        Output(ids.DATA_VALUES_LIST, "options"),
        Output(ids.DATA_VALUES_LIST, "value"),
        Output(ids.DATA_VALUES_NOTE, "children"),
        Output(ids.DATA_CHIPS, "children"),
        Input(ids.DATA_VALUES_COLUMN, "value"),
        Input(ids.DATA_VALUES_LIST, "value"),
        Input({"type": "data-chip", "column": ALL}, "n_clicks"),
        Input(ids.DATA_GRID, "filterModel"),
        Input(ids.DATA_SEARCH, "value"),
        Input(ids.DATA_TABS, "active_tab"),
        State(ids.DATA_VALUES_STORE, "data"),
        State(ids.DATA_VIEW, "data"),
        prevent_initial_call="initial_duplicate",
    )
    def values_panel(column, ticked, _chip_clicks, filter_model, search, active_tab, values, view):
        """Tick or untick values of a column, remove a chip, and list the column's values with counts.

        The GROUP BY behind the list runs only while the Values tab is open: on a big table it is the
        expensive query of the page, and nobody is looking at it on the other tabs.
        """
        values = dict(values or {})
        trigger = ctx.triggered_id
        if isinstance(trigger, dict) and trigger.get("type") == "data-chip":
            if not any(item["value"] for item in ctx.triggered):
                return no_update, no_update, no_update, no_update, no_update
            values.pop(trigger["column"], None)
        elif trigger == ids.DATA_VALUES_LIST and column:
            chosen = [_decoded(item) for item in ticked or []]
            if chosen:
                values[column] = chosen
            else:
                values.pop(column, None)
        if not view or not column:
            return values, [], [], None, data_layout.value_chips(values)
        if active_tab != "values":
            return values, no_update, no_update, no_update, data_layout.value_chips(values)
        data = get_workbench().data
        try:
            table, spec = data.view(view["db"], view["table"], {"f": filter_model or None, "v": values or None,
                                                                 "q": search or ""})
            facets = data.facets(view["db"], table, spec, column)
        except USER_ERRORS as error:
            return values, [], [], alert(str(error), problem_color(error)), data_layout.value_chips(values)
        total = sum(facet.count for facet in facets) or 1
        options = [{"label": _facet_label(facet.label, facet.count, total), "value": _encoded(facet.value)}
                   for facet in facets]
        ticked_now = [_encoded(value) for value in values.get(column, [])]
        known = {option["value"] for option in options}
        options += [{"label": _facet_label(str(v), 0, total), "value": v} for v in ticked_now if v not in known]
        note = None if facets else alert("No values in this view.", "info", dismissable=False)
        return values, options, ticked_now, note, data_layout.value_chips(values)


# Checklist values must be strings or numbers: NULL travels as a marker that no real value can equal.
NULL_MARKER = "\u2400null"


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
