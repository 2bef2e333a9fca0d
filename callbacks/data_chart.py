"""Data page: chart the current view. The GROUP BY runs in the database, as a cancellable background job.

The job is a Dash background callback, and the query is bounded by the Data service's time limit. While it
runs, ``running`` switches on the page's clock, and the browser shows the elapsed time (``chartElapsed`` in
assets/js/data.js); the job itself only queries and draws.

Cancel stops the job, query and all, through the callback's ``cancel`` input: not the button itself but the
stop request it sets (``chartStop`` in assets/js/data.js), which the page sends again each second until the
chart has stopped. Dash's page can stop only a job whose handle it already has, and it learns the handle
from the server's answer to the chart's start: a click before that answer (a busy server) would otherwise
be lost and leave the query running until its time limit. From the click until the chart has stopped, the
page says "Cancelling…" instead of "Aggregating in the database…".
"""

from __future__ import annotations

import logging
import time

import plotly.graph_objects as go
from dash import Dash, Input, Output, Patch, State, dcc, html
from dash.exceptions import BackgroundCallbackError

from dash_app import ids
from dash_app.background import NoWorker
from dash_app.callbacks.data_common import NAMESPACE
from dash_app.callbacks.wiring import clientside, outputs, unchanged
from dash_app.components import GRAPH_CONFIG, alert
from dash_app.components.data import USER_ERRORS, problem_alert
from dash_app.data.charts import MAX_GROUPS, ChartRequest, Series, check_chart
from dash_app.data.urlstate import page_view
from dash_app.workbench import get_workbench

log = logging.getLogger(__name__)
CHART_HEIGHT = 420
LIGHT = {"paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "font": {"color": "#1c2130"},
         "xaxis": {"gridcolor": "#e3e6ee", "linecolor": "#c9cedb", "zerolinecolor": "#c9cedb"},
         "yaxis": {"gridcolor": "#e3e6ee", "linecolor": "#c9cedb", "zerolinecolor": "#c9cedb"}}
DARK = {"paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "font": {"color": "#e6e8ef"},
        "xaxis": {"gridcolor": "#2a2f3e", "linecolor": "#3a4152", "zerolinecolor": "#3a4152"},
        "yaxis": {"gridcolor": "#2a2f3e", "linecolor": "#3a4152", "zerolinecolor": "#3a4152"}}
BAR_COLOURS = {False: "#4f46e5", True: "#8b85ff"}
CHART_OUTPUTS = {
    "chart": (ids.DATA_CHART_BOX, "children"),
    "status": (ids.DATA_CHART_STATUS, "children"),
}
HIDDEN = {"display": "none"}


