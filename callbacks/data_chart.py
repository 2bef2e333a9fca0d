"""Data page: chart the current view. The GROUP BY runs in the database, as a cancellable background job."""

from __future__ import annotations

import threading
import time

import plotly.graph_objects as go
from dash import ClientsideFunction, Dash, Input, Output, Patch, State, html, no_update

from dash_app import ids
from dash_app.callbacks.data_common import USER_ERRORS, problem_color
from dash_app.components import alert
from dash_app.data.charts import MAX_GROUPS, check_chart
from dash_app.workbench import get_workbench

PROGRESS_EVERY_S = 0.5
CHART_HEIGHT = 420
LIGHT = {"paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "font": {"color": "#1c2130"},
         "xaxis": {"gridcolor": "#e3e6ee", "linecolor": "#c9cedb", "zerolinecolor": "#c9cedb"},
         "yaxis": {"gridcolor": "#e3e6ee", "linecolor": "#c9cedb", "zerolinecolor": "#c9cedb"}}
DARK = {"paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "font": {"color": "#e6e8ef"},
        "xaxis": {"gridcolor": "#2a2f3e", "linecolor": "#3a4152", "zerolinecolor": "#3a4152"},
        "yaxis": {"gridcolor": "#2a2f3e", "linecolor": "#3a4152", "zerolinecolor": "#3a4152"}}
BAR_COLOURS = {False: "#4f46e5", True: "#8b85ff"}


def register(app: Dash) -> None:
    """Register the chart callbacks."""

    @app.callback(
        Output(ids.DATA_CHART_GRAPH, "figure"),
        Output(ids.DATA_CHART_GRAPH, "style"),
        Output(ids.DATA_CHART_STATUS, "children"),
        Input(ids.DATA_CHART_RUN, "n_clicks"),
        State(ids.DATA_CHART_X, "value"),
        State(ids.DATA_CHART_Y, "value"),
        State(ids.DATA_CHART_AGG, "value"),
        State(ids.DATA_CHART_BUCKET, "value"),
        State(ids.DATA_VIEW, "data"),
        State(ids.SHELL_COLOR_MODE_SWITCH, "value"),
        background=True,
        progress=[Output(ids.DATA_CHART_PROGRESS, "children")],
        running=[
            (Output(ids.DATA_CHART_RUN, "disabled"), True, False),
            (Output(ids.DATA_CHART_CANCEL, "disabled"), False, True),
            (Output(ids.DATA_CHART_PROGRESS, "style"), {"display": "block"}, {"display": "none"}),
            (Output(ids.DATA_CHART_STATUS, "style"), {"display": "none"}, {"display": "block"}),
        ],
        cancel=[Input(ids.DATA_CHART_CANCEL, "n_clicks")],
        prevent_initial_call=True,
    )
    def chart(set_progress, n_clicks, x, y, aggregate, bucket, view, dark):
        """Aggregate the filtered view in SQL and draw it; report the elapsed time while it runs."""
        if not n_clicks or not view:
            return no_update, no_update, no_update
        data = get_workbench().data
        try:
            table, spec = data.view(view["db"], view["table"], view["view"])
            request = check_chart(table, x, y, aggregate, bucket)
        except USER_ERRORS as error:
            return no_update, {"display": "none"}, alert(str(error), problem_color(error))
        outcome: dict = {}

        def work():
            try:
                outcome["series"] = data.chart(view["db"], table, spec, request)
            except USER_ERRORS as error:
                outcome["error"] = error

        worker = threading.Thread(target=work, daemon=True)
        started = time.monotonic()
        worker.start()
        while worker.is_alive():
            worker.join(PROGRESS_EVERY_S)
            if worker.is_alive():
                set_progress(_running(time.monotonic() - started))
        if "error" in outcome:
            error = outcome["error"]
            return no_update, {"display": "none"}, alert(str(error), problem_color(error))
        series = outcome["series"]
        figure = figure_for(series, request, bool(dark))
        note = f"{len(series.x):,} groups in {time.monotonic() - started:.2f} s"
        if series.truncated:
            note += f"; only the first {MAX_GROUPS:,} are shown"
        return figure, {"display": "block", "height": f"{CHART_HEIGHT}px"}, html.Span([html.I(className="bi bi-check2 me-1"), note],
                                                        className="data-chart-done")

    app.clientside_callback(
        ClientsideFunction("data", "yNeeded"),
        Output(ids.DATA_CHART_Y, "disabled"),
        Input(ids.DATA_CHART_AGG, "value"),
    )

    @app.callback(
        Output(ids.DATA_CHART_GRAPH, "figure", allow_duplicate=True),
        Input(ids.SHELL_COLOR_MODE_SWITCH, "value"),
        State(ids.DATA_CHART_GRAPH, "figure"),
        prevent_initial_call=True,
    )
    def follow_colour_mode(dark, figure):
        """Restyle the chart when the colour mode changes, without running the query again."""
        if not figure or not figure.get("data"):
            return no_update
        patch = Patch()
        patch["layout"].update(DARK if dark else LIGHT)
        patch["data"][0]["marker"]["color"] = BAR_COLOURS[bool(dark)]
        return patch


def _running(seconds: float) -> html.Span:
    return html.Span([html.Span(className="spinner-border spinner-border-sm me-2", role="status"),
                      f"Aggregating in the database… {seconds:.1f} s"], className="data-chart-running")


def figure_for(series, request, dark: bool) -> go.Figure:
    """A bar chart (categories) or a line chart (dates) in the page's colour mode."""
    label_y = "rows" if request.aggregate == "count" else f"{request.aggregate} of {request.y}"
    label_x = request.x if not request.bucket else f"{request.x} by {request.bucket}"
    colour = BAR_COLOURS[dark]
    if series.x_is_date:
        trace = go.Scatter(x=series.x, y=series.y, mode="lines+markers", marker={"color": colour},
                           line={"color": colour, "width": 2})
    else:
        trace = go.Bar(x=[str(value) for value in series.x], y=series.y, marker={"color": colour})
    figure = go.Figure(trace)
    figure.update_layout(
        margin={"l": 56, "r": 16, "t": 40, "b": 56}, height=CHART_HEIGHT, title={"text": f"{label_y} by {label_x}", "x": 0},
        xaxis_title=label_x, yaxis_title=label_y, font_family="Inter Variable, system-ui, sans-serif",
        **(DARK if dark else LIGHT),
    )
    if not series.x_is_date:
        figure.update_xaxes(type="category")
    return figure
