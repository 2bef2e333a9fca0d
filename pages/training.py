"""Training: start PyTorch jobs and follow them live (placeholder until the Training issue lands)."""

from dash import html

from dash_app import ids
from dash_app.components import coming_soon, page_header

PAGE = {
    "path": "/training",
    "name": "Training",
    "title": "Training",
    "order": 2,
    "icon": "bi-activity",
    "nav": True,
    "in_development": True,  # drop when the page's issue lands: the home card then loses its badge
    "job": "Train PyTorch models from the page, watch live progress, cancel, and compare runs.",
    "description": "Train models and follow them live.",
}


def layout(**_query: str) -> html.Div:
    """Return the Training page."""
    return html.Div(
        [
            page_header("Training", PAGE["description"], PAGE["icon"]),
            coming_soon(
                ids.TRAIN_PAGE,
                "Model training is being built. It will let you:",
                [
                    "start a training job on shipped data or a table from the Data page",
                    "watch epoch, loss, accuracy and ETA live, and cancel at any time",
                    "keep every run with its charts and compare runs side by side",
                ],
            ),
        ]
    )