def register(app: Dash) -> None:
    """Register the chart callbacks."""
    app.callback(
        output=outputs(CHART_OUTPUTS),
        inputs={"n_clicks": Input(ids.DATA_CHART_RUN, "n_clicks")},
        state={"x": State(ids.DATA_CHART_X, "value"), "y": State(ids.DATA_CHART_Y, "value"),
               "aggregate": State(ids.DATA_CHART_AGG, "value"), "bucket": State(ids.DATA_CHART_BUCKET, "value"),
               "view": State(ids.DATA_VIEW, "data"), "dark": State(ids.SHELL_COLOR_MODE_SWITCH, "value")},
        background=True,
        running=[
            (Output(ids.DATA_CHART_RUN, "disabled"), True, False),
            (Output(ids.DATA_CHART_CANCEL, "disabled"), False, True),
            (Output(ids.DATA_CHART_PROGRESS, "style"), {"display": "block"}, HIDDEN),
            (Output(ids.DATA_CHART_STATUS, "style"), HIDDEN, {"display": "block"}),
            (Output(ids.DATA_CHART_CLOCK, "disabled"), False, True),
        ],
        cancel=[Input(ids.DATA_CHART_STOP, "data")],
        prevent_initial_call=True,
        on_error=chart_failed,
    )(chart)
    clientside(app, NAMESPACE, "chartElapsed", Output(ids.DATA_CHART_ELAPSED, "children"),
               Input(ids.DATA_CHART_CLOCK, "n_intervals"), Input(ids.DATA_CHART_CLOCK, "disabled"),
               prevent_initial_call=True)
    clientside(app, NAMESPACE, "chartStop", [Output(ids.DATA_CHART_STOP, "data"),
                                             Output(ids.DATA_CHART_WORKING, "hidden"),
                                             Output(ids.DATA_CHART_CANCELLING, "hidden")],
               Input(ids.DATA_CHART_CANCEL, "n_clicks"), Input(ids.DATA_CHART_CLOCK, "n_intervals"),
               Input(ids.DATA_CHART_CLOCK, "disabled"), prevent_initial_call=True)
    clientside(app, NAMESPACE, "yNeeded", Output(ids.DATA_CHART_Y, "disabled"), Input(ids.DATA_CHART_AGG, "value"),
               prevent_initial_call=False)
    app.callback(
        output={"chart": Output(ids.DATA_CHART_BOX, "children", allow_duplicate=True)},
        inputs={"dark": Input(ids.SHELL_COLOR_MODE_SWITCH, "value")},
        state={"chart": State(ids.DATA_CHART_BOX, "children")},
        prevent_initial_call=True,
    )(follow_colour_mode)


def chart(n_clicks, x, y, aggregate, bucket, view, dark) -> dict:
    """Aggregate the filtered view in SQL and draw it, saying how many groups and how long it took."""
    view = page_view(view)
    if not n_clicks or not view:
        return unchanged(CHART_OUTPUTS)
    data = get_workbench().data
    try:
        table, spec = data.view(view["db"], view["table"], view["view"])
        request = check_chart(table, x, y, aggregate, bucket)
        started = time.monotonic()
        series = data.chart(view["db"], table, spec, request)
    except USER_ERRORS as error:
        return {"chart": None, "status": problem_alert(error)}
    note = f"{len(series.x):,} groups in {time.monotonic() - started:.2f} s"
    if series.truncated:
        note += f"; only the first {MAX_GROUPS:,} are shown"
    graph = dcc.Graph(id=ids.DATA_CHART_GRAPH, figure=figure_for(series, request, bool(dark)), config=GRAPH_CONFIG,
                      className="data-chart", style={"height": f"{CHART_HEIGHT}px"})
    return {"chart": graph,
            "status": html.Span([html.I(className="bi bi-check2 me-1"), note], className="data-chart-done")}


def chart_failed(error: Exception) -> dict:
    """The chart's job could not be sent or followed (in the scaled mode the job queue is Redis, which may be
    stopped), or it failed unexpectedly: a message in the page instead of a failed request; the cause is logged."""
    log.warning("a chart job did not complete: %s", error.__class__.__name__, exc_info=error)
    if isinstance(error, BackgroundCallbackError):
        message = "The chart could not be drawn because of an unexpected error; it has been logged. Try again."
    elif isinstance(error, NoWorker):
        message = "Service unavailable: no worker is running to draw the chart. Try again shortly."
    else:
        message = "Service unavailable: the job queue does not answer, so the chart could not run. Try again shortly."
    return {"chart": None, "status": alert(message, color="warning", className="data-chart-failed")}


def follow_colour_mode(dark, chart) -> dict:
    """Restyle the chart when the colour mode changes, without running the query again."""
    figure = ((chart or {}).get("props") or {}).get("figure") if isinstance(chart, dict) else None
    if not isinstance(figure, dict) or not figure.get("data"):
        return unchanged({"chart": None})
    patch = Patch()
    patch["props"]["figure"]["layout"].update(DARK if dark else LIGHT)
    patch["props"]["figure"]["data"][0]["marker"]["color"] = BAR_COLOURS[bool(dark)]
    return {"chart": patch}


def figure_for(series: Series, request: ChartRequest, dark: bool) -> go.Figure:
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
