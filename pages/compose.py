"""Compose: place images on a server-rendered background (placeholder until the Compose issue lands)."""

from dash import html

from dash_app import ids
from dash_app.components import coming_soon, page_header

PAGE = {
    "path": "/compose",
    "name": "Compose",
    "title": "Compose",
    "order": 3,
    "icon": "bi-layers",
    "nav": True,
    "in_development": True,  # drop when the page's issue lands: the home card then loses its badge
    "job": "Drag images onto a background, place, scale and rotate them, and export at full resolution.",
    "description": "Compose images on a background.",
}


def layout(**_query: str) -> html.Div:
    """Return the Compose page."""
    return html.Div(
        [
            page_header("Compose", PAGE["description"], PAGE["icon"]),
            coming_soon(
                ids.COMPOSE_PAGE,
                "The image composer is being built. It will let you:",
                [
                    "drop images onto a background rendered by the server",
                    "drag, scale, rotate and layer them, with undo",
                    "export the composite at full resolution, exactly as previewed",
                ],
            ),
        ]
    )
