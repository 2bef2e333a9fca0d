"""Small building blocks shared by page layouts, so every page has the same header and empty states."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html


def page_header(title: str, subtitle: str, icon: str) -> html.Header:
    """Return a page's title block: icon, heading and one line that says what the page is for."""
    return html.Header(
        [
            html.Span(html.I(className=f"bi {icon}"), className="app-page-icon"),
            html.Div([html.H1(title, className="app-page-title"), html.P(subtitle, className="app-page-subtitle")]),
        ],
        className="app-page-header",
    )


def coming_soon(component_id: str, what: str, planned: list[str]) -> dbc.Card:
    """Return an honest placeholder for a job that is not built yet: what it will do, and nothing fake."""
    return dbc.Card(
        dbc.CardBody(
            [
                dbc.Badge("In development", color="warning", className="app-soon-badge"),
                html.P(what, className="app-soon-lead"),
                html.Ul([html.Li(item) for item in planned], className="app-soon-list"),
                dbc.Button(
                    [html.I(className="bi bi-arrow-left"), " Back to home"],
                    href=dash.get_relative_path("/"),
                    color="secondary",
                    outline=True,
                    size="sm",
                ),
            ]
        ),
        id=component_id,
        className="app-soon",
    )
