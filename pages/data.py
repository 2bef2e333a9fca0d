"""Data: browse any configured SQL database in a grid (placeholder until the Data issue lands)."""

from dash import html

from dash_app import ids
from dash_app.components import coming_soon, page_header

PAGE = {
    "path": "/data",
    "name": "Data",
    "title": "Data",
    "order": 1,
    "icon": "bi-table",
    "nav": True,
    "in_development": True,  # drop when the page's issue lands: the home card then loses its badge
    "job": "Browse any SQL database: sort, filter and export millions of rows, and chart the view.",
    "description": "Browse SQL databases in a fast grid.",
}


def layout(**_query: str) -> html.Div:
    """Return the Data page."""
    return html.Div(
        [
            page_header("Data", PAGE["description"], PAGE["icon"]),
            coming_soon(
                ids.DATA_PAGE,
                "The data browser is being built. It will let you:",
                [
                    "pick a configured database and see its tables, views and schema",
                    "sort, filter and page through tens of millions of rows, done by the database",
                    "export the whole view as CSV or Excel and chart it",
                ],
            ),
        ]
    )
