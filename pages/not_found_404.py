"""Page shown for any URL that no page claims (Dash Pages looks for a module named ``not_found_404``)."""

import dash
import dash_bootstrap_components as dbc
from dash import html

from dash_app import ids

PAGE = {
    "path": "/404",
    "name": "Not found",
    "title": "Page not found",
    "order": 99,
    "icon": "bi-signpost-split",
    "nav": False,
    "description": "This page does not exist.",
}


def layout(**_query: str) -> html.Div:
    """Return the not-found page with a way back."""
    return html.Div(
        [
            html.Span(html.I(className=f"bi {PAGE['icon']}"), className="app-404-icon"),
            html.P("404", className="app-404-code"),
            html.H1("Page not found", className="app-404-title"),
            html.P(
                "The address may be mistyped, or the page has moved.",
                className="app-404-text",
            ),
            dbc.Button(
                [html.I(className="bi bi-house"), " Go to home"],
                href=dash.get_relative_path("/"),
                color="primary",
            ),
        ],
        id=ids.NOT_FOUND_PAGE,
        className="app-404",
    )
