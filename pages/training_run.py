"""One run's own page: status, settings, live progress and curves, its error, and its artifacts."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dash_app import ids
from dash_app.components.training import curves_graph

PAGE = {
    "path_template": "/training/runs/<run_id>",
    "name": "Training run",
    "title": "Training run",
    "order": 20,
    "icon": "bi-activity",
    "nav": False,
    "description": "One training run.",
}


def layout(run_id: str | None = None, **_query: str) -> html.Div:
    """Return the page of one run; the content comes from the store through callbacks."""
    return html.Div(
        [
            dcc.Store(id=ids.TRAIN_RUN_ID, data=run_id),
            dcc.Store(id=ids.TRAIN_RUN_CANCEL_REQUEST),  # a Cancel press: the heading's poll may replace the button
            dcc.Interval(id=ids.TRAIN_RUN_POLL, interval=1000),
            html.Nav(
                dbc.Button([html.I(className="bi bi-arrow-left me-1"), "All runs"],
                           href=dash.get_relative_path("/training"), color="link", className="train-back"),
                className="train-breadcrumb",
            ),
            html.Div(id=ids.TRAIN_RUN_STATUS, className="train-run-head"),
            html.Div(id=ids.TRAIN_RUN_ALERT, **{"aria-live": "polite"}),
            html.Div([  # hidden for an address that names no run the user may see
                dbc.Row(
                    [
                        dbc.Col(dbc.Card(dbc.CardBody(html.Div(id=ids.TRAIN_RUN_PROGRESS)),
                                         className="train-card h-100"), lg=4),
                        dbc.Col(dbc.Card(dbc.CardBody(
                            curves_graph(ids.TRAIN_RUN_GRAPH, 420)
                        ), className="train-card h-100"), lg=8),
                    ],
                    className="g-4",
                ),
                html.Section(id=ids.TRAIN_RUN_ARTIFACTS, className="train-artifacts mt-4"),
            ], id=ids.TRAIN_RUN_BODY),
        ],
        id=ids.TRAIN_RUN_PAGE,
        className="train-page",
    )
