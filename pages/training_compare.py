"""Compare runs: overlaid curves, settings side by side with differences marked, the same pictures side by side."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dash_app import ids
from dash_app.components import page_header
from dash_app.components.training import curves_graph

PAGE = {
    "path": "/training/compare",
    "name": "Compare runs",
    "title": "Compare runs",
    "order": 21,
    "icon": "bi-layout-split",
    "nav": False,
    "description": "Curves, settings and pictures of several runs side by side.",
}


def layout(runs: str = "", **_query: str) -> html.Div:
    """Return the comparison of the runs named in ``?runs=1,2,3``; the content comes from callbacks."""
    return html.Div(
        [
            html.Nav(
                dbc.Button([html.I(className="bi bi-arrow-left me-1"), "All runs"],
                           href=dash.get_relative_path("/training"), color="link", className="train-back"),
                className="train-breadcrumb",
            ),
            page_header("Compare runs", PAGE["description"], PAGE["icon"]),
            dcc.Store(id=ids.TRAIN_COMPARE_IDS, data=runs),
            html.Div(id=ids.TRAIN_COMPARE_ALERT),
            html.Div([
                dbc.Card(dbc.CardBody([
                    html.H2([html.I(className="bi bi-graph-down me-2"), "Curves"], className="train-card-title"),
                    curves_graph(ids.TRAIN_COMPARE_GRAPH, 360, frame_id=ids.TRAIN_COMPARE_GRAPH_FRAME),
                ]), className="train-card"),
                dbc.Card(dbc.CardBody([
                    html.H2([html.I(className="bi bi-sliders me-2"), "Settings"], className="train-card-title"),
                    html.P("Rows where the runs differ are highlighted.", className="train-help"),
                    html.Div(id=ids.TRAIN_COMPARE_CONFIG, className="table-responsive"),
                ]), className="train-card mt-4"),
            ], id=ids.TRAIN_COMPARE_PANELS),
            html.Section(id=ids.TRAIN_COMPARE_ARTIFACTS, className="train-artifacts mt-4"),
        ],
        id=ids.TRAIN_COMPARE_PAGE,
        className="train-page",
    )
