"""Behaviour of the Training pages: the form (Start launches the run), the live view, a run's page and the comparison."""

from __future__ import annotations

from dash import Dash

from dash_app.callbacks import training_compare, training_form, training_live, training_run


def register(app: Dash) -> None:
    """Register the Training pages' callbacks on ``app``."""
    training_form.register(app)
    training_live.register(app)
    training_run.register(app)
    training_compare.register(app)
