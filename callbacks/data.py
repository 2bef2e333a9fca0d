"""Behaviour of the Data page, split by concern; ``register`` adds them all."""

from __future__ import annotations

from dash import Dash

from dash_app.callbacks import data_browse, data_chart, data_display, data_edit, data_grid, data_values


def register(app: Dash) -> None:
    """Register the Data page's callbacks on ``app``."""
    data_browse.register(app)
    data_grid.register(app)
    data_values.register(app)
    data_chart.register(app)
    data_edit.register(app)
    data_display.register(app)
